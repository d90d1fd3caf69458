package io.octopusha.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.octopusha.node.OctopusNode;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The nodes, spaces and root routes through the real API, including what they do with bad input. */
class NodesApiTest {
    private static final String NODE = "/api/octopusservernodes/OctopusServerNodes-api1";
    private static TestCluster cluster;
    private static Api api;

    @BeforeAll
    static void start() {
        cluster = new TestCluster();
        OctopusNode node = cluster.start("api1");
        cluster.start("api2");
        cluster.start("other");
        api = cluster.api(node);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static void assertError(Api.Response response, int status, String messagePart) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        JsonNode body = response.json();
        assertThat(body.get("ErrorMessage").asText()).contains(messagePart);
        assertThat(body.get("Errors").isArray()).isTrue();
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"MaxConcurrentTasks\":", "not json", "[1,2]", "\"text\"", "",
            "{\"MaxConcurrentTasks\":1,\"MaxConcurrentTasks\":2}"})
    void malformedBodiesAre400(String body) {
        assertError(api.put(NODE, body), 400, "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "1001", "1.5", "\"5\"", "true", "99999999999999999999", "{}"})
    void capsOutsideTheRangeOrOfTheWrongTypeAre400(String cap) {
        assertError(api.put(NODE, "{\"MaxConcurrentTasks\":" + cap + "}"), 400, "MaxConcurrentTasks");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"true\"", "1", "[]"})
    void maintenanceModeMustBeABoolean(String value) {
        assertError(api.put(NODE, "{\"IsInMaintenanceMode\":" + value + "}"), 400, "IsInMaintenanceMode");
    }

    @Test
    void anEmptyChangeIs400AndAnUnknownNodeIs404() {
        assertError(api.put(NODE, "{}"), 400, "Nothing to change");
        assertError(api.put("/api/octopusservernodes/OctopusServerNodes-nope", "{\"MaxConcurrentTasks\":1}"), 404, "nope");
        assertError(api.delete("/api/octopusservernodes/OctopusServerNodes-nope"), 404, "nope");
        assertError(api.get("/api/octopusservernodes/OctopusServerNodes-nope/details"), 404, "nope");
        assertError(api.get("/api/no/such/route"), 404, "/api/no/such/route");
    }

    @Test
    void aPutAcceptsTheWholeResourceAsOctopusClientsSendIt() {
        JsonNode resource = api.get(NODE).json();
        String edited = resource.toString().replace("\"MaxConcurrentTasks\":" + resource.get("MaxConcurrentTasks").asInt(),
                "\"MaxConcurrentTasks\":4");
        Api.Response response = api.put(NODE, edited);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("MaxConcurrentTasks").asInt()).isEqualTo(4);
        assertThat(response.json().get("Links").get("Self").asText()).isEqualTo(NODE);
    }

    @Test
    void collectionsPageAndFilterLikeOctopus() {
        JsonNode all = api.get("/api/octopusservernodes?take=1000000000000").json();
        assertThat(all.get("ItemType").asText()).isEqualTo("OctopusServerNode");
        assertThat(all.get("TotalResults").asInt()).isEqualTo(3);
        assertThat(all.get("Items")).hasSize(3);

        JsonNode page = api.get("/api/octopusservernodes?skip=1&take=1").json();
        assertThat(page.get("Items")).hasSize(1);
        assertThat(page.get("ItemsPerPage").asInt()).isEqualTo(1);
        assertThat(page.get("NumberOfPages").asInt()).isEqualTo(3);
        assertThat(page.get("LastPageNumber").asInt()).isEqualTo(2);
        assertThat(page.get("Items").get(0).get("Name").asText()).isEqualTo("api2");

        assertThat(api.get("/api/octopusservernodes?take=0").json().get("Items")).isEmpty();
        assertThat(api.get("/api/octopusservernodes?partialName=API").json().get("TotalResults").asInt()).isEqualTo(2);
        assertThat(api.get("/api/octopusservernodes?ids=OctopusServerNodes-other,OctopusServerNodes-api2").json()
                .get("TotalResults").asInt()).isEqualTo(2);
        assertThat(api.get("/api/octopusservernodes/all").json()).hasSize(3);

        assertError(api.get("/api/octopusservernodes?take=-1"), 400, "take");
        assertError(api.get("/api/octopusservernodes?skip=abc"), 400, "skip");
    }

    @Test
    void detailsListRunningTasks() {
        JsonNode details = api.get(NODE + "/details").json();
        assertThat(details.get("Id").asText()).isEqualTo("OctopusServerNodes-api1");
        assertThat(details.get("RunningTasks").isArray()).isTrue();
    }

    @Test
    void theRootDocumentAndTheDefaultSpace() {
        JsonNode root = api.withKey(null).get("/api").json();
        assertThat(root.get("Application").asText()).isEqualTo("Octopus Deploy");
        assertThat(root.get("Links").get("OctopusServerNodes").asText()).startsWith("/api/octopusservernodes");
        assertThat(root.get("Links").has("OctopusServerClusterSummary")).isTrue();
        assertThat(root.get("InstallationId").asText()).hasSize(36);

        JsonNode spaces = api.get("/api/spaces").json();
        assertThat(spaces.get("Items").get(0).get("Id").asText()).isEqualTo("Spaces-1");
        assertThat(spaces.get("Items").get(0).get("Name").asText()).isEqualTo("Default");
        assertThat(api.get("/api/spaces/Spaces-1").json().get("IsDefault").asBoolean()).isTrue();
        assertError(api.get("/api/spaces/Spaces-99"), 404, "Spaces-99");
    }

    @Test
    void apiKeyCreationValidatesItsInput() {
        assertError(api.post("/api/apikeys", "{\"Role\":\"Viewer\"}"), 400, "Purpose");
        assertError(api.post("/api/apikeys", "{\"Purpose\":\"x\",\"Role\":\"Anonymous\"}"), 400, "Role");
        assertError(api.post("/api/apikeys", "{\"Purpose\":\"x\",\"Role\":7}"), 400, "Role");
        assertError(api.post("/api/apikeys", "{\"Purpose\":\"" + "x".repeat(201) + "\",\"Role\":\"Viewer\"}"), 400, "Purpose");
        assertError(api.delete("/api/apikeys/APIKeys-999"), 404, "APIKeys-999");
    }

    @Test
    void metricsExposeTheNodeAndItsRequests() {
        api.get("/api/octopusservernodes/summary");
        String metrics = api.get("/metrics").body();
        assertThat(metrics).contains("octopus_node_task_cap ")
                .contains("octopus_node_draining ")
                .contains("octopus_node_heartbeat_lag_seconds ")
                .contains("http_server_requests_seconds_count{method=\"GET\",route=\"/api/octopusservernodes/summary\",status=\"200\"}");
    }
}
