package io.octopusha.node.local;

import io.octopusha.node.auth.ApiKeys;
import io.octopusha.node.db.EmbeddedDatabase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code make run}: an embedded PostgreSQL, three node processes on 8081-8083 sharing one directory, and
 * HAProxy on 8080 when it is installed. State lives in {@code .state/} and survives restarts. The OCTOPUS_*
 * variables it is started with are passed to every node. Ctrl-C stops everything it started.
 */
public final class LocalCluster {
    private static final int NODES = 3;
    private static final int FIRST_NODE_PORT = 8081;
    private static final int HAPROXY_PORT = 8080;
    private static final int HAPROXY_STATS_PORT = 8404;

    private LocalCluster() {
    }

    public static void main(String[] args) throws Exception {
        Path state = Path.of(".state").toAbsolutePath();
        Files.createDirectories(state);
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
            NodeProcess node = NodeProcess.start("node" + i, FIRST_NODE_PORT + i - 1, nodeEnv,
                    state.resolve("logs/node" + i + ".log"), List.of("-Xmx256m"));
            started.add(node);
            nodes.add(node);
        }
        for (NodeProcess node : nodes) node.awaitReady(Duration.ofSeconds(90));

        String portal = nodes.getFirst().baseUrl() + "/";
        if (Haproxy.installed()) {
            started.add(Haproxy.start(state.resolve("haproxy"), HAPROXY_PORT, HAPROXY_STATS_PORT,
                    nodes.stream().map(n -> new Haproxy.Backend(n.name(), n.port())).toList()));
            portal = "http://127.0.0.1:" + HAPROXY_PORT + "/";
        } else {
            System.out.println("haproxy is not installed: no load balancer on port " + HAPROXY_PORT
                    + " (install the haproxy package to get one)");
        }

        System.out.printf("""

                Octopus HA local cluster is running.
                  portal and API : %s
                  nodes          : %s
                  admin API key  : %s
                  database       : %s (user %s)
                  logs           : %s
                Press Ctrl-C to stop.
                %n""", portal,
                String.join(", ", nodes.stream().map(NodeProcess::baseUrl).toList()),
                adminKey, database.jdbcUrl("postgres"), database.user(), state.resolve("logs"));
        stopped.await();
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
