package io.octopusha.node.queue;

import io.octopusha.node.db.Database;
import io.octopusha.node.testing.TestDatabase;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Under a steady stream the queue table runs ahead of its statistics and of vacuum: autovacuum and autoanalyze
 * visit it about once a minute, and by then thousands of queued rows have come and gone and the running-task index
 * holds tens of thousands of dead entries. The claim and the completion must still read only the rows they touch.
 * Autovacuum is off for the table here, so the statistics stay as each case leaves them; PostgreSQL's
 * per-transaction counters tell how many index entries and table rows the statement read.
 */
class StaleStatisticsTest {
    private static final int BACKLOG = 5_000;

    private Database database;
    private DSLContext db;

    @BeforeEach
    void migrate() {
        database = TestDatabase.migrated("stale-statistics-test");
        db = database.dsl();
        db.execute("ALTER TABLE server_task SET (autovacuum_enabled = false)");
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void aClaimReadsTheQueueInOrderAndStopsAtWhatItTakes() {
        // Last analyzed while the queue was drained: the statistics say hardly any task is queued.
        db.execute("INSERT INTO server_task (space_id, name, state, queue_time_expiry, start_time, completed_time, server_node) "
                + "SELECT 'Spaces-1', 'Delay', 'Success', now() + interval '1 day', now(), now(), 'node-a' FROM generate_series(1, 20000)");
        db.execute("ANALYZE server_task");
        List<Long> queued = enqueueBacklog(BACKLOG);

        long read = db.transactionResult(tx -> {
            long before = entriesRead(tx.dsl());
            assertThat(new TaskQueue(tx.dsl()).claim("node-a", 3, null)).extracting(TaskRecord::number)
                    .containsExactlyElementsOf(queued.subList(0, 3));
            return entriesRead(tx.dsl()) - before;
        });

        // Reading the backlog through the expiry index and sorting it would read every queued task's entry.
        assertThat(read).isLessThan(50);
    }

    /**
     * Claimed tasks' entries stay in the queued index until vacuum, ahead of every queued task. A claim from a queue
     * time starts reading the index there; a claim of the whole queue steps over all of them.
     */
    @Test
    void aClaimFromAQueueTimeStartsThereNotAtTheEntriesOfClaimedTasks() {
        TaskQueue queue = new TaskQueue(db);
        enqueueBacklog(BACKLOG);
        List<TaskRecord> claimed = queue.claim("node-a", BACKLOG, null);
        assertThat(claimed).hasSize(BACKLOG);
        List<Long> later = db.resultQuery("INSERT INTO server_task (space_id, name, state, queue_time, queue_time_expiry) "
                        + "SELECT 'Spaces-1', 'Delay', 'Queued', now() + interval '1 second' + g * interval '1 microsecond', now() + interval '1 day' "
                        + "FROM generate_series(1, 2) g RETURNING number")
                .fetch(0, Long.class).stream().sorted().toList();

        long fromQueueTime = queuedIndexBlocksRead(queue, claimed.getLast().queueTime(), later.get(0));
        long wholeQueue = queuedIndexBlocksRead(queue, null, later.get(1));

        assertThat(fromQueueTime).isLessThan(6);
        assertThat(wholeQueue).as("the claim of the whole queue, for comparison").isGreaterThan(4 * fromQueueTime);
    }

    private long queuedIndexBlocksRead(TaskQueue queue, OffsetDateTime queuedFrom, long expected) {
        return db.transactionResult(tx -> {
            String blocks = "SELECT pg_stat_get_xact_blocks_fetched('server_task_queued'::regclass)";
            long before = tx.dsl().resultQuery(blocks).fetchSingle(0, Long.class);
            assertThat(new TaskQueue(tx.dsl()).claim("node-b", 1, queuedFrom)).extracting(TaskRecord::number).containsExactly(expected);
            return tx.dsl().resultQuery(blocks).fetchSingle(0, Long.class) - before;
        });
    }

    /**
     * Both with the plan made for the batch at hand and with the generic plan PostgreSQL may keep once a connection has
     * run the statement a few times, which cannot know how many tasks a batch holds.
     */
    @ParameterizedTest
    @ValueSource(strings = {"auto", "force_generic_plan"})
    void aCompletionFindsItsRowsByNumberNotAmongTheNodesDeadEntries(String planCacheMode) {
        // Last analyzed before this node ran anything; since then it ran and finished the backlog, and each of those
        // tasks left a dead entry in the running-task index.
        db.execute("ANALYZE server_task");
        nodeARanAndFinishedTheBacklog();
        enqueueBacklog(8);
        TaskQueue queue = new TaskQueue(db);
        List<TaskQueue.Completion> finished = queue.claim("node-a", 8, null).stream()
                .map(t -> new TaskQueue.Completion(t.number(), TaskOutcome.success(), false)).toList();

        long read = db.transactionResult(tx -> {
            tx.dsl().execute("SET LOCAL plan_cache_mode = " + planCacheMode);
            long before = entriesRead(tx.dsl());
            assertThat(new TaskQueue(tx.dsl()).complete("node-a", finished))
                    .containsExactlyInAnyOrderElementsOf(finished.stream().map(TaskQueue.Completion::number).toList());
            return entriesRead(tx.dsl()) - before;
        });

        assertThat(read).isLessThan(50);
    }

    /**
     * Every node reads its running tasks every second. The entries its finished tasks left in the running-task index
     * may cost the first read a visit to their rows, not every read after it.
     */
    @Test
    void aNodesRunningTasksAreReadWithoutVisitingItsFinishedTasksEachTime() {
        // Last analyzed with a history of finished tasks and a few running on each node, as in a running installation.
        db.execute("INSERT INTO server_task (space_id, name, state, queue_time_expiry, start_time, completed_time, server_node) "
                + "SELECT 'Spaces-1', 'Delay', 'Success', now() + interval '1 day', now(), now(), 'node-' || g % 3 FROM generate_series(1, 20000) g");
        db.execute("INSERT INTO server_task (space_id, name, state, queue_time_expiry, start_time, server_node) "
                + "SELECT 'Spaces-1', 'Delay', 'Executing', now() + interval '1 day', now(), 'node-' || g % 3 FROM generate_series(1, 30) g");
        db.execute("ANALYZE server_task");
        db.execute("UPDATE server_task SET state = 'Success', completed_time = now() WHERE state = 'Executing'");
        nodeARanAndFinishedTheBacklog();
        enqueueBacklog(2);
        TaskQueue queue = new TaskQueue(db);
        List<Long> running = queue.claim("node-a", 2, null).stream().map(TaskRecord::number).toList();

        List<Long> tableBlocks = new ArrayList<>();
        for (int look = 0; look < 3; look++) {
            tableBlocks.add(db.transactionResult(tx -> {
                // A node's connection runs this every second, so PostgreSQL soon plans it once for any node.
                tx.dsl().execute("SET LOCAL plan_cache_mode = force_generic_plan");
                String blocks = "SELECT pg_stat_get_xact_blocks_fetched('server_task'::regclass)";
                long before = tx.dsl().resultQuery(blocks).fetchSingle(0, Long.class);
                assertThat(new TaskQueue(tx.dsl()).runningOn("node-a")).extracting(TaskRecord::number)
                        .containsExactlyElementsOf(running.reversed());
                return tx.dsl().resultQuery(blocks).fetchSingle(0, Long.class) - before;
            }));
        }

        // A bitmap scan read 549 table blocks on every look here (the node's finished tasks' rows); the running tasks' rows are in one or two.
        assertThat(tableBlocks.subList(1, 3)).as("table blocks read by each look: %s", tableBlocks).allMatch(read -> read < 10);
    }

    /** Each of these tasks leaves a dead entry in the running-task index until vacuum. */
    private void nodeARanAndFinishedTheBacklog() {
        db.execute("INSERT INTO server_task (space_id, name, state, queue_time_expiry, start_time, server_node) "
                + "SELECT 'Spaces-1', 'Delay', 'Executing', now() + interval '1 day', now(), 'node-a' FROM generate_series(1, " + BACKLOG + ")");
        db.execute("UPDATE server_task SET state = 'Success', completed_time = now() WHERE server_node = 'node-a'");
    }

    private List<Long> enqueueBacklog(int count) {
        return db.resultQuery("INSERT INTO server_task (space_id, name, state, queue_time, queue_time_expiry) "
                        + "SELECT 'Spaces-1', 'Delay', 'Queued', now() + g * interval '1 microsecond', now() + interval '1 day' "
                        + "FROM generate_series(1, " + count + ") g RETURNING number")
                .fetch(0, Long.class).stream().sorted().toList();
    }

    /**
     * Index entries the current transaction has read from the task table's indexes, and rows it has read by scanning
     * the table itself, from PostgreSQL's own counters.
     */
    private static long entriesRead(DSLContext tx) {
        return tx.resultQuery("SELECT sum(pg_stat_get_xact_tuples_returned(indexrelid)) FROM pg_index WHERE indrelid = 'server_task'::regclass")
                .fetchSingle(0, Long.class)
                + tx.resultQuery("SELECT pg_stat_get_xact_tuples_returned('server_task'::regclass)").fetchSingle(0, Long.class);
    }
}
