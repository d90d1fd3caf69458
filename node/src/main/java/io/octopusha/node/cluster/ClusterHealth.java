package io.octopusha.node.cluster;

import org.jooq.exception.DataAccessException;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * The cluster as a whole, for Octopus's server status and licence status: how many nodes are online, whether any of
 * them takes tasks, how far the node limit is used and how many tasks the cluster can run at once. Read from the node
 * records; {@link #current()} keeps a reading for a second, because the health route is anonymous and load balancers
 * poll it.
 */
public final class ClusterHealth {
    /** The most any node's task cap can be set to (MaxConcurrentTasks 0 to 1000). */
    public static final int NODE_TASK_LIMIT = 1000;
    private static final Duration KEEP = Duration.ofSeconds(1);

    private final NodeRegistry registry;
    private final OptionalInt nodeLimit;
    private Snapshot kept;
    private long keptAtNanos;

    public ClusterHealth(NodeRegistry registry, OptionalInt nodeLimit) {
        this.registry = registry;
        this.nodeLimit = nodeLimit;
    }

    /**
     * What the node records say.
     *
     * @param databaseReachable false when this node could not read them (the other numbers are then 0)
     * @param onlineNodes       nodes not offline
     * @param drainingNodes     online nodes that start no new tasks (drained, or shutting down)
     * @param clusterTaskLimit  the sum of the task caps of online nodes that are not draining: tasks the cluster can run at once
     * @param runningTasks      tasks running on online nodes
     * @param nodeLimit         OCTOPUS_NODE_LIMIT of this node; empty when unlimited
     */
    public record Snapshot(boolean databaseReachable, int onlineNodes, int drainingNodes, int clusterTaskLimit,
                           int runningTasks, OptionalInt nodeLimit) {

        /** No online node takes new tasks. */
        public boolean entireClusterDraining() {
            return databaseReachable && drainingNodes == onlineNodes;
        }

        public boolean compliantWithNodeLimit() {
            return nodeLimit.isEmpty() || onlineNodes <= nodeLimit.getAsInt();
        }

        public boolean operatingNormally() {
            return databaseReachable && !entireClusterDraining() && compliantWithNodeLimit();
        }

        /** One sentence an operator can act on. */
        public String description() {
            if (!databaseReachable) return "This node cannot reach the database.";
            if (!compliantWithNodeLimit()) {
                return onlineNodes + " nodes are online, more than the node limit of " + nodeLimit.getAsInt() + ".";
            }
            if (entireClusterDraining()) {
                return onlineNodes == 0 ? "No node is online." : "Every online node is drained: no node starts new tasks.";
            }
            return "Operating normally: " + onlineNodes + " node(s) online, " + (onlineNodes - drainingNodes)
                    + " taking tasks.";
        }
    }

    /** A reading at most a second old. */
    public synchronized Snapshot current() {
        if (kept == null || System.nanoTime() - keptAtNanos > KEEP.toNanos()) {
            kept = read();
            keptAtNanos = System.nanoTime();
        }
        return kept;
    }

    private Snapshot read() {
        List<NodeRecord> nodes;
        try {
            nodes = registry.all();
        } catch (DataAccessException e) {
            return new Snapshot(false, 0, 0, 0, 0, nodeLimit);
        }
        List<NodeRecord> online = nodes.stream().filter(n -> !n.offline()).toList();
        int draining = (int) online.stream().filter(n -> n.inMaintenanceMode() || n.shuttingDown()).count();
        int capacity = online.stream().filter(n -> !n.inMaintenanceMode() && !n.shuttingDown())
                .mapToInt(NodeRecord::maxConcurrentTasks).sum();
        int running = online.stream().mapToInt(NodeRecord::runningTasks).sum();
        return new Snapshot(true, online.size(), draining, capacity, running, nodeLimit);
    }
}
