package io.octopusha.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.octopusha.node.OctopusNode;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Several nodes in one JVM sharing one real PostgreSQL: registration, check-ins, drain and cap propagation. */
class ClusterMembershipTest {
    private static TestCluster cluster;
    private static OctopusNode a, b, c;

    @BeforeAll
    static void start() {
        cluster = new TestCluster();
        a = cluster.start("a", Map.of("OCTOPUS_TASK_CAP", "2"));
        b = cluster.start("b");
        c = cluster.start("c");
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static JsonNode summaryNode(Api api, String name) {
        JsonNode nodes = api.get("/api/octopusservernodes/summary").json().get("Nodes");
        return StreamSupport.stream(nodes.spliterator(), false)
                .filter(n -> n.get("Name").asText().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void nodesRegisterWithTheirInitialCapAndAppearRunningInTheSummary() {
        Api api = cluster.api(b);
        JsonNode summary = api.get("/api/octopusservernodes/summary").json();
        assertThat(summary.get("Nodes")).extracting(n -> n.get("Name").asText()).contains("a", "b", "c");
        JsonNode nodeA = summaryNode(api, "a");
        assertThat(nodeA.get("Id").asText()).isEqualTo("OctopusServerNodes-a");
        assertThat(nodeA.get("MaxConcurrentTasks").asInt()).isEqualTo(2);
        assertThat(nodeA.get("Status").asText()).isEqualTo("Running");
        assertThat(nodeA.get("IsOffline").asBoolean()).isFalse();
        assertThat(summaryNode(api, "b").get("MaxConcurrentTasks").asInt()).isEqualTo(5);
    }

    @Test
    void checkInsMoveLastSeenForwardOnTheDatabaseClock() {
        Api api = cluster.api(a);
        String first = summaryNode(api, "c").get("LastSeen").asText();
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(summaryNode(api, "c").get("LastSeen").asText()).isGreaterThan(first));
    }

    @Test
    void drainThroughOneNodeReachesAnotherNodesPingWithinASecond() {
        Api viaA = cluster.api(a);
        Api bDirect = cluster.api(b);
        assertThat(bDirect.get("/api/octopusservernodes/ping").status()).isEqualTo(200);

        assertThat(viaA.put("/api/octopusservernodes/OctopusServerNodes-b", "{\"IsInMaintenanceMode\":true}").status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> bDirect.get("/api/octopusservernodes/ping").status() == 418);
        JsonNode ping = bDirect.get("/api/octopusservernodes/ping").json();
        assertThat(ping.get("IsInMaintenanceMode").asBoolean()).isTrue();
        assertThat(summaryNode(viaA, "b").get("Status").asText()).isEqualTo("Drained");

        viaA.put("/api/octopusservernodes/OctopusServerNodes-b", "{\"IsInMaintenanceMode\":false}");
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> bDirect.get("/api/octopusservernodes/ping").status() == 200);
        assertThat(summaryNode(viaA, "b").get("Status").asText()).isEqualTo("Running");
    }

    @Test
    void aCapChangedOnOneNodeTakesEffectOnItsTargetWithinASecond() {
        Api viaC = cluster.api(c);
        viaC.put("/api/octopusservernodes/OctopusServerNodes-a", "{\"MaxConcurrentTasks\":9}");
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> a.localNode().settings().maxConcurrentTasks() == 9);
        assertThat(cluster.api(a).get("/api/octopusservernodes/ping").json().get("MaxConcurrentTasks").asInt()).isEqualTo(9);
        viaC.put("/api/octopusservernodes/OctopusServerNodes-a", "{\"MaxConcurrentTasks\":2}");
    }

    @Test
    void theTaskCapFromConfigurationOnlyAppliesAtFirstRegistration() {
        OctopusNode d = cluster.start("d", Map.of("OCTOPUS_TASK_CAP", "3"));
        cluster.api(a).put("/api/octopusservernodes/OctopusServerNodes-d", "{\"MaxConcurrentTasks\":11}");
        d.close();
        OctopusNode again = cluster.start("d", Map.of("OCTOPUS_TASK_CAP", "3"));
        assertThat(again.localNode().settings().maxConcurrentTasks()).isEqualTo(11);
        again.close();
    }

    @Test
    void aCleanlyStoppedNodeIsOfflineAtOnceAndCanBeDeleted() {
        OctopusNode e = cluster.start("e");
        Api api = cluster.api(a);
        assertThat(summaryNode(api, "e").get("Status").asText()).isEqualTo("Running");
        e.close();
        JsonNode stopped = summaryNode(api, "e");
        assertThat(stopped.get("Status").asText()).isEqualTo("Offline");
        assertThat(stopped.get("IsOffline").asBoolean()).isTrue();
        assertThat(api.delete("/api/octopusservernodes/OctopusServerNodes-e").status()).isEqualTo(204);
        assertThat(api.get("/api/octopusservernodes/OctopusServerNodes-e").status()).isEqualTo(404);
    }

    @Test
    void aNodeBeyondTheNodeLimitRefusesToJoin() {
        assertThatThrownBy(() -> cluster.start("f", Map.of("OCTOPUS_NODE_LIMIT", "3")))
                .isInstanceOf(NodeLimitExceededException.class)
                .hasMessageContaining("OCTOPUS_NODE_LIMIT is 3");
        assertThat(cluster.api(a).get("/api/octopusservernodes/OctopusServerNodes-f").status()).isEqualTo(404);
    }

    @Test
    void aDeletedRecordOfALiveNodeComesBackAtItsNextCheckIn() {
        OctopusNode g = cluster.start("g");
        Api api = cluster.api(a);
        assertThat(api.delete("/api/octopusservernodes/OctopusServerNodes-g").status()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(2))
                .until(() -> api.get("/api/octopusservernodes/OctopusServerNodes-g").status() == 200);
        g.close();
    }
}
