package io.octopusha.node.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import io.octopusha.node.OctopusNode;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.TestCluster;
import io.octopusha.node.testing.Tasks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.octopusha.node.db.schema.Tables.SERVER_TASK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Task types, logs, cancel and bad input through the API of two nodes: one runs tasks, the other only serves. */
class TaskExecutionTest {
    private static TestCluster cluster;
    private static Api worker, other;

    @BeforeAll
    static void start() {
        cluster = new TestCluster();
        OctopusNode w = cluster.start("worker");
        OctopusNode o = cluster.start("other", Map.of("OCTOPUS_TASK_CAP", "0"));
        worker = cluster.api(w);
        other = cluster.api(o);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void scriptOutputIsReadableFromAnotherNodeWhileTheScriptRuns() throws Exception {
        Path gate = cluster.scriptExchange().resolve("gate-" + System.nanoTime());
        String id = Tasks.script(other, "echo first line; echo to stderr >&2; while [ ! -e '" + gate + "' ]; do sleep 0.05; done; echo last line");
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> other.get("/api/tasks/" + id + "/raw").body().contains("to stderr"));
            assertThat(Tasks.state(other, id)).isEqualTo("Executing");
            String raw = other.get("/api/tasks/" + id + "/raw").body();
            assertThat(raw).contains("Info first line").contains("Error to stderr").doesNotContain("last line");

            JsonNode details = other.get("/api/tasks/" + id + "/details?tail=1").json();
            JsonNode activity = details.get("ActivityLogs").get(0);
            assertThat(activity.get("Status").asText()).isEqualTo("Running");
            assertThat(activity.get("LogElements")).hasSize(1);
            String lastLine = raw.strip().lines().reduce((first, second) -> second).orElseThrow();
            assertThat(lastLine).endsWith(activity.get("LogElements").get(0).get("MessageText").asText());
        } finally {
            Files.createFile(gate);
        }
        JsonNode done = Tasks.awaitCompleted(other, id, Duration.ofSeconds(5));
        assertThat(done.get("State").asText()).isEqualTo("Success");
        assertThat(done.get("ServerNode").asText()).isEqualTo("worker");
        assertThat(done.get("HasWarningsOrErrors").asBoolean()).isTrue();
        assertThat(other.get("/api/tasks/" + id + "/raw").body()).contains("Info last line");
        assertThat(other.get("/api/tasks/" + id + "/details").json().get("PhysicalLogSize").asLong()).isPositive();
    }

    @Test
    void aScriptsExitCodeDecidesItsStateAndItsTimeoutStopsIt() {
        JsonNode failed = Tasks.awaitCompleted(worker, Tasks.script(worker, "exit 7"), Duration.ofSeconds(5));
        assertThat(failed.get("State").asText()).isEqualTo("Failed");
        assertThat(failed.get("ErrorMessage").asText()).isEqualTo("The script exited with code 7.");

        String slow = Tasks.create(worker, "AdHocScript", "{\"ScriptBody\":\"sleep 30\",\"TimeoutSeconds\":1}");
        JsonNode timedOut = Tasks.awaitCompleted(worker, slow, Duration.ofSeconds(10));
        assertThat(timedOut.get("State").asText()).isEqualTo("Failed");
        assertThat(timedOut.get("ErrorMessage").asText()).contains("did not finish within 1 seconds");
    }

    @Test
    void cancelOfARunningScriptFromAnotherNodeKillsItsChildProcesses() throws Exception {
        Path pidFile = cluster.scriptExchange().resolve("child-" + System.nanoTime());
        String id = Tasks.script(worker, "sleep 300 & echo $! > '" + pidFile + "'; wait");
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
        long childPid = Long.parseLong(Files.readString(pidFile).strip());
        assertThat(ProcessHandle.of(childPid)).isPresent();

        Tasks.awaitState(other, id, "Executing", Duration.ofSeconds(2));
        assertThat(other.post("/api/tasks/" + id + "/cancel", "").json().get("State").asText()).isIn("Cancelling", "Canceled");
        JsonNode canceled = Tasks.awaitState(other, id, "Canceled", Duration.ofSeconds(2));
        assertThat(canceled.get("IsCompleted").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(6)).until(() -> ProcessHandle.of(childPid).map(p -> !p.isAlive()).orElse(true));
    }

    @Test
    void aQueuedTaskIsCanceledAtOnceAndCancelIsIdempotent() {
        worker.put("/api/octopusservernodes/OctopusServerNodes-worker", "{\"IsInMaintenanceMode\":true}");
        try {
            await().until(() -> worker.get("/api/octopusservernodes/ping").status() == 418);
            String id = Tasks.delay(other, 10);
            assertThat(other.post("/api/tasks/" + id + "/cancel", "").json().get("State").asText()).isEqualTo("Canceled");
            assertThat(other.post("/api/tasks/" + id + "/cancel", "").json().get("State").asText()).isEqualTo("Canceled");
            assertThat(Tasks.get(other, id).get("StartTime").isNull()).isTrue();
        } finally {
            worker.put("/api/octopusservernodes/OctopusServerNodes-worker", "{\"IsInMaintenanceMode\":false}");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"Name\":\"NoSuchTask\"}",
            "{\"Arguments\":{}}",
            "{\"Name\":7}",
            "{\"Name\":\"Delay\"}",
            "{\"Name\":\"Delay\",\"Arguments\":{\"Milliseconds\":-1}}",
            "{\"Name\":\"Delay\",\"Arguments\":{\"Milliseconds\":\"10\"}}",
            "{\"Name\":\"Delay\",\"Arguments\":{\"Milliseconds\":10,\"Extra\":1}}",
            "{\"Name\":\"Delay\",\"Arguments\":[1]}",
            "{\"Name\":\"AdHocScript\",\"Arguments\":{}}",
            "{\"Name\":\"AdHocScript\",\"Arguments\":{\"ScriptBody\":\"echo\",\"Syntax\":\"PowerShell\"}}",
            "{\"Name\":\"AdHocScript\",\"Arguments\":{\"ScriptBody\":\"echo\",\"TimeoutSeconds\":0}}",
            "{\"Name\":\"Retention\",\"Arguments\":{\"MaxAgeDays\":-3}}",
            "{\"Name\":\"Delay\",\"Arguments\":{\"Milliseconds\":1},\"QueueTimeExpiry\":\"yesterday\"}",
            "{\"Name\":\"Delay\",\"Arguments\":{\"Milliseconds\":1},\"QueueTimeExpiry\":\"2001-01-01T00:00:00Z\"}",
            "{\"Name\":\"Delay\",\"Arguments\":{\"Milliseconds\":1},\"QueueTimeExpiry\":\"+999999-01-01T00:00:00Z\"}",
            "{\"Name\":\"Delay\",\"Arguments\":{\"Milliseconds\":1},\"SpaceId\":\"Spaces-404\"}",
            "not json"})
    void badTaskCreationIs4xxAndQueuesNothing(String body) {
        int before = cluster.dsl().fetchCount(SERVER_TASK);
        Api.Response response = other.post("/api/tasks", body);
        assertThat(response.status()).as(response.body()).isIn(400, 404);
        assertThat(response.json().get("ErrorMessage").asText()).isNotBlank();
        assertThat(cluster.dsl().fetchCount(SERVER_TASK)).isEqualTo(before);
    }

    @Test
    void tasksAreListedNewestFirstAndFilteredLikeOctopus() {
        String a = Tasks.delay(worker, 1);
        String b = Tasks.delay(worker, 1);
        Tasks.awaitCompleted(worker, b, Duration.ofSeconds(5));
        Tasks.awaitCompleted(worker, a, Duration.ofSeconds(5));
        JsonNode page = other.get("/api/tasks?ids=" + a + "," + b).json();
        assertThat(page.get("TotalResults").asInt()).isEqualTo(2);
        assertThat(page.get("Items").get(0).get("Id").asText()).isEqualTo(b);
        assertThat(other.get("/api/tasks?name=Delay&states=Success&node=worker&take=1000").json().get("Items"))
                .extracting(t -> t.get("Id").asText()).contains(a, b);
        assertThat(other.get("/api/tasks?node=OctopusServerNodes-other").json().get("TotalResults").asInt()).isZero();
        assertThat(other.get("/api/Spaces-1/tasks?ids=" + a).json().get("TotalResults").asInt()).isEqualTo(1);
        assertThat(other.get("/api/Spaces-1/tasks/" + a).status()).isEqualTo(200);
        assertThat(other.get("/api/Spaces-9/tasks").status()).isEqualTo(404);
        assertThat(other.get("/api/tasks?states=Nonsense").status()).isEqualTo(400);
        assertThat(other.get("/api/tasks?active=maybe").status()).isEqualTo(400);
        assertThat(other.get("/api/tasks/ServerTasks-999999").status()).isEqualTo(404);
        assertThat(other.get("/api/tasks/NotATask").status()).isEqualTo(404);
        assertThat(other.get("/api/tasks?active=true").json().get("Items")).noneMatch(t -> t.get("IsCompleted").asBoolean());
    }

    @Test
    void healthIntegrityAndRetentionTasksDoTheirJob() throws Exception {
        assertThat(Tasks.awaitCompleted(other, Tasks.create(other, "Health", "{}"), Duration.ofSeconds(10))
                .get("State").asText()).isEqualTo("Success");
        String old = Tasks.delay(other, 1);
        Tasks.awaitCompleted(other, old, Duration.ofSeconds(5));
        assertThat(Tasks.awaitCompleted(other, Tasks.create(other, "SystemIntegrityCheck", "{}"), Duration.ofSeconds(10))
                .get("State").asText()).isEqualTo("Success");

        Path oldLog = cluster.root().resolve("shared/tasklogs/" + old + ".log");
        assertThat(oldLog).exists();
        Files.delete(oldLog);
        JsonNode integrity = Tasks.awaitCompleted(other, Tasks.create(other, "SystemIntegrityCheck", "{}"), Duration.ofSeconds(10));
        assertThat(integrity.get("State").asText()).isEqualTo("Failed");
        assertThat(other.get("/api/tasks/" + integrity.get("Id").asText() + "/raw").body()).contains("The log of " + old + " is missing");

        String kept = Tasks.delay(other, 1);
        Tasks.awaitCompleted(other, kept, Duration.ofSeconds(5));
        JsonNode retention = Tasks.awaitCompleted(other, Tasks.create(other, "Retention", "{\"MaxAgeDays\":0}"), Duration.ofSeconds(10));
        assertThat(retention.get("State").asText()).isEqualTo("Success");
        assertThat(other.get("/api/tasks/" + old).status()).isEqualTo(404);
        assertThat(other.get("/api/tasks/" + kept).status()).isEqualTo(404);
        assertThat(cluster.root().resolve("shared/tasklogs/" + kept + ".log")).doesNotExist();
        assertThat(other.get("/api/tasks/" + retention.get("Id").asText()).status()).isEqualTo(200);
    }

    @Test
    void nodeDetailsListRunningTasksAndABusyNodeCannotBeDeleted() {
        String id = Tasks.delay(other, 30_000);
        Tasks.awaitState(other, id, "Executing", Duration.ofSeconds(5));
        try {
            JsonNode details = other.get("/api/octopusservernodes/OctopusServerNodes-worker/details").json();
            assertThat(details.get("RunningTasks")).extracting(t -> t.get("Id").asText()).containsExactly(id);
            var summary = other.get("/api/octopusservernodes/summary").json().get("Nodes");
            assertThat(summary).filteredOn(n -> n.get("Name").asText().equals("worker"))
                    .extracting(n -> n.get("RunningTaskCount").asInt()).containsExactly(1);
            Api.Response delete = other.delete("/api/octopusservernodes/OctopusServerNodes-worker");
            assertThat(delete.status()).isEqualTo(409);
            assertThat(delete.json().get("ErrorMessage").asText()).contains("running tasks");
        } finally {
            other.post("/api/tasks/" + id + "/cancel", "");
            Tasks.awaitState(other, id, "Canceled", Duration.ofSeconds(5));
        }
    }
}
