package io.octopusha.node.tasks;

import io.octopusha.node.queue.TaskOutcome;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Stops a running task, carrying the outcome to record: Canceled when a user asked or the node shut down,
 * Failed when the node fenced itself off after losing its database.
 */
public final class Cancellation {
    private final CountDownLatch fired = new CountDownLatch(1);
    private final List<Runnable> actions = new CopyOnWriteArrayList<>();
    private volatile TaskOutcome outcome;

    /** The first call wins; later ones change nothing. */
    public synchronized void cancel(TaskOutcome outcome) {
        if (this.outcome != null) return;
        this.outcome = outcome;
        fired.countDown();
        actions.forEach(Runnable::run);
    }

    public boolean isCancelled() {
        return outcome != null;
    }

    public TaskOutcome outcome() {
        return outcome;
    }

    /** Runs {@code action} when cancelled (at once if already). */
    public synchronized void onCancel(Runnable action) {
        if (outcome != null) action.run();
        else actions.add(action);
    }

    /** Waits up to {@code timeout}; true if cancelled meanwhile. */
    public boolean await(Duration timeout) throws InterruptedException {
        return fired.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
