package io.octopusha.node.tasks;

import io.octopusha.node.OctopusNode;
import io.octopusha.node.queue.TaskQueue;
import io.octopusha.node.queue.TaskRecord;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.TcpProxy;
import io.octopusha.node.testing.TestCluster;
import io.octopusha.node.testing.TestDatabase;
import io.octopusha.node.testing.Tasks;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Nodes that lose the database under load, through a proxy that is cut and restored: no task is lost or
 * run twice, a node away for long enough fences itself, and every node carries on without a restart.
 */
class DatabaseLossTest {

    private static String via(TcpProxy proxy, TestCluster cluster) {
        return cluster.dbUrl().replace(":" + TestDatabase.port() + "/", ":" + proxy.port() + "/");
    }

    @Test
    void aShortOutageLosesNothingAndRunsNothingTwice() {
        try (TcpProxy proxyA = new TcpProxy(TestDatabase.port()); TcpProxy proxyB = new TcpProxy(TestDatabase.port());
             TestCluster cluster = new TestCluster()) {
            OctopusNode a = cluster.start("blip-a", Map.of("OCTOPUS_DB_URL", via(proxyA, cluster)));
            cluster.start("blip-b", Map.of("OCTOPUS_DB_URL", via(proxyB, cluster)));
            OctopusNode client = cluster.start("blip-client", Map.of("OCTOPUS_TASK_CAP", "0"));
            Api api = cluster.api(client);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 30; i++) ids.add(Tasks.delay(api, 150));
            await().until(() -> a.processor().runningCount() > 0);

            proxyA.cut();
            proxyB.cut();
            await().atMost(Duration.ofSeconds(2)).until(() -> cluster.api(a).get("/api/octopusservernodes/ping").status() == 503);
            proxyA.restore();
            proxyB.restore();

            for (String id : ids) {
                assertThat(Tasks.awaitCompleted(api, id, Duration.ofSeconds(20)).get("State").asText()).isEqualTo("Success");
            }
            assertThat(Tasks.startsPerTask(cluster.dsl()).values()).hasSize(30).containsOnly(1);
            assertThat(cluster.api(a).get("/api/octopusservernodes/ping").status()).isEqualTo(200);
        }
    }

    @Test
    void aNodeAwayForHalfOfOfflineAfterStopsItsTasksBeforeOthersFailThemAndRecovers() throws Exception {
        try (TcpProxy proxy = new TcpProxy(TestDatabase.port()); TestCluster cluster = new TestCluster()) {
            OctopusNode isolated = cluster.start("isolated", Map.of("OCTOPUS_DB_URL", via(proxy, cluster)));
            OctopusNode client = cluster.start("observer", Map.of("OCTOPUS_TASK_CAP", "0"));
            Api api = cluster.api(client);
            Path pidFile = cluster.scriptExchange().resolve("fenced.pid");
            String id = Tasks.script(api, "echo $$ > '" + pidFile + "'; sleep 60");
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
            long scriptPid = Long.parseLong(Files.readString(pidFile).strip());

            proxy.cut();
            long cutAt = System.nanoTime();
            await().atMost(Duration.parse(TestCluster.OFFLINE_AFTER)).pollInterval(Duration.ofMillis(20))
                    .until(() -> ProcessHandle.of(scriptPid).map(p -> !p.isAlive()).orElse(true));
            Duration fencedAfter = Duration.ofNanos(System.nanoTime() - cutAt);
            assertThat(fencedAfter).isLessThan(Duration.parse(TestCluster.OFFLINE_AFTER));
            // Others see the task as Failed once the node is offline, never as running in two places.
            var failed = Tasks.awaitState(api, id, "Failed", Duration.ofSeconds(5));
            assertThat(failed.get("ErrorMessage").asText()).contains("isolated");

            proxy.restore();
            await().atMost(Duration.ofSeconds(5)).until(() -> cluster.api(isolated).get("/api/octopusservernodes/ping").status() == 200);
            String next = Tasks.delay(api, 10);
            assertThat(Tasks.awaitCompleted(api, next, Duration.ofSeconds(5)).get("ServerNode").asText()).isEqualTo("isolated");
            assertThat(Tasks.startsPerTask(cluster.dsl()).values()).containsOnly(1);
        }
    }

    /**
     * A claim commits in the statement that makes it, so a connection lost at that moment can lose only the reply.
     * The test makes such a claim for an idle node straight through the queue (what the lost reply leaves behind)
     * and expects the node to notice and run the task itself, once.
     */
    @Test
    void aClaimWhoseReplyWasLostRunsOnceOnTheNodeThatMadeIt() {
        try (TestCluster cluster = new TestCluster()) {
            OctopusNode owner = cluster.start("owner", Map.of("OCTOPUS_TASK_CAP", "0"));
            Api api = cluster.api(owner);
            String id = Tasks.delay(api, 10);
            var claimed = new TaskQueue(cluster.dsl()).claim(owner.localNode().id(), 1, null);
            assertThat(claimed).extracting(TaskRecord::id).containsExactly(id);
            assertThat(owner.processor().runningCount()).isZero();

            var done = Tasks.awaitCompleted(api, id, Duration.ofSeconds(5));
            assertThat(done.get("State").asText()).isEqualTo("Success");
            assertThat(done.get("ServerNode").asText()).isEqualTo("owner");
            assertThat(Tasks.startsPerTask(cluster.dsl())).containsOnly(Map.entry(claimed.getFirst().number(), 1));
        }
    }
}
