package io.octopusha.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.octopusha.node.OctopusNode;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Octopus's licence status with this cluster's limits (the node limit, the task caps) and its server status. */
class ServerStatusAndLicenceTest {
    private TestCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    private static JsonNode nodeLimit(Api api) {
        return StreamSupport.stream(api.get("/api/licenses/licenses-current-status").json().get("Limits").spliterator(), false)
                .filter(l -> l.get("Name").asText().equals("Nodes")).findFirst().orElseThrow();
    }

    @Test
    void theLicenceStatusShowsTheNodeLimitAgainstTheNodesOnlineAndTheTaskCaps() {
        cluster = new TestCluster();
        Api api = cluster.api(cluster.start("licensed-1", Map.of("OCTOPUS_NODE_LIMIT", "2", "OCTOPUS_TASK_CAP", "5")));
        JsonNode alone = nodeLimit(api);
        assertThat(alone.get("IsUnlimited").asBoolean()).isFalse();
        assertThat(alone.get("EffectiveLimit").asInt()).isEqualTo(2);
        assertThat(alone.get("CurrentUsage").asInt()).isEqualTo(1);
        assertThat(alone.get("Disposition").asText()).isEqualTo("Information");

        OctopusNode second = cluster.start("licensed-2", Map.of("OCTOPUS_TASK_CAP", "3"));
        await().atMost(Duration.ofSeconds(3)).until(() -> nodeLimit(api).get("CurrentUsage").asInt() == 2);
        JsonNode full = nodeLimit(api);
        assertThat(full.get("Disposition").asText()).isEqualTo("Warning");
        JsonNode status = api.get("/api/licenses/licenses-current-status").json();
        assertThat(status.get("IsCompliant").asBoolean()).isTrue();
        assertThat(status.get("Messages").get(0).get("Disposition").asText()).isEqualTo("Warning");
        assertThat(status.get("Messages").get(0).get("Message").asText()).contains("another node will not join");
        assertThat(status.get("EffectiveClusterTaskLimit").asInt()).isEqualTo(8);
        assertThat(status.get("EffectiveNodeTaskLimit").asInt()).isEqualTo(1000);

        assertThat(api.put("/api/octopusservernodes/" + second.localNode().id(), "{\"IsInMaintenanceMode\":true}").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(3)).until(() ->
                api.get("/api/licenses/licenses-current-status").json().get("EffectiveClusterTaskLimit").asInt() == 5);
        JsonNode health = api.withKey(null).get("/api/serverstatus/health").json();
        assertThat(health.get("IsOperatingNormally").asBoolean()).as("one node still takes tasks").isTrue();
        assertThat(health.get("IsCompliantWithLicense").asBoolean()).isTrue();
    }

    @Test
    void systemInfoIsAboutTheNodeThatAnswersAndForAdministrators() {
        cluster = new TestCluster();
        Api api = cluster.api(cluster.start("informed"));
        JsonNode info = api.get("/api/serverstatus/system-info").json();
        assertThat(info.get("ServerNode").asText()).isEqualTo("informed");
        assertThat(info.get("OSVersion").asText()).startsWith(System.getProperty("os.name"));
        assertThat(info.get("Version").asText()).isEqualTo(api.withKey(null).get("/api").json().get("Version").asText());
        String viewer = api.post("/api/apikeys", "{\"Purpose\":\"looker\",\"Role\":\"Viewer\"}").json().get("ApiKey").asText();
        assertThat(api.withKey(viewer).get("/api/serverstatus/system-info").status()).isEqualTo(403);
        assertThat(api.withKey(viewer).get("/api/serverstatus").json().get("Links").get("SystemInfo").asText())
                .isEqualTo("/api/serverstatus/system-info");
    }
}
