package io.octopusha.node.tasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.octopusha.node.input.JsonFields;
import io.octopusha.node.queue.TaskOutcome;
import io.octopusha.node.queue.TaskRecord;
import io.octopusha.node.queue.TaskState;
import io.octopusha.node.storage.FileTrees;
import io.octopusha.node.storage.SharedStorage;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;

import static io.octopusha.node.db.schema.Tables.SERVER_TASK;

/**
 * Removes finished tasks older than {@code MaxAgeDays} (default: the node's OCTOPUS_RETENTION_MAX_AGE), with
 * their logs and artifacts, in batches so that the queue table is never locked for long.
 */
public final class RetentionTask implements TaskType {
    private static final int BATCH = 1_000;
    private final DSLContext db;
    private final SharedStorage storage;
    private final Duration defaultMaxAge;

    public RetentionTask(DSLContext db, SharedStorage storage, Duration defaultMaxAge) {
        this.db = db;
        this.storage = storage;
        this.defaultMaxAge = defaultMaxAge;
    }

    @Override public String name() { return "Retention"; }
    @Override public String defaultDescription() { return "Apply retention policies"; }
    @Override public boolean isSystem() { return true; }

    @Override
    public void validate(ObjectNode arguments) {
        JsonFields.onlyFields(arguments, "Retention arguments", Set.of("MaxAgeDays"));
        JsonFields.optionalInt(arguments, "MaxAgeDays", 0, 36_500);
    }

    @Override
    public TaskOutcome run(TaskContext context) {
        Integer days = JsonFields.optionalInt(context.task().arguments(), "MaxAgeDays", 0, 36_500);
        Duration maxAge = days == null ? defaultMaxAge : Duration.ofDays(days);
        context.log().info("Removing tasks that finished more than " + maxAge + " ago");
        var cutoff = DSL.field("now() - {0} * interval '1 millisecond'", OffsetDateTime.class, maxAge.toMillis());
        long removed = 0;
        while (!context.cancellation().isCancelled()) {
            List<Long> batch = db.deleteFrom(SERVER_TASK)
                    .where(SERVER_TASK.NUMBER.in(db.select(SERVER_TASK.NUMBER).from(SERVER_TASK)
                            .where(SERVER_TASK.COMPLETED_TIME.lt(cutoff))
                            .and(SERVER_TASK.STATE.notIn(TaskState.ACTIVE.stream().map(Enum::name).toList()))
                            .and(SERVER_TASK.NUMBER.ne(context.task().number()))
                            .limit(BATCH)))
                    .returning(SERVER_TASK.NUMBER)
                    .fetch(SERVER_TASK.NUMBER);
            for (long number : batch) {
                String id = TaskRecord.ID_PREFIX + number;
                try {
                    Files.deleteIfExists(storage.taskLog(id));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                FileTrees.deleteTree(storage.artifacts().resolve(id));
            }
            removed += batch.size();
            if (batch.size() < BATCH) break;
        }
        context.log().info("Removed " + removed + " finished task(s) with their logs and artifacts");
        return context.cancellation().isCancelled() ? context.cancellation().outcome() : TaskOutcome.success();
    }
}
