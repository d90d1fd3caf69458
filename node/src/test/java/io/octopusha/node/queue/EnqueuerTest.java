package io.octopusha.node.queue;

import io.octopusha.node.db.Database;
import io.octopusha.node.testing.Tasks;
import io.octopusha.node.testing.TestDatabase;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static io.octopusha.node.db.schema.Tables.SERVER_TASK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Tasks of concurrent requests written together, against a real PostgreSQL. A session holding a lock on the task
 * table stands in for a slow write, so that requests pile up behind it the way they do under load.
 */
class EnqueuerTest {
    private Database database;
    private Enqueuer enqueuer;
    private final AtomicInteger commits = new AtomicInteger();
    private final ExecutorService clients = Executors.newFixedThreadPool(16);
    private Connection blocker;

    @BeforeEach
    void start() throws SQLException {
        database = TestDatabase.migrated("enqueuer-test");
        enqueuer = new Enqueuer(new TaskQueue(database.dsl()), commits::incrementAndGet);
        blocker = database.openDedicatedConnection();
    }

    @AfterEach
    void stop() throws SQLException {
        clients.shutdownNow();
        blocker.close();
        enqueuer.close();
        database.close();
    }

    @Test
    void requestsThatArriveDuringAWriteShareTheNextOneAndEachGetsItsOwnTask() throws Exception {
        blockWrites();
        CompletableFuture<TaskRecord> first = submit(Tasks.zeroDelay("Spaces-1", "first"));
        awaitWriterBlocked();
        List<CompletableFuture<TaskRecord>> rest = new ArrayList<>();
        for (int i = 0; i < 15; i++) rest.add(submit(Tasks.zeroDelay("Spaces-1", "request " + i)));
        await().until(() -> enqueuer.waitingRequests() == 15);
        assertThat(commits.get()).isZero();
        releaseWrites();

        assertThat(first.get().description()).isEqualTo("first");
        for (int i = 0; i < 15; i++) assertThat(rest.get(i).get().description()).isEqualTo("request " + i);
        awaitCommits(2);
        assertThat(database.dsl().fetchCount(SERVER_TASK)).isEqualTo(16);
        assertThat(count("SELECT count(DISTINCT xmin::text) FROM server_task")).as("transactions that wrote the tasks").isEqualTo(2);
    }

    /**
     * With a gap long enough that the test cannot miss it: requests that arrive after a shared write wait for the
     * gap and are written together, while after a write of one task the next request is written at once.
     */
    @Test
    void afterASharedWriteTheNextWaitsForTheGapAndIsSharedAgain() throws Exception {
        enqueuer.close();
        Duration gap = Duration.ofSeconds(2);
        try (Enqueuer gapped = new Enqueuer(new TaskQueue(database.dsl()), commits::incrementAndGet, gap)) {
            enqueuer = gapped;
            blockWrites();
            CompletableFuture<TaskRecord> first = submit(Tasks.zeroDelay("Spaces-1", "alone"));
            awaitWriterBlocked();
            List<CompletableFuture<TaskRecord>> pair = List.of(submit(Tasks.zeroDelay("Spaces-1", "pair 1")),
                    submit(Tasks.zeroDelay("Spaces-1", "pair 2")));
            await().until(() -> gapped.waitingRequests() == 2);
            releaseWrites();
            first.get();
            for (CompletableFuture<TaskRecord> f : pair) f.get();
            awaitCommits(2);

            // The pair's write was shared, so the writer now waits: these pile up instead of being written one by one.
            List<CompletableFuture<TaskRecord>> later = new ArrayList<>();
            for (int i = 0; i < 5; i++) later.add(submit(Tasks.zeroDelay("Spaces-1", "later " + i)));
            await().until(() -> gapped.waitingRequests() == 5);
            List<Long> numbers = new ArrayList<>();
            for (CompletableFuture<TaskRecord> f : later) numbers.add(f.get().number());
            awaitCommits(3);
            assertThat(count("SELECT count(DISTINCT xmin::text) FROM server_task WHERE number IN ("
                    + numbers.stream().map(String::valueOf).collect(Collectors.joining(",")) + ")"))
                    .as("transactions that wrote the five").isEqualTo(1);

            // A write of one task is not followed by a gap: after the gap that the five started, a lone request and
            // then the next each go straight through.
            submit(Tasks.zeroDelay("Spaces-1", "lone")).get();
            long started = System.nanoTime();
            submit(Tasks.zeroDelay("Spaces-1", "next")).get();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(gap.dividedBy(2));
            awaitCommits(5);
        }
    }

    @Test
    void aTaskTheDatabaseRefusesFailsOnlyItsOwnRequest() throws Exception {
        blockWrites();
        CompletableFuture<TaskRecord> first = submit(Tasks.zeroDelay("Spaces-1", "first"));
        awaitWriterBlocked();
        // One at a time, so that they wait in this order.
        CompletableFuture<TaskRecord> before = submit(Tasks.zeroDelay("Spaces-1", "before"));
        await().until(() -> enqueuer.waitingRequests() == 1);
        CompletableFuture<TaskRecord> refused = submit(Tasks.zeroDelay("Spaces-404", "no such space"));
        await().until(() -> enqueuer.waitingRequests() == 2);
        CompletableFuture<TaskRecord> after = submit(Tasks.zeroDelay("Spaces-1", "after"));
        await().until(() -> enqueuer.waitingRequests() == 3);
        releaseWrites();

        assertThat(first.get().description()).isEqualTo("first");
        assertThat(before.get().description()).isEqualTo("before");
        assertThat(after.get().description()).isEqualTo("after");
        assertThatThrownBy(refused::get).hasCauseInstanceOf(DataAccessException.class).hasMessageContaining("space");
        assertThat(database.dsl().select(SERVER_TASK.DESCRIPTION).from(SERVER_TASK).orderBy(SERVER_TASK.NUMBER).fetch(SERVER_TASK.DESCRIPTION))
                .containsExactly("first", "before", "after");
    }

    @Test
    void afterCloseARequestFailsAtOnce() {
        enqueuer.close();
        assertThatThrownBy(() -> enqueuer.enqueue(Tasks.zeroDelay("Spaces-1", "late"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("shutting down");
        assertThat(database.dsl().fetchCount(SERVER_TASK)).isZero();
    }

    private CompletableFuture<TaskRecord> submit(TaskQueue.NewTask task) {
        return CompletableFuture.supplyAsync(() -> enqueuer.enqueue(task), clients);
    }

    private void blockWrites() throws SQLException {
        blocker.setAutoCommit(false);
        try (Statement st = blocker.createStatement()) {
            st.execute("LOCK TABLE server_task IN EXCLUSIVE MODE");
        }
    }

    private void releaseWrites() throws SQLException {
        blocker.commit();
    }

    /** The writer's INSERT is waiting for the lock: every request from now on waits for the next write. */
    private void awaitWriterBlocked() {
        await().until(() -> count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                + "AND query ILIKE 'insert into server_task%'") == 1);
    }

    /** A write's requests are answered before its commit is counted (the signal follows the answers). */
    private void awaitCommits(int expected) {
        await().untilAsserted(() -> assertThat(commits.get()).isEqualTo(expected));
    }

    private int count(String sql) {
        return ((Number) database.dsl().fetchValue(sql)).intValue();
    }
}
