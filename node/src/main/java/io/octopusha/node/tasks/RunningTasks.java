package io.octopusha.node.tasks;

import io.octopusha.node.cluster.LocalNode;
import io.octopusha.node.queue.TaskOutcome;
import io.octopusha.node.queue.TaskRecord;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * This node's task slots: the tasks it runs, each with its cancellation. A task holds its slot from its claim until its
 * outcome is recorded; freeing slots wakes whoever waits for them (the claim loop, the shutdown).
 */
final class RunningTasks {
    private final LocalNode node;
    private final Map<Long, Running> byNumber = new ConcurrentHashMap<>();
    private final Object released = new Object();

    record Running(TaskRecord task, Cancellation cancellation) {
    }

    RunningTasks(LocalNode node) {
        this.node = node;
    }

    void add(TaskRecord task, Cancellation cancellation) {
        byNumber.put(task.number(), new Running(task, cancellation));
    }

    boolean contains(long number) {
        return byNumber.containsKey(number);
    }

    /** The running task with this number, or null. */
    Running get(long number) {
        return byNumber.get(number);
    }

    List<Long> numbers() {
        return List.copyOf(byNumber.keySet());
    }

    Collection<Running> all() {
        return byNumber.values();
    }

    int count() {
        return byNumber.size();
    }

    boolean isEmpty() {
        return byNumber.isEmpty();
    }

    /** The node's task cap less what it runs; negative after the cap was lowered. */
    int freeSlots() {
        return node.settings().maxConcurrentTasks() - byNumber.size();
    }

    /** Stops the task if this node runs it. */
    void cancel(long number, TaskOutcome outcome) {
        Running r = byNumber.get(number);
        if (r != null) r.cancellation().cancel(outcome);
    }

    /** A cancel requested anywhere in the cluster, for a task this node may be running. */
    void cancelRequested(long number) {
        cancel(number, TaskOutcome.canceled("The task was canceled."));
    }

    void cancelAll(TaskOutcome outcome) {
        byNumber.values().forEach(r -> r.cancellation().cancel(outcome));
    }

    /** Frees the slots of recorded runs. */
    void release(Collection<Long> numbers) {
        numbers.forEach(byNumber::remove);
        synchronized (released) {
            released.notifyAll();
        }
    }

    /** Waits until {@code slots} are free or {@code timeout} has passed. */
    void awaitFreeSlots(int slots, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (released) {
            while (freeSlots() < slots) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return;
                try {
                    TimeUnit.NANOSECONDS.timedWait(released, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Waits until no task runs; false if {@code timeout} passed first. */
    boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (released) {
            while (!byNumber.isEmpty()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) return false;
                try {
                    released.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }
}
