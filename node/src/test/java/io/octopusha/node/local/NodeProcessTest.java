package io.octopusha.node.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.octopusha.node.OctopusNode;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.Ports;
import io.octopusha.node.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Nodes as separate processes: killed, refused, misconfigured. */
class NodeProcessTest {
    private static TestCluster cluster;
    private static OctopusNode observer;
    private static Api api;

    @BeforeAll
    static void start() {
        cluster = new TestCluster();
        observer = cluster.start("observer");
        api = cluster.api(observer);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private NodeProcess process(String name, Map<String, String> overrides) {
        return NodeProcess.start(name, 0, cluster.environment(name, overrides),
                cluster.root().resolve("logs/" + name + ".log"), List.of("-Xmx128m"));
    }

    private static JsonNode summaryOf(String name) {
        return StreamSupport.stream(api.get("/api/octopusservernodes/summary").json().get("Nodes").spliterator(), false)
                .filter(n -> n.get("Name").asText().equals(name)).findFirst().orElse(null);
    }

    @Test
    void aKilledNodeIsOfflineWithinOfflineAfterPlusOneHeartbeat() {
        NodeProcess victim = NodeProcess.start("victim", Ports.free(), cluster.environment("victim", Map.of()),
                cluster.root().resolve("logs/victim.log"), List.of("-Xmx128m")).awaitReady(Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(5)).until(() -> summaryOf("victim") != null
                && summaryOf("victim").get("Status").asText().equals("Running"));

        victim.kill();
        Duration limit = Duration.parse(TestCluster.OFFLINE_AFTER).plus(Duration.parse(TestCluster.HEARTBEAT));
        await().atMost(limit.plusMillis(500)).pollInterval(Duration.ofMillis(50))
                .until(() -> summaryOf("victim").get("Status").asText().equals("Offline"));
        Instant noticed = Instant.now();
        // Not before OFFLINE_AFTER since its last check-in. (Timing from the kill instead fails on a loaded machine,
        // where a heartbeat may come late and the kill itself takes a while.)
        JsonNode victimRecord = summaryOf("victim");
        Instant lastSeen = OffsetDateTime.parse(victimRecord.get("LastSeen").asText()).toInstant();
        assertThat(Duration.between(lastSeen, noticed)).isGreaterThanOrEqualTo(Duration.parse(TestCluster.OFFLINE_AFTER));
        assertThat(victimRecord.get("IsOffline").asBoolean()).isTrue();
    }

    @Test
    void aBadSettingStopsTheProcessWithOneLineNamingIt() throws Exception {
        NodeProcess bad = process("bad", Map.of("OCTOPUS_TASK_CAP", "lots"));
        assertThat(bad.waitForExit(Duration.ofSeconds(30))).isEqualTo(2);
        List<String> output = Files.readAllLines(bad.log());
        assertThat(output).hasSize(1);
        assertThat(output.getFirst()).contains("OCTOPUS_TASK_CAP").contains("'lots'");
        assertThat(summaryOf("bad")).isNull();
    }

    @Test
    void aNodeOverTheLimitExitsWithOneLine() throws Exception {
        NodeProcess extra = process("extra", Map.of("OCTOPUS_NODE_LIMIT", "1"));
        assertThat(extra.waitForExit(Duration.ofSeconds(60))).isEqualTo(3);
        assertThat(Files.readAllLines(extra.log())).filteredOn(l -> l.contains("OCTOPUS_NODE_LIMIT")).hasSize(1);
        assertThat(summaryOf("extra")).isNull();
    }
}
