package io.octopusha.node.queue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;

import static io.octopusha.node.db.schema.Tables.RECURRING_TASK;

/**
 * System tasks that run on a schedule, without a leader: the next run time is stored in the database, and
 * whichever node first moves it forward (a guarded UPDATE) enqueues that run, in the same transaction. So
 * each slot runs once however many nodes look at it.
 */
public final class RecurringTasks {
    private final DSLContext db;
    private final QueueSignal signal;

    public RecurringTasks(DSLContext db, QueueSignal signal) {
        this.db = db;
        this.signal = signal;
    }

    /** Sets each task's interval (the last node to start wins); a new schedule first runs one interval from now. */
    public void schedule(Map<String, Duration> intervals) {
        intervals.forEach((name, interval) -> db.insertInto(RECURRING_TASK)
                .set(RECURRING_TASK.NAME, name)
                .set(RECURRING_TASK.INTERVAL_MS, interval.toMillis())
                .set(RECURRING_TASK.NEXT_RUN_AT, afterNow(interval.toMillis()))
                .onConflict(RECURRING_TASK.NAME).doUpdate()
                .set(RECURRING_TASK.INTERVAL_MS, interval.toMillis())
                .execute());
    }

    /** Enqueues every run that is due; returns how many this node enqueued. */
    public int enqueueDue(Duration queueTimeout) {
        int enqueued = 0;
        for (var due : db.selectFrom(RECURRING_TASK).where(RECURRING_TASK.NEXT_RUN_AT.le(DSL.currentOffsetDateTime())).fetch()) {
            enqueued += db.transactionResult(tx -> {
                DSLContext t = tx.dsl();
                // After downtime, skip the missed slots rather than running them all at once.
                var slot = t.update(RECURRING_TASK)
                        .set(RECURRING_TASK.NEXT_RUN_AT, DSL.greatest(
                                RECURRING_TASK.NEXT_RUN_AT.plus(DSL.field("{0} * interval '1 millisecond'", OffsetDateTime.class, RECURRING_TASK.INTERVAL_MS)),
                                afterNow(due.getIntervalMs())))
                        .where(RECURRING_TASK.NAME.eq(due.getName()))
                        .and(RECURRING_TASK.NEXT_RUN_AT.eq(due.getNextRunAt()))
                        .execute();
                if (slot == 0) return 0;
                new TaskQueue(t).enqueue("Spaces-1", due.getName(), "Scheduled " + due.getName() + " for " + due.getNextRunAt(),
                        JsonNodeFactory.instance.objectNode(), OffsetDateTime.now().plus(queueTimeout));
                return 1;
            });
        }
        if (enqueued > 0) signal.tasksQueued();
        return enqueued;
    }

    private static org.jooq.Field<OffsetDateTime> afterNow(long millis) {
        return DSL.field("now() + {0} * interval '1 millisecond'", OffsetDateTime.class, millis);
    }
}
