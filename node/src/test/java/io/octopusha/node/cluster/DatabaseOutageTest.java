package io.octopusha.node.cluster;

import io.octopusha.node.OctopusNode;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.TcpProxy;
import io.octopusha.node.testing.TestCluster;
import io.octopusha.node.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node whose database connection is cut: ping and readiness 503 after one heartbeat interval, back to 200 when it
 * returns.
 */
class DatabaseOutageTest {

    @Test
    void pingAnswers503WhileTheDatabaseIsAwayAndRecoversWithoutARestart() {
        try (TcpProxy proxy = new TcpProxy(TestDatabase.port()); TestCluster cluster = new TestCluster()) {
            String viaProxy = cluster.dbUrl().replace(":" + TestDatabase.port() + "/", ":" + proxy.port() + "/");
            OctopusNode node = cluster.start("cut", Map.of("OCTOPUS_DB_URL", viaProxy));
            Api api = cluster.api(node);
            assertThat(api.get("/api/octopusservernodes/ping").status()).isEqualTo(200);

            proxy.cut();
            long cutAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(20))
                    .until(() -> api.get("/api/octopusservernodes/ping").status() == 503);
            assertThat(Duration.ofNanos(System.nanoTime() - cutAt)).isGreaterThanOrEqualTo(Duration.parse(TestCluster.HEARTBEAT));
            assertThat(api.get("/api/health/live").status()).isEqualTo(200);
            assertThat(api.get("/api/health/ready").status()).isEqualTo(503);

            proxy.restore();
            await().atMost(Duration.ofSeconds(5)).until(() -> api.get("/api/octopusservernodes/ping").status() == 200);
            // Notifications work again after the reconnect: a drain still arrives within a second.
            OctopusNode other = cluster.start("peer");
            cluster.api(other).put("/api/octopusservernodes/OctopusServerNodes-cut", "{\"IsInMaintenanceMode\":true}");
            await().atMost(Duration.ofSeconds(1)).until(() -> api.get("/api/octopusservernodes/ping").status() == 418);
            // Drained, it still serves the API: ready for an orchestrator, out for a load balancer that pings.
            assertThat(api.get("/api/health/ready").status()).isEqualTo(200);
        }
    }
}
