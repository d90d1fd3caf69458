package io.octopusha.node.queue;

import io.octopusha.node.OctopusNode;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.TestCluster;
import io.octopusha.node.testing.Tasks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static io.octopusha.node.db.schema.Tables.SERVER_TASK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The shared FIFO queue across three nodes with different caps, through the real API and database. */
class QueueTest {
    private TestCluster cluster;
    private OctopusNode two, three, zero;
    private Api api;

    @BeforeEach
    void start() {
        cluster = new TestCluster();
        two = cluster.start("cap2", Map.of("OCTOPUS_TASK_CAP", "2"));
        three = cluster.start("cap3", Map.of("OCTOPUS_TASK_CAP", "3"));
        zero = cluster.start("cap0", Map.of("OCTOPUS_TASK_CAP", "0"));
        api = cluster.api(zero);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void fortyTasksRespectEveryCapAndStartInQueueOrder() {
        Map<String, Integer> maxRunning = new ConcurrentHashMap<>();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> {
            for (OctopusNode node : List.of(two, three, zero)) {
                maxRunning.merge(node.localNode().name(), node.processor().runningCount(), Math::max);
            }
            cluster.dsl().select(SERVER_TASK.SERVER_NODE, org.jooq.impl.DSL.count()).from(SERVER_TASK)
                    .where(SERVER_TASK.STATE.in("Executing", "Cancelling")).groupBy(SERVER_TASK.SERVER_NODE)
                    .fetch().forEach(r -> maxRunning.merge("db:" + r.value1(), r.value2(), Math::max));
        }, 0, 5, TimeUnit.MILLISECONDS);

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) ids.add(Tasks.delay(api, 50 + (i * 37) % 150));
        try {
            for (String id : ids) assertThat(Tasks.awaitCompleted(api, id, Duration.ofSeconds(30)).get("State").asText()).isEqualTo("Success");
        } finally {
            sampler.shutdownNow();
        }

        assertThat(maxRunning.get("cap2")).isEqualTo(2);
        assertThat(maxRunning.get("cap3")).isEqualTo(3);
        assertThat(maxRunning.get("cap0")).isZero();
        assertThat(maxRunning.getOrDefault("db:OctopusServerNodes-cap2", 0)).isLessThanOrEqualTo(2);
        assertThat(maxRunning.getOrDefault("db:OctopusServerNodes-cap3", 0)).isLessThanOrEqualTo(3);
        assertThat(maxRunning).doesNotContainKey("db:OctopusServerNodes-cap0");

        var rows = cluster.dsl().selectFrom(SERVER_TASK).orderBy(SERVER_TASK.NUMBER).fetch();
        assertThat(rows).extracting(r -> r.getServerNode()).doesNotContain("OctopusServerNodes-cap0")
                .contains("OctopusServerNodes-cap2", "OctopusServerNodes-cap3");
        OffsetDateTime previous = OffsetDateTime.MIN;
        for (var row : rows) {
            assertThat(row.getStartTime()).as("start of task %d follows queue order", row.getNumber()).isAfterOrEqualTo(previous);
            previous = row.getStartTime();
        }
        assertThat(Tasks.startsPerTask(cluster.dsl()).values()).hasSize(40).containsOnly(1);
    }

    @Test
    void aLoweredCapStartsNothingUntilBelowItAndARaisedCapClaimsAtOnce() {
        cluster.api(two).put("/api/octopusservernodes/OctopusServerNodes-cap3", "{\"MaxConcurrentTasks\":0}");
        await().until(() -> three.localNode().settings().maxConcurrentTasks() == 0);
        List<String> long1 = List.of(Tasks.delay(api, 1500), Tasks.delay(api, 1500));
        await().atMost(Duration.ofSeconds(2)).until(() -> two.processor().runningCount() == 2);
        String waiting = Tasks.delay(api, 10);

        cluster.api(two).put("/api/octopusservernodes/OctopusServerNodes-cap2", "{\"MaxConcurrentTasks\":1}");
        await().until(() -> two.localNode().settings().maxConcurrentTasks() == 1);
        // Both long tasks finish; the waiting one may start only once cap2 runs fewer than 1.
        for (String id : long1) Tasks.awaitCompleted(api, id, Duration.ofSeconds(5));
        var waitingTask = Tasks.awaitCompleted(api, waiting, Duration.ofSeconds(5));
        var lastLong = long1.stream().map(id -> Tasks.get(api, id).get("CompletedTime").asText()).max(String::compareTo).orElseThrow();
        assertThat(waitingTask.get("StartTime").asText()).isGreaterThanOrEqualTo(lastLong);

        // Finished before the cap drops: whether the cap change or the queued signal reached cap2 first is a race.
        Tasks.awaitCompleted(api, Tasks.delay(api, 10), Duration.ofSeconds(5));
        cluster.api(two).put("/api/octopusservernodes/OctopusServerNodes-cap2", "{\"MaxConcurrentTasks\":0}");
        await().until(() -> two.localNode().settings().maxConcurrentTasks() == 0);
        String held = Tasks.delay(api, 10);
        assertThat(Tasks.state(api, held)).isEqualTo("Queued");
        cluster.api(two).put("/api/octopusservernodes/OctopusServerNodes-cap3", "{\"MaxConcurrentTasks\":3}");
        assertThat(Tasks.awaitState(api, held, "Success", Duration.ofSeconds(1)).get("ServerNode").asText()).isEqualTo("cap3");
    }

    @Test
    void drainMidRunLetsRunningTasksFinishAndStartsNothingNew() {
        cluster.api(two).put("/api/octopusservernodes/OctopusServerNodes-cap3", "{\"MaxConcurrentTasks\":0}");
        await().until(() -> three.localNode().settings().maxConcurrentTasks() == 0);
        String running = Tasks.delay(api, 1000);
        Tasks.awaitState(api, running, "Executing", Duration.ofSeconds(2));

        cluster.api(zero).put("/api/octopusservernodes/OctopusServerNodes-cap2", "{\"IsInMaintenanceMode\":true}");
        await().atMost(Duration.ofSeconds(1)).until(() -> two.localNode().draining());
        String held = Tasks.delay(api, 10);
        assertThat(summaryStatus("cap2")).isEqualTo("Draining");
        assertThat(Tasks.awaitCompleted(api, running, Duration.ofSeconds(5)).get("State").asText()).isEqualTo("Success");
        assertThat(summaryStatus("cap2")).isEqualTo("Drained");
        assertThat(Tasks.state(api, held)).isEqualTo("Queued");

        cluster.api(zero).put("/api/octopusservernodes/OctopusServerNodes-cap2", "{\"IsInMaintenanceMode\":false}");
        Tasks.awaitState(api, held, "Success", Duration.ofSeconds(2));
    }

    /**
     * A task's queue time is the start of the transaction that queued it, so a task whose enqueue commits late sits
     * behind tasks the nodes have claimed since, before the point their claims read the queue from. Each node still
     * reads the whole queue at least once a second.
     */
    @Test
    void aTaskWhoseEnqueueCommittedLongAfterItsQueueTimeStillStarts() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) ids.add(Tasks.delay(api, 100));
        for (String id : ids) Tasks.awaitState(api, id, "Success", Duration.ofSeconds(10));
        assertThat(cluster.dsl().selectDistinct(SERVER_TASK.SERVER_NODE).from(SERVER_TASK).fetch(SERVER_TASK.SERVER_NODE))
                .as("both nodes that claim have claimed").containsExactlyInAnyOrder("OctopusServerNodes-cap2", "OctopusServerNodes-cap3");

        long late = cluster.dsl().resultQuery("INSERT INTO server_task (space_id, name, arguments, state, queue_time, queue_time_expiry) "
                + "VALUES ('Spaces-1', 'Delay', '{\"Milliseconds\":0}', 'Queued', now() - interval '1 hour', now() + interval '1 day') "
                + "RETURNING number").fetchSingle(0, Long.class);
        cluster.dsl().execute("NOTIFY " + QueueSignal.CHANNEL);

        Tasks.awaitState(api, "ServerTasks-" + late, "Success", Duration.ofSeconds(5));
    }

    @Test
    void aTaskStillQueuedAtItsExpiryTimesOut() {
        cluster.api(two).put("/api/octopusservernodes/OctopusServerNodes-cap2", "{\"MaxConcurrentTasks\":0}");
        cluster.api(two).put("/api/octopusservernodes/OctopusServerNodes-cap3", "{\"MaxConcurrentTasks\":0}");
        await().until(() -> two.localNode().settings().maxConcurrentTasks() == 0 && three.localNode().settings().maxConcurrentTasks() == 0);
        String expiry = OffsetDateTime.now().plusSeconds(1).toString();
        var created = api.post("/api/tasks", "{\"Name\":\"Delay\",\"Arguments\":{\"Milliseconds\":1},\"QueueTimeExpiry\":\"" + expiry + "\"}");
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().get("Id").asText();
        var timedOut = Tasks.awaitState(api, id, "TimedOut", Duration.ofSeconds(4));
        assertThat(timedOut.get("ErrorMessage").asText()).contains("QueueTimeExpiry");
        assertThat(timedOut.get("StartTime").isNull()).isTrue();
    }

    @Test
    void recurringTasksRunOncePerSlotWithNoLeader() {
        try (TestCluster recurring = new TestCluster()) {
            Map<String, String> fast = Map.of("OCTOPUS_HEALTH_CHECK_INTERVAL", "PT0.5S");
            recurring.start("r1", fast);
            recurring.start("r2", fast);
            recurring.start("r3", fast);
            await().atMost(Duration.ofSeconds(10)).until(() -> healthRuns(recurring).size() >= 6);
            List<String> slots = healthRuns(recurring);
            assertThat(slots).doesNotHaveDuplicates();
        }
    }

    private static List<String> healthRuns(TestCluster c) {
        return c.dsl().select(SERVER_TASK.DESCRIPTION).from(SERVER_TASK).where(SERVER_TASK.NAME.eq("Health"))
                .fetch(SERVER_TASK.DESCRIPTION);
    }

    private String summaryStatus(String name) {
        for (var n : api.get("/api/octopusservernodes/summary").json().get("Nodes")) {
            if (n.get("Name").asText().equals(name)) return n.get("Status").asText();
        }
        throw new AssertionError("no node " + name);
    }
}
