package io.octopusha.node.cluster;

import io.octopusha.node.queue.TaskQueue;
import io.octopusha.node.queue.TaskRecord;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Draining a node, changing its task cap, waiting for it to run nothing and canceling what it still runs, all through
 * the database: what the {@code node} command does, so it works while the node's HTTP API is down. The node hears of a
 * change by NOTIFY (a trigger on its record), as when the change is made through the API.
 */
public final class NodeMaintenance {
    public static final String NODE_ID_PREFIX = "OctopusServerNodes-";
    private static final Duration POLL = Duration.ofMillis(200);

    private final NodeRegistry registry;
    private final TaskQueue queue;

    public NodeMaintenance(NodeRegistry registry, TaskQueue queue) {
        this.registry = registry;
        this.queue = queue;
    }

    /** A node name or Id as an Id. */
    public static String nodeId(String nameOrId) {
        return nameOrId.startsWith(NODE_ID_PREFIX) ? nameOrId : NODE_ID_PREFIX + nameOrId;
    }

    public Optional<NodeRecord> find(String nodeId) {
        return registry.find(nodeId);
    }

    /** Sets the task cap and/or the drain flag (null leaves one as it is); empty when there is no such node. */
    public Optional<NodeRegistry.Change> change(String nodeId, Integer taskCap, Boolean drain, String modifiedBy) {
        return registry.update(nodeId, taskCap, drain, modifiedBy);
    }

    /**
     * Waits until the node runs no task, up to {@code timeout}; {@code progress} sees the node whenever its number of
     * running tasks changes. Returns the node as last seen (empty if its record was deleted meanwhile).
     */
    public Optional<NodeRecord> awaitIdle(String nodeId, Duration timeout, Consumer<NodeRecord> progress) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int lastCount = -1;
        while (true) {
            Optional<NodeRecord> node = registry.find(nodeId);
            if (node.isEmpty() || node.get().runningTasks() == 0) return node;
            if (node.get().runningTasks() != lastCount) {
                lastCount = node.get().runningTasks();
                progress.accept(node.get());
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) return node;
            Thread.sleep(Math.max(1, Math.min(POLL.toMillis(), left / 1_000_000)));
        }
    }

    /** Cancels every task the node runs (each becomes Cancelling; the node stops it and records Canceled). */
    public List<TaskRecord> cancelRunning(String nodeId) {
        List<TaskRecord> running = queue.runningOn(nodeId);
        for (TaskRecord task : running) queue.cancel(task.number());
        return running;
    }
}
