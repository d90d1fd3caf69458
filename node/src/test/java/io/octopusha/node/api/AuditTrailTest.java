package io.octopusha.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.octopusha.node.OctopusNode;
import io.octopusha.node.cluster.NodeRegistry;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.Tasks;
import io.octopusha.node.testing.TestCluster;
import io.octopusha.node.testing.Uploads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** Every change made through the API is in the audit trail, with who, when, from where and through which node. */
class AuditTrailTest {
    private static TestCluster cluster;
    private static OctopusNode first;
    private static Api admin, viaSecond, operator;
    private static String operatorKeyId;
    private static String operatorKey;

    @BeforeAll
    static void start() {
        cluster = new TestCluster();
        first = cluster.start("audit-1");
        admin = cluster.api(first);
        viaSecond = cluster.api(cluster.start("audit-2", Map.of("OCTOPUS_TASK_CAP", "0")));
        JsonNode created = admin.post("/api/apikeys", "{\"Purpose\":\"night shift\",\"Role\":\"Operator\"}").json();
        operatorKeyId = created.get("Id").asText();
        operatorKey = created.get("ApiKey").asText();
        operator = viaSecond.withKey(operatorKey);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void drainAndCapChangesAreRecordedWithWhoWhenWhereAndWhichNodeAndShownOnTheNode() {
        String nodeId = first.localNode().id();
        OffsetDateTime before = OffsetDateTime.now().minusSeconds(1);
        assertThat(operator.put("/api/octopusservernodes/" + nodeId, "{\"IsInMaintenanceMode\":true,\"MaxConcurrentTasks\":3}").status()).isEqualTo(200);
        assertThat(operator.put("/api/octopusservernodes/" + nodeId, "{\"IsInMaintenanceMode\":false}").status()).isEqualTo(200);
        // Not a change: nothing to record.
        assertThat(operator.put("/api/octopusservernodes/" + nodeId, "{\"IsInMaintenanceMode\":false}").status()).isEqualTo(200);

        JsonNode events = admin.get("/api/events?regarding=" + nodeId).json();
        assertThat(events.get("ItemType").asText()).isEqualTo("Event");
        assertThat(events.get("TotalResults").asInt()).isEqualTo(2);
        JsonNode latest = events.get("Items").get(0);
        assertThat(latest.get("Id").asText()).matches("Events-\\d+");
        assertThat(latest.get("Category").asText()).isEqualTo("Modified");
        assertThat(latest.get("Message").asText()).isEqualTo("Undrained node audit-1");
        assertThat(events.get("Items").get(1).get("Message").asText())
                .isEqualTo("Drained node audit-1; Changed the task cap of node audit-1 from 5 to 3");
        assertThat(latest.get("Username").asText()).isEqualTo("night shift");
        assertThat(latest.get("UserId").asText()).isEqualTo(operatorKeyId);
        assertThat(latest.get("IdentityEstablishedWith").asText()).isEqualTo("API key");
        assertThat(latest.get("IpAddress").asText()).isEqualTo("127.0.0.1");
        assertThat(latest.get("ServerNode").asText()).as("the node that served the change").isEqualTo("audit-2");
        assertThat(ids(latest.get("RelatedDocumentIds"))).containsExactly(nodeId);
        OffsetDateTime occurred = OffsetDateTime.parse(latest.get("Occurred").asText());
        assertThat(occurred).isBetween(before, OffsetDateTime.now().plusSeconds(1));
        assertThat(admin.get(latest.get("Links").get("Self").asText()).json().get("Message").asText()).isEqualTo("Undrained node audit-1");

        JsonNode node = admin.get("/api/octopusservernodes/" + nodeId).json();
        assertThat(node.get("LastModifiedBy").asText()).isEqualTo("night shift");
        assertThat(OffsetDateTime.parse(node.get("LastModifiedOn").asText())).isBetween(before, OffsetDateTime.now().plusSeconds(1));
        JsonNode summary = StreamSupport.stream(admin.get("/api/octopusservernodes/summary").json().get("Nodes").spliterator(), false)
                .filter(n -> n.get("Id").asText().equals(nodeId)).findFirst().orElseThrow();
        assertThat(summary.get("LastModifiedBy").asText()).isEqualTo("night shift");
        assertThat(admin.get("/api/octopusservernodes/OctopusServerNodes-audit-2").json().get("LastModifiedOn").isNull()).isTrue();
        admin.put("/api/octopusservernodes/" + nodeId, "{\"MaxConcurrentTasks\":5}");
    }

    @Test
    void tasksPackagesKeysAndNodeDeletionsAreRecordedAndTheKeyItselfNever() throws Exception {
        String task = Tasks.delay(operator, 60_000);
        Tasks.awaitState(operator, task, "Executing", Duration.ofSeconds(5));
        assertThat(operator.post("/api/tasks/" + task + "/cancel", "").status()).isEqualTo(200);
        assertThat(operator.post("/api/tasks/" + task + "/cancel", "").status()).as("again: no second event").isEqualTo(200);

        assertThat(Uploads.upload(admin.baseUrl(), "/api/Spaces-1/packages/raw", "file", "Audited.1.0.0.zip",
                new Uploads.Content(1000, 7)).status()).isEqualTo(201);
        assertThat(admin.delete("/api/Spaces-1/packages/packages-Audited.1.0.0").status()).isEqualTo(204);

        JsonNode key = admin.post("/api/apikeys", "{\"Purpose\":\"short lived\",\"Role\":\"Viewer\"}").json();
        String keyId = key.get("Id").asText();
        assertThat(admin.delete("/api/apikeys/" + keyId).status()).isEqualTo(204);

        NodeRegistry registry = new NodeRegistry(cluster.dsl());
        registry.register("OctopusServerNodes-gone", "gone", 1, Duration.ofMillis(1), "test", OptionalInt.empty());
        registry.markStopped("OctopusServerNodes-gone");
        assertThat(admin.delete("/api/octopusservernodes/OctopusServerNodes-gone").status()).isEqualTo(204);

        assertThat(messages(task)).containsExactly(
                "Canceled task " + task + ", which was running (Delay: Delay)",
                "Queued task " + task + " (Delay: Delay)");
        assertThat(admin.get("/api/events?regarding=" + task).json().get("Items").get(0).get("Category").asText()).isEqualTo("Canceled");
        assertThat(messages("packages-Audited.1.0.0")).hasSize(2).satisfiesExactly(
                deleted -> assertThat(deleted).isEqualTo("Deleted package packages-Audited.1.0.0 from Spaces-1"),
                uploaded -> assertThat(uploaded).startsWith("Uploaded package Audited.1.0.0.zip (1000 bytes, SHA-256 "));
        assertThat(messages(keyId)).containsExactly("Revoked API key " + keyId + " (short lived, role Viewer)",
                "Created API key " + keyId + " (short lived, role Viewer)");
        assertThat(messages("OctopusServerNodes-gone")).containsExactly("Deleted node OctopusServerNodes-gone");
        assertThat(admin.get("/api/events?take=1000").body()).doesNotContain(key.get("ApiKey").asText(), operatorKey,
                TestCluster.ADMIN_KEY);
    }

    @Test
    void anAddressThatReachesTheInvalidKeyLimitIsRecordedOnce() {
        Api limited = cluster.api(cluster.start("audit-limited", Map.of("OCTOPUS_AUTH_FAILURE_LIMIT", "3")))
                .fromAddress("127.0.0.9");
        for (int i = 0; i < 5; i++) limited.withKey("API-WRONG" + i + "000000000000000").get("/api/tasks");
        JsonNode failures = admin.get("/api/events?take=1000").json().get("Items");
        List<JsonNode> fromThere = new ArrayList<>();
        failures.forEach(e -> {
            if (e.get("Category").asText().equals("LoginFailed")) fromThere.add(e);
        });
        assertThat(fromThere).hasSize(1);
        JsonNode event = fromThere.getFirst();
        assertThat(event.get("IpAddress").asText()).isEqualTo("127.0.0.9");
        assertThat(event.get("Username").asText()).isEqualTo("anonymous");
        assertThat(event.get("UserId").isNull()).isTrue();
        assertThat(event.get("ServerNode").asText()).isEqualTo("audit-limited");
        assertThat(event.get("Message").asText()).contains("3 invalid API keys from 127.0.0.9").doesNotContain("API-WRONG");
    }

    @Test
    void eventsArePagedNewestFirstAndFilteredByTime() {
        admin.post("/api/apikeys", "{\"Purpose\":\"paging one\",\"Role\":\"Viewer\"}");
        admin.post("/api/apikeys", "{\"Purpose\":\"paging two\",\"Role\":\"Viewer\"}");
        JsonNode all = admin.get("/api/events").json();
        int total = all.get("TotalResults").asInt();
        assertThat(total).isGreaterThanOrEqualTo(2);
        JsonNode page = admin.get("/api/events?skip=1&take=1").json();
        assertThat(page.get("ItemsPerPage").asInt()).isEqualTo(1);
        assertThat(page.get("TotalResults").asInt()).isEqualTo(total);
        assertThat(page.get("Items").get(0).get("Id").asText()).isEqualTo(all.get("Items").get(1).get("Id").asText());
        List<OffsetDateTime> times = new ArrayList<>();
        all.get("Items").forEach(e -> times.add(OffsetDateTime.parse(e.get("Occurred").asText())));
        assertThat(times).isSortedAccordingTo((a, b) -> b.compareTo(a));

        String newest = all.get("Items").get(0).get("Occurred").asText();
        assertThat(admin.get("/api/events?from=" + newest.replace("+", "%2B")).json().get("TotalResults").asInt()).isPositive();
        assertThat(admin.get("/api/events?to=2000-01-01").json().get("TotalResults").asInt()).isZero();
        assertThat(admin.get("/api/events?from=2000-01-01&to=2999-12-31T00:00:00Z").json().get("TotalResults").asInt()).isEqualTo(total);
        for (String bad : List.of("from=yesterday", "to=2030-13-01", "from=2030-01-01&to=2020-01-01", "from=%2B100000-01-01T00:00:00Z")) {
            Api.Response response = admin.get("/api/events?" + bad);
            assertThat(response.status()).as(bad).isEqualTo(400);
            assertThat(response.json().get("ErrorMessage").asText()).as(bad).isNotBlank();
        }
        assertThat(admin.get("/api/events/Events-999999999").status()).isEqualTo(404);
        assertThat(admin.get("/api/events/nonsense").status()).isEqualTo(404);
    }

    private static List<String> messages(String regarding) {
        List<String> messages = new ArrayList<>();
        admin.get("/api/events?regarding=" + regarding).json().get("Items").forEach(e -> messages.add(e.get("Message").asText()));
        return messages;
    }

    private static List<String> ids(JsonNode array) {
        List<String> ids = new ArrayList<>();
        array.forEach(x -> ids.add(x.asText()));
        return ids;
    }
}
