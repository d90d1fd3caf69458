package io.octopusha.node.api;

import io.javalin.config.RoutesConfig;
import io.octopusha.node.auth.Role;
import io.octopusha.node.cluster.ClusterHealth;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Octopus's server status: {@code /api/serverstatus}, the anonymous {@code /api/serverstatus/health} (200 while the
 * cluster operates normally, 418 otherwise, for monitors and load balancers that check the whole cluster), and
 * {@code /api/serverstatus/system-info} about the node that answers.
 */
public final class ServerStatusApi implements ApiRoutes {
    public static final String PATH = "/api/serverstatus";
    public static final String HEALTH = PATH + "/health";
    public static final String SYSTEM_INFO = PATH + "/system-info";

    private final String version;
    private final String nodeName;
    private final ClusterHealth cluster;

    public ServerStatusApi(String version, String nodeName, ClusterHealth cluster) {
        this.version = version;
        this.nodeName = nodeName;
        this.cluster = cluster;
    }

    record ServerStatus(boolean isDatabaseEncrypted, boolean isUpgradeAvailable, String maximumAvailableVersion,
                        String maximumAvailableVersionCoveredByLicense, String maintenanceExpires,
                        boolean isInMaintenanceMode, boolean isMajorMinorUpgrade, boolean isPotentialClone,
                        Map<String, String> links) {
    }

    record Health(boolean isOperatingNormally, String description, boolean isEntireClusterReadOnly,
                  boolean isEntireClusterDrainingTasks, boolean isCompliantWithLicense, Map<String, String> links) {
    }

    record SystemInfo(String version, String serverNode, String oSVersion, long workingSetBytes, String clrVersion,
                      int threadCount, String uptime, Map<String, String> links) {
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(PATH, ctx -> {
            Map<String, String> links = new LinkedHashMap<>();
            links.put("Self", PATH);
            links.put("Health", HEALTH);
            links.put("SystemInfo", SYSTEM_INFO);
            links.put("Nodes", NodesApi.PATH);
            // No server-wide read-only mode here (IsInMaintenanceMode is Octopus's, not a node's drain); no upgrade check.
            ctx.json(new ServerStatus(false, false, version, version, null, false, false, false, links));
        }, Role.Viewer);
        routes.get(HEALTH, ctx -> {
            ClusterHealth.Snapshot now = cluster.current();
            ctx.status(now.operatingNormally() ? 200 : 418).json(new Health(now.operatingNormally(), now.description(),
                    false, now.entireClusterDraining(), now.compliantWithNodeLimit(), Map.of("Self", HEALTH)));
        }, Role.Anonymous);
        routes.get(SYSTEM_INFO, ctx -> {
            var runtime = ManagementFactory.getRuntimeMXBean();
            ctx.json(new SystemInfo(version, nodeName, System.getProperty("os.name") + " " + System.getProperty("os.version"),
                    workingSetBytes(), "Java " + Runtime.version(), ManagementFactory.getThreadMXBean().getThreadCount(),
                    timeSpan(Duration.ofMillis(runtime.getUptime())), Map.of("Self", SYSTEM_INFO)));
        }, Role.Administrator);
    }

    /** The process's resident memory (VmRSS), or the JVM's heap where /proc cannot tell. */
    static long workingSetBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc unreadable
        }
        return Runtime.getRuntime().totalMemory();
    }

    /** A .NET TimeSpan as Octopus's clients read it: {@code [d.]hh:mm:ss}. */
    static String timeSpan(Duration d) {
        long days = d.toDays();
        String clock = String.format("%02d:%02d:%02d", d.toHoursPart(), d.toMinutesPart(), d.toSecondsPart());
        return days > 0 ? days + "." + clock : clock;
    }
}
