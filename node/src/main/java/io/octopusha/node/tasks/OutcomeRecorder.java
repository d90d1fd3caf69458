package io.octopusha.node.tasks;

import io.octopusha.node.cluster.LocalNode;
import io.octopusha.node.queue.TaskQueue;
import io.octopusha.node.queue.TaskRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The recording loop: records every run that has finished since it last looked in one statement, then frees their
 * slots and wakes the claim loop. Under load a wake finds many runs, so the database sees a statement per batch, and a
 * claim never waits behind a recording. If the database is away the runs stay pending and are tried again, so an
 * outcome is never lost while this node lives.
 */
final class OutcomeRecorder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutcomeRecorder.class);
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final Duration RETRY = Duration.ofMillis(250);

    private final TaskQueue queue;
    private final LocalNode node;
    private final RunningTasks running;
    private final Runnable slotsFreed;
    /** Runs that have ended but are not yet recorded; they keep their slot until they are. */
    private final Queue<TaskQueue.Completion> finished = new ConcurrentLinkedQueue<>();
    private final Semaphore wake = new Semaphore(0);
    /** Recording a run and freeing its slot is one step as far as {@link #betweenRecordings} callers can tell. */
    private final Object recording = new Object();
    private final Thread thread;
    private volatile boolean closed;

    OutcomeRecorder(TaskQueue queue, LocalNode node, RunningTasks running, Runnable slotsFreed) {
        this.queue = queue;
        this.node = node;
        this.running = running;
        this.slotsFreed = slotsFreed;
        this.thread = Thread.ofPlatform().daemon().name("task-records").unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    /** A run ended: its outcome is recorded at the loop's next turn. */
    void finished(TaskQueue.Completion completion) {
        finished.add(completion);
        wake.release();
    }

    /**
     * Runs {@code action} while no recording is half done, so that every task the database has as running on this
     * node either holds a slot here or was never started here.
     */
    void betweenRecordings(Runnable action) {
        synchronized (recording) {
            action.run();
        }
    }

    private void loop() {
        boolean failing = false;
        while (!closed) {
            try {
                wake.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
                if (finished.isEmpty() || node.mustFence()) continue;
                recordFinished();
                if (failing) log.info("recording finished tasks works again");
                failing = false;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!failing && !closed) log.warn("recording finished tasks failed, retrying: {}", e.getMessage());
                failing = true;
                try {
                    Thread.sleep(RETRY.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private void recordFinished() {
        List<TaskQueue.Completion> batch = new ArrayList<>();
        for (TaskQueue.Completion c = finished.poll(); c != null; c = finished.poll()) batch.add(c);
        if (batch.isEmpty()) return;
        synchronized (recording) {
            Set<Long> recorded;
            try {
                recorded = queue.complete(node.id(), batch);
            } catch (RuntimeException e) {
                finished.addAll(batch);
                throw e;
            }
            for (TaskQueue.Completion c : batch) {
                if (!recorded.contains(c.number())) {
                    log.warn("{}{} ended as {} but was no longer running on this node: another node had failed it, or an earlier attempt that lost its reply had recorded it",
                            TaskRecord.ID_PREFIX, c.number(), c.outcome().state());
                }
            }
            running.release(batch.stream().map(TaskQueue.Completion::number).toList());
        }
        slotsFreed.run();
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
