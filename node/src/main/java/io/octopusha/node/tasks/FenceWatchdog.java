package io.octopusha.node.tasks;

import io.octopusha.node.cluster.LocalNode;
import io.octopusha.node.queue.TaskOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Self-fencing: once the database has been away for half of OFFLINE_AFTER, stop every running task before other nodes
 * declare this one offline and fail its tasks, so that a task never runs on two nodes. Fencing must not wait for a
 * database call to return, so it has its own thread reading only memory.
 */
final class FenceWatchdog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FenceWatchdog.class);

    private final LocalNode node;
    private final RunningTasks running;
    private final ScheduledExecutorService watch =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("fence-watch").factory());

    FenceWatchdog(LocalNode node, RunningTasks running) {
        this.node = node;
        this.running = running;
    }

    void start() {
        long everyMillis = Math.max(50, node.offlineAfter().toMillis() / 20);
        watch.scheduleWithFixedDelay(() -> {
            if (node.mustFence()) fence();
        }, everyMillis, everyMillis, TimeUnit.MILLISECONDS);
    }

    private void fence() {
        if (running.isEmpty()) return;
        List<RunningTasks.Running> unfenced = running.all().stream().filter(r -> !r.cancellation().isCancelled()).toList();
        if (unfenced.isEmpty()) return;
        log.warn("no database for half of OCTOPUS_OFFLINE_AFTER: stopping {} running task(s)", unfenced.size());
        unfenced.forEach(r -> r.cancellation().cancel(TaskOutcome.failed("Node " + node.name()
                + " lost its database connection and stopped this task, so that it could never run on two nodes.")));
    }

    @Override
    public void close() {
        watch.shutdownNow();
    }
}
