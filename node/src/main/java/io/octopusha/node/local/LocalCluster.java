package io.octopusha.node.local;

import io.octopusha.node.auth.ApiKeys;
import io.octopusha.node.db.EmbeddedDatabase;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * {@code make run}: an embedded PostgreSQL, three node processes on 8081-8083 sharing one directory, and
 * HAProxy on 8080 when it is installed. State lives in {@code .state/} and survives restarts. The OCTOPUS_*
 * variables it is started with are passed to every node. Ctrl-C stops everything it started, and so does its
 * {@link Reaper} should it die without doing so (see {@link LocalProcesses}). The system properties {@code local.state},
 * {@code local.port} (HAProxy; the nodes take the next three) and {@code local.statsPort} move it, for tests.
 */
public final class LocalCluster {
    private static final int NODES = 3;

    private LocalCluster() {
    }

    public static void main(String[] args) throws Exception {
        Path state = Path.of(System.getProperty("local.state", ".state")).toAbsolutePath();
        int haproxyPort = Integer.getInteger("local.port", 8080);
        int statsPort = Integer.getInteger("local.statsPort", 8404);
        Files.createDirectories(state);

        LocalProcesses processes = LocalProcesses.in(state);
        for (String left : processes.stopLeftovers()) {
            System.out.println("stopped " + left + ", left running by an earlier make run");
        }
        boolean haproxyInstalled = Haproxy.installed();
        List<Integer> ports = new ArrayList<>();
        for (int i = 1; i <= NODES; i++) ports.add(haproxyPort + i);
        if (haproxyInstalled) ports.addAll(List.of(haproxyPort, statsPort));
        for (int port : ports) {
            if (!free(port)) {
                System.err.println("make run: port " + port + " is in use by another program (`ss -ltnp 'sport = :" + port
                        + "'` names it); stop it and run again");
                System.exit(1);
            }
        }
        processes.startReaper();

        List<AutoCloseable> started = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nstopping the local cluster...");
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception e) {
                    System.err.println("stopping " + started.get(i) + " failed: " + e.getMessage());
                }
            }
            processes.forget();
            stopped.countDown();
        }, "local-cluster-stop"));

        EmbeddedDatabase database = EmbeddedDatabase.start(state.resolve("pg"), 0);
        started.add(database);

        String adminKey = adminKey(state);
        Map<String, String> env = new HashMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("OCTOPUS_")) env.put(k, v);
        });
        env.put("OCTOPUS_DB_URL", database.jdbcUrl("postgres"));
        env.put("OCTOPUS_DB_USER", database.user());
        env.remove("OCTOPUS_ADMIN_API_KEY_FILE");
        env.put("OCTOPUS_ADMIN_API_KEY", adminKey);
        env.putIfAbsent("OCTOPUS_SHARED_DIR", state.resolve("shared").toString());
        // Ctrl-C should not wait ten minutes for tasks on a developer's machine.
        env.putIfAbsent("OCTOPUS_SHUTDOWN_GRACE", "PT15S");

        List<NodeProcess> nodes = new ArrayList<>();
        for (int i = 1; i <= NODES; i++) {
            Map<String, String> nodeEnv = new HashMap<>(env);
            nodeEnv.put("OCTOPUS_DATA_DIR", state.resolve("node" + i).toString());
            NodeProcess node = NodeProcess.start("node" + i, haproxyPort + i, nodeEnv,
                    state.resolve("logs/node" + i + ".log"), List.of("-Xmx256m", processes.marker()));
            processes.add(node.name(), node.pid());
            started.add(node);
            nodes.add(node);
        }
        for (NodeProcess node : nodes) node.awaitReady(Duration.ofSeconds(90));

        String portal = nodes.getFirst().baseUrl() + "/";
        String balancer = "none: haproxy is not installed (install the haproxy package to get one on port " + haproxyPort + ")";
        if (haproxyInstalled) {
            Haproxy haproxy = Haproxy.start(state.resolve("haproxy"), haproxyPort, statsPort,
                    nodes.stream().map(n -> new Haproxy.Backend(n.name(), n.port())).toList());
            processes.add("haproxy", haproxy.pid());
            started.add(haproxy);
            portal = "http://127.0.0.1:" + haproxyPort + "/";
            balancer = "HAProxy, stats on http://127.0.0.1:" + statsPort + "/stats; " + rotation(haproxy, nodes.size());
        }

        System.out.printf("""

                Octopus HA local cluster is running.
                  portal and API : %s
                  nodes          : %s
                  load balancer  : %s
                  admin API key  : %s
                  database       : %s (user %s)
                  logs           : %s
                Press Ctrl-C to stop.
                %n""", portal,
                String.join(", ", nodes.stream().map(NodeProcess::baseUrl).toList()), balancer,
                adminKey, database.jdbcUrl("postgres"), database.user(), state.resolve("logs"));
        stopped.await();
    }

    /** HAProxy's view of the nodes once its health checks have had a moment to see them all up. */
    private static String rotation(Haproxy haproxy, int nodes) throws InterruptedException {
        Map<String, String> states = Map.of();
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                states = haproxy.serverStates();
                if (states.size() == nodes && states.values().stream().allMatch("UP"::equals)) break;
            } catch (UncheckedIOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        return states.isEmpty() ? "no answer from its stats page yet" : new TreeMap<>(states).entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port)) {
            return socket.isBound();
        } catch (IOException e) {
            return false;
        }
    }

    /** OCTOPUS_ADMIN_API_KEY(_FILE) if set, else the key this folder was first started with. */
    private static String adminKey(Path state) throws IOException {
        String configured = System.getenv("OCTOPUS_ADMIN_API_KEY");
        if (configured != null && !configured.isBlank()) return configured.strip();
        String configuredFile = System.getenv("OCTOPUS_ADMIN_API_KEY_FILE");
        Path file = configuredFile != null ? Path.of(configuredFile) : state.resolve("admin-api-key");
        if (Files.exists(file)) return Files.readString(file).strip();
        String key = ApiKeys.generate();
        Files.writeString(file, key);
        return key;
    }
}
