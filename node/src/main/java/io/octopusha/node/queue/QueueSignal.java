package io.octopusha.node.queue;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tells every node that tasks were queued: {@code NOTIFY octopus_task_queued}, sent after the enqueueing
 * transaction has committed, on a thread of its own. One signal is in flight at a time, and the next follows at
 * least {@link #GAP} after it, carrying every signal that arrived meanwhile: a first signal goes at once, a
 * stream of them at most every 5 ms. PostgreSQL serializes the commits of notifying transactions across the
 * whole server, each through its own WAL flush, so a NOTIFY inside every enqueue capped enqueues at one per
 * flush. And at about a thousand notifications a second its notification queue stalled delivery to every
 * listener for 100 to 400 ms at a time (measured on PostgreSQL 18; none at a few hundred a second). A lost
 * signal costs at most one poll interval.
 */
public final class QueueSignal {
    public static final String CHANNEL = "octopus_task_queued";
    private static final Logger log = LoggerFactory.getLogger(QueueSignal.class);
    static final Duration GAP = Duration.ofMillis(5);

    private final DSLContext db;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final AtomicBoolean sending = new AtomicBoolean();

    public QueueSignal(DSLContext db) {
        this.db = db;
    }

    /** Call after the transaction that queued tasks has committed. */
    public void tasksQueued() {
        pending.set(true);
        if (sending.compareAndSet(false, true)) Thread.ofVirtual().name("queue-signal").start(this::sendWhilePending);
    }

    private void sendWhilePending() {
        do {
            while (pending.getAndSet(false)) {
                send();
                try {
                    Thread.sleep(GAP);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            sending.set(false);
            // A signal that arrived after the last send, while this thread still counted as sending, started no thread.
        } while (pending.get() && sending.compareAndSet(false, true));
    }

    private void send() {
        try {
            db.select(DSL.field("pg_notify({0}, '')", Object.class, DSL.val(CHANNEL))).fetch();
        } catch (RuntimeException e) {
            log.debug("could not signal queued tasks; nodes find them at their next poll: {}", e.getMessage());
        }
    }
}
