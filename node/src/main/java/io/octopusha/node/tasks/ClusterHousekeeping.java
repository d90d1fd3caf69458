package io.octopusha.node.tasks;

import io.octopusha.node.cluster.LocalNode;
import io.octopusha.node.queue.RecurringTasks;
import io.octopusha.node.queue.TaskFilter;
import io.octopusha.node.queue.TaskOutcome;
import io.octopusha.node.queue.TaskQueue;
import io.octopusha.node.queue.TaskRecord;
import io.octopusha.node.queue.TaskState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Once a second, the cluster's housekeeping that any node may do (every change is a guarded UPDATE, so nodes racing on
 * it do each change once): queued tasks past their expiry time out, running tasks of offline or deleted nodes fail
 * (failover), recurring tasks are queued when due. Then this node checks its running tasks against the database.
 */
final class ClusterHousekeeping implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterHousekeeping.class);
    private static final Duration EVERY = Duration.ofSeconds(1);
    /** How often a node looks for running tasks whose node record is gone, which reads the whole running-task index. */
    private static final Duration DELETED_NODES_SWEEP = Duration.ofMinutes(1);

    private final TaskQueue queue;
    private final LocalNode node;
    private final RunningTasks running;
    private final RecurringTasks recurring;
    private final Duration queueTimeout;
    private final ScheduledExecutorService thread =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("queue-housekeeping").factory());
    private long lastDeletedNodesSweepNanos = System.nanoTime();
    private boolean failing;
    private volatile boolean closed;

    ClusterHousekeeping(TaskQueue queue, LocalNode node, RunningTasks running, RecurringTasks recurring, Duration queueTimeout) {
        this.queue = queue;
        this.node = node;
        this.running = running;
        this.recurring = recurring;
        this.queueTimeout = queueTimeout;
    }

    void start() {
        thread.scheduleWithFixedDelay(this::housekeep, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void housekeep() {
        if (closed || node.mustFence()) return;
        try {
            queue.expireQueued();
            queue.failTasksOfOfflineNodes();
            if (System.nanoTime() - lastDeletedNodesSweepNanos >= DELETED_NODES_SWEEP.toNanos()) {
                queue.failTasksOfDeletedNodes();
                lastDeletedNodesSweepNanos = System.nanoTime();
            }
            recurring.enqueueDue(queueTimeout);
            reconcileRunning();
            if (failing) log.info("queue housekeeping works again");
            failing = false;
        } catch (RuntimeException e) {
            if (!failing && !closed) log.warn("queue housekeeping failed, retrying: {}", e.getMessage());
            failing = true;
        }
    }

    /** Backstop for notifications: stop tasks canceled elsewhere, and tasks another node failed meanwhile. */
    private void reconcileRunning() {
        List<Long> numbers = running.numbers();
        if (numbers.isEmpty()) return;
        Map<Long, TaskRecord> stored = queue.list(new TaskFilter(numbers, null, null, null, null), 0, Integer.MAX_VALUE)
                .stream().collect(Collectors.toMap(TaskRecord::number, Function.identity()));
        // Only tasks that were running before the read: a task claimed since then is not in it.
        for (Long number : numbers) {
            TaskRecord now = stored.get(number);
            if (now == null || !node.id().equals(now.serverNode()) || now.state().isCompleted()) {
                running.cancel(number, TaskOutcome.failed("The task was taken away from node " + node.name() + "."));
            } else if (now.state() == TaskState.Cancelling) {
                running.cancelRequested(number);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
    }
}
