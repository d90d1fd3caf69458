package io.octopusha.node.queue;

import io.octopusha.node.db.Database;
import io.octopusha.node.testing.TestDatabase;
import io.octopusha.node.testing.Tasks;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An installation upgraded past V10 keeps the starts its execution table recorded, now as each task's start count,
 * and claims as before.
 */
class StartCountUpgradeTest {
    @Test
    void startsRecordedAsExecutionRowsBecomeStartCounts() {
        String url = TestDatabase.freshDatabaseUrl();
        Flyway.configure().dataSource(url, TestDatabase.user(), "").locations("classpath:db/migration").target("9").load().migrate();
        try (Database database = new Database(url, TestDatabase.user(), null, "start-count-upgrade-test")) {
            DSLContext db = database.dsl();
            db.execute("INSERT INTO server_task (number, space_id, name, state, queue_time_expiry, start_time, completed_time, server_node) VALUES "
                    + "(1, 'Spaces-1', 'Delay', 'Success', now() + interval '1 day', now(), now(), 'node-a'), "
                    + "(2, 'Spaces-1', 'Delay', 'Executing', now() + interval '1 day', now(), null, 'node-a'), "
                    + "(3, 'Spaces-1', 'Delay', 'Queued', now() + interval '1 day', null, null, null)");
            db.execute("SELECT setval('server_task_seq', 3)");
            db.execute("INSERT INTO server_task_execution (task_number, node_id) VALUES (1, 'node-a'), (2, 'node-a')");

            database.migrate();

            assertThat(Tasks.startsPerTask(db)).isEqualTo(Map.of(1L, 1, 2L, 1));
            assertThat(db.fetchValue("SELECT to_regclass('server_task_execution')")).as("the execution table").isNull();
            assertThat(new TaskQueue(db).claim("node-b", 5, null)).extracting(TaskRecord::number).containsExactly(3L);
            assertThat(Tasks.startsPerTask(db)).isEqualTo(Map.of(1L, 1, 2L, 1, 3L, 1));
        }
    }
}
