package io.octopusha.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.octopusha.node.OctopusNode;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.Tasks;
import io.octopusha.node.testing.TestCluster;
import io.octopusha.node.testing.Uploads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.octopusha.node.db.schema.Tables.SPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What customers' automation does with Octopus's API (its sample scripts and its clients), through real HTTP against
 * real nodes: follow links rather than build paths, page with Page.Next, PUT back whole resources.
 */
class CustomerAutomationTest {
    private TestCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    private static List<JsonNode> items(JsonNode collection) {
        List<JsonNode> items = new ArrayList<>();
        collection.get("Items").forEach(items::add);
        return items;
    }

    private static void setCap(Api api, String nodeName, int cap) {
        assertThat(api.put("/api/octopusservernodes/OctopusServerNodes-" + nodeName, "{\"MaxConcurrentTasks\":" + cap + "}")
                .status()).isEqualTo(200);
    }

    /** Octopus's drain script: for each other node of the summary, GET its Links.Node, set the flag, PUT it back. */
    @Test
    void drainEveryOtherNodeByFollowingTheSummarysNodeLinks() {
        cluster = new TestCluster();
        OctopusNode self = cluster.start("self");
        OctopusNode other1 = cluster.start("other1");
        OctopusNode other2 = cluster.start("other2");
        Api api = cluster.api(self);

        int drained = 0;
        for (JsonNode entry : api.get("/api/octopusservernodes/summary").json().get("Nodes")) {
            if (entry.get("Name").asText().equals("self")) continue;
            String link = entry.get("Links").get("Node").asText();
            ObjectNode node = (ObjectNode) api.get(link).json();
            node.put("IsInMaintenanceMode", true);
            Api.Response put = api.put(link, node.toString());
            assertThat(put.status()).as(put.body()).isEqualTo(200);
            assertThat(put.json().get("IsInMaintenanceMode").asBoolean()).isTrue();
            assertThat(put.json().get("LastModifiedBy").asText()).isEqualTo("Bootstrap administrator (OCTOPUS_ADMIN_API_KEY)");
            drained++;
        }
        assertThat(drained).isEqualTo(2);
        // Each drained node hears of it by itself: its own ping, from memory, says so.
        for (OctopusNode node : List.of(other1, other2)) {
            await().atMost(Duration.ofSeconds(2)).until(() -> cluster.api(node).withKey(null).get("/api/octopusservernodes/ping").status() == 418);
        }
        assertThat(api.withKey(null).get("/api/octopusservernodes/ping").status()).isEqualTo(200);
        for (JsonNode entry : api.get("/api/octopusservernodes/summary").json().get("Nodes")) {
            assertThat(entry.get("Status").asText()).as(entry.get("Name").asText())
                    .isEqualTo(entry.get("Name").asText().equals("self") ? "Running" : "Drained");
        }
        // Draining the last one too: the cluster's health says no node takes tasks (418), anonymously.
        String selfLink = api.get("/api/octopusservernodes/summary").json().get("Nodes").findValues("Links").stream()
                .map(l -> l.get("Node").asText()).filter(l -> l.endsWith("-self")).findFirst().orElseThrow();
        assertThat(api.put(selfLink, "{\"IsInMaintenanceMode\":true}").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(3)).until(() -> api.withKey(null).get("/api/serverstatus/health").status() == 418);
        JsonNode health = api.withKey(null).get("/api/serverstatus/health").json();
        assertThat(health.get("IsEntireClusterDrainingTasks").asBoolean()).isTrue();
        assertThat(health.get("IsOperatingNormally").asBoolean()).isFalse();
    }

    /** A script that cancels everything waiting: list states=Queued, POST each task's Cancel link, until none is left. */
    @Test
    void cancelEveryQueuedTaskFoundWithStatesQueued() {
        cluster = new TestCluster();
        Api api = cluster.api(cluster.start("parked", Map.of("OCTOPUS_TASK_CAP", "0")));
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 45; i++) created.add(Tasks.delay(api, 0));

        Set<String> canceled = new HashSet<>();
        for (int round = 0; round < 10; round++) {
            JsonNode queued = api.get("/api/tasks?states=Queued").json();
            if (queued.get("TotalResults").asInt() == 0) break;
            for (JsonNode task : items(queued)) {
                Api.Response cancel = api.post(task.get("Links").get("Cancel").asText(), null);
                assertThat(cancel.status()).isEqualTo(200);
                assertThat(cancel.json().get("State").asText()).isEqualTo("Canceled");
                canceled.add(task.get("Id").asText());
            }
        }
        assertThat(canceled).isEqualTo(created);
        JsonNode after = api.get("/api/tasks?take=0").json();
        assertThat(after.get("TotalCounts").get("Queued").asInt()).isZero();
        assertThat(after.get("TotalCounts").get("Canceled").asInt()).isEqualTo(45);
    }

    /** The .NET client's Paginate: follow Page.Next from states=Executing&spaces=all until there is none. */
    @Test
    void pageThroughExecutingTasksOfAllSpaces() {
        cluster = new TestCluster();
        OctopusNode node = cluster.start("busy", Map.of("OCTOPUS_TASK_CAP", "40"));
        Api api = cluster.api(node);
        cluster.dsl().insertInto(SPACE).set(SPACE.ID, "Spaces-2").set(SPACE.NAME, "Second").execute();
        Set<String> executing = new HashSet<>();
        for (int i = 0; i < 25; i++) executing.add(Tasks.delay(api, 600_000));
        for (int i = 0; i < 10; i++) {
            Api.Response created = api.post("/api/Spaces-2/tasks", "{\"Name\":\"Delay\",\"Arguments\":{\"Milliseconds\":600000}}");
            assertThat(created.status()).isEqualTo(201);
            executing.add(created.json().get("Id").asText());
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> api.get("/api/tasks?states=Executing&spaces=all&take=0").json().get("TotalResults").asInt() == 35);

        List<String> seen = new ArrayList<>();
        int pages = 0;
        String next = "/api/tasks?states=Executing&spaces=all&take=10";
        while (next != null) {
            JsonNode page = api.get(next).json();
            pages++;
            assertThat(page.get("TotalResults").asInt()).isEqualTo(35);
            for (JsonNode task : items(page)) {
                assertThat(task.get("State").asText()).isEqualTo("Executing");
                seen.add(task.get("Id").asText());
            }
            next = page.get("Links").has("Page.Next") ? page.get("Links").get("Page.Next").asText() : null;
        }
        assertThat(pages).isEqualTo(4);
        assertThat(seen).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).isEqualTo(executing);
        assertThat(api.get("/api/tasks?states=Executing&spaces=Spaces-2&take=0").json().get("TotalResults").asInt()).isEqualTo(10);
        assertThat(api.get("/api/Spaces-1/tasks?states=Executing&take=0").json().get("TotalResults").asInt()).isEqualTo(25);
        for (String id : executing) assertThat(api.post("/api/tasks/" + id + "/cancel", null).status()).isEqualTo(200);
    }

    /** Re-running a failed task through its Rerun link queues the same work again; an unfinished task cannot be re-run. */
    @Test
    void reRunAFailedTaskThroughItsRerunLink() {
        cluster = new TestCluster();
        OctopusNode node = cluster.start("rerun");
        Api api = cluster.api(node);
        String failed = Tasks.create(api, "AdHocScript", "{\"ScriptBody\":\"echo attempt; exit 3\"}");
        JsonNode task = Tasks.awaitCompleted(api, failed, Duration.ofSeconds(30));
        assertThat(task.get("State").asText()).isEqualTo("Failed");
        assertThat(task.get("CanRerun").asBoolean()).isTrue();

        String operatorKey = api.post("/api/apikeys", "{\"Purpose\":\"rerun operator\",\"Role\":\"Operator\"}").json().get("ApiKey").asText();
        assertThat(api.withKey(operatorKey).post(task.get("Links").get("Rerun").asText(), null).status())
                .as("re-running a script needs what creating one needs").isEqualTo(403);

        Api.Response rerun = api.post(task.get("Links").get("Rerun").asText(), null);
        assertThat(rerun.status()).as(rerun.body()).isEqualTo(200);
        JsonNode again = rerun.json();
        assertThat(again.get("Id").asText()).isNotEqualTo(failed);
        assertThat(again.get("Name").asText()).isEqualTo("AdHocScript");
        assertThat(again.get("Description").asText()).isEqualTo(task.get("Description").asText());
        assertThat(again.get("Arguments")).isEqualTo(task.get("Arguments"));
        JsonNode ran = Tasks.awaitCompleted(api, again.get("Id").asText(), Duration.ofSeconds(30));
        assertThat(ran.get("State").asText()).isEqualTo("Failed");
        assertThat(api.get("/api/tasks/" + again.get("Id").asText() + "/raw").body()).contains("attempt");
        JsonNode events = api.get("/api/events?regarding=" + failed).json();
        assertThat(events.get("Items").get(0).get("Message").asText()).contains("Re-ran task " + failed + " as " + again.get("Id").asText());

        String longRunning = Tasks.delay(api, 600_000);
        Tasks.awaitState(api, longRunning, "Executing", Duration.ofSeconds(30));
        Api.Response refused = api.post("/api/tasks/rerun/" + longRunning, null);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("ErrorMessage").asText()).startsWith("This task cannot be re-run");
        assertThat(api.post("/api/tasks/" + longRunning + "/cancel", null).status()).isEqualTo(200);
    }

    /** Octopus's push with the legacy replace=false and the file under fileData; downloaded from another node. */
    @Test
    void pushAPackageWithReplaceFalseAndAFileDataPart() {
        cluster = new TestCluster();
        Api first = cluster.api(cluster.start("push-1"));
        Api second = cluster.api(cluster.start("push-2"));
        Uploads.Content content = new Uploads.Content(3 * 1024 * 1024 + 17, 42);
        Api.Response pushed = Uploads.upload(first.baseUrl(), "/api/Spaces-1/packages/raw?replace=false", "fileData",
                "Acme.Web.3.1.4.nupkg", content);
        assertThat(pushed.status()).as(pushed.body()).isEqualTo(201);
        assertThat(pushed.json().get("PackageId").asText()).isEqualTo("Acme.Web");
        assertThat(pushed.json().get("Hash").asText()).isEqualTo(content.sha256());
        Api.Response again = Uploads.upload(second.baseUrl(), "/api/Spaces-1/packages/raw?replace=false", "fileData",
                "Acme.Web.3.1.4.nupkg", content);
        assertThat(again.status()).isEqualTo(409);
        String[] download = Uploads.download(second.baseUrl(), pushed.json().get("Links").get("Raw").asText());
        assertThat(download[0]).isEqualTo("200");
        assertThat(download[1]).isEqualTo(content.sha256());
        JsonNode listed = second.get("/api/Spaces-1/packages?nuGetPackageId=Acme.Web&latest=true").json();
        assertThat(listed.get("Items").get(0).get("Version").asText()).isEqualTo("3.1.4");
    }

    /** Octopus's scripts attach a file to a task: POST the artifact, then PUT its content (raw, and multipart). */
    @Test
    void uploadAnArtifactWithPostThenPutContent() {
        cluster = new TestCluster();
        Api first = cluster.api(cluster.start("artifacts-1"));
        Api second = cluster.api(cluster.start("artifacts-2"));
        String task = Tasks.delay(first, 0);
        Tasks.awaitCompleted(first, task, Duration.ofSeconds(30));

        Api.Response created = first.post("/api/Spaces-1/artifacts", "{\"Filename\":\"results.bin\",\"ServerTaskId\":\"" + task + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode artifact = created.json();
        assertThat(artifact.get("ServerTaskId").asText()).isEqualTo(task);
        String content = artifact.get("Links").get("Content").asText();
        assertThat(first.get(content).status()).as("no content yet").isEqualTo(404);

        byte[] bytes = new byte[2 * 1024 * 1024 + 3];
        new Random(7).nextBytes(bytes);
        Api.Response put = second.sendBytes("PUT", content, bytes, "application/octet-stream");
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().get("Size").asLong()).isEqualTo(bytes.length);
        String[] download = Uploads.download(first.baseUrl(), content);
        assertThat(download[0]).isEqualTo("200");
        try {
            assertThat(download[1]).isEqualTo(Uploads.sha256Of(new java.io.ByteArrayInputStream(bytes)));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(second.get("/api/Spaces-1/artifacts?regarding=" + task).json().get("Items").get(0).get("Filename").asText())
                .isEqualTo("results.bin");

        byte[] multipart = (new String(Uploads.head("file", "results.bin"), StandardCharsets.UTF_8) + "replaced"
                + new String(Uploads.tail(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        assertThat(first.sendBytes("PUT", content, multipart, "multipart/form-data; boundary=" + Uploads.BOUNDARY).status()).isEqualTo(200);
        assertThat(second.get(content).body()).isEqualTo("replaced");

        assertThat(first.post("/api/Spaces-1/artifacts", "{\"Filename\":\"results.bin\",\"ServerTaskId\":\"" + task + "\"}").status())
                .as("one name per task").isEqualTo(409);
        assertThat(first.post("/api/Spaces-1/artifacts", "{\"Filename\":\"../escape\",\"ServerTaskId\":\"" + task + "\"}").status())
                .isEqualTo(400);
        assertThat(first.post("/api/Spaces-1/artifacts", "{\"Filename\":\"x.txt\",\"ServerTaskId\":\"ServerTasks-99999\"}").status())
                .isEqualTo(400);
        assertThat(second.delete(artifact.get("Links").get("Self").asText()).status()).isEqualTo(204);
        assertThat(first.get(content).status()).isEqualTo(404);
    }

    /** Prioritize moves a queued task to the front of the one FIFO queue: it starts first once a node has room. */
    @Test
    void aPrioritizedTaskStartsBeforeTheTasksQueuedAheadOfIt() {
        cluster = new TestCluster();
        Api api = cluster.api(cluster.start("front", Map.of("OCTOPUS_TASK_CAP", "0")));
        List<String> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) queued.add(Tasks.delay(api, 0));
        String last = queued.getLast();
        JsonNode behind = api.get("/api/tasks/" + last + "/queued-behind").json();
        assertThat(behind.get("TotalResults").asInt()).isEqualTo(4);
        assertThat(api.post("/api/Spaces-1/tasks/" + last + "/prioritize", null).status()).isEqualTo(200);
        assertThat(api.get("/api/tasks/" + last + "/queued-behind").json().get("TotalResults").asInt()).isZero();
        assertThat(api.get("/api/tasks/" + queued.getFirst() + "/queued-behind").json().get("Items").get(0).get("Id").asText())
                .isEqualTo(last);

        setCap(api, "front", 1);
        for (String id : queued) Tasks.awaitCompleted(api, id, Duration.ofSeconds(30));
        OffsetDateTime lastStarted = OffsetDateTime.parse(Tasks.get(api, last).get("StartTime").asText());
        for (String id : queued.subList(0, 4)) {
            assertThat(OffsetDateTime.parse(Tasks.get(api, id).get("StartTime").asText())).as(id).isAfter(lastStarted);
        }
        Api.Response notQueued = api.post("/api/tasks/" + last + "/prioritize", null);
        assertThat(notQueued.status()).isEqualTo(400);
        assertThat(notQueued.json().get("ErrorMessage").asText()).contains("Only a queued task");
    }

    /** Marking a finished task's state, as Octopus's ModifyState does; an unfinished one cannot be marked. */
    @Test
    void aFinishedTaskIsMarkedSuccessFailedOrCanceledWithAReason() {
        cluster = new TestCluster();
        Api api = cluster.api(cluster.start("marks"));
        String task = Tasks.create(api, "AdHocScript", "{\"ScriptBody\":\"exit 1\"}");
        Tasks.awaitCompleted(api, task, Duration.ofSeconds(30));
        Api.Response marked = api.post("/api/Spaces-1/tasks/" + task + "/state", "{\"state\":\"Success\",\"reason\":\"fixed by hand\"}");
        assertThat(marked.status()).as(marked.body()).isEqualTo(200);
        assertThat(marked.json().get("State").asText()).isEqualTo("Success");
        assertThat(marked.json().get("FinishedSuccessfully").asBoolean()).isTrue();
        assertThat(api.get("/api/tasks/" + task + "/raw").body()).contains("State changed from Failed to Success", "fixed by hand");
        assertThat(api.post("/api/tasks/" + task + "/state", "{\"State\":\"Canceled\",\"Reason\":\"not wanted\"}").json()
                .get("ErrorMessage").asText()).isEqualTo("not wanted");
        assertThat(api.post("/api/tasks/" + task + "/state", "{\"state\":\"Executing\",\"reason\":\"x\"}").status()).isEqualTo(400);
        assertThat(api.post("/api/tasks/" + task + "/state", "{\"state\":\"Success\"}").status()).as("a reason is required").isEqualTo(400);
        String running = Tasks.delay(api, 600_000);
        Tasks.awaitState(api, running, "Executing", Duration.ofSeconds(30));
        assertThat(api.post("/api/tasks/" + running + "/state", "{\"state\":\"Failed\",\"reason\":\"x\"}").status()).isEqualTo(400);
        assertThat(Tasks.state(api, running)).isEqualTo("Executing");
        api.post("/api/tasks/" + running + "/cancel", null);
    }
}
