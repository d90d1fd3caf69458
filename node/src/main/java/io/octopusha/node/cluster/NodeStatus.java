package io.octopusha.node.cluster;

/** What the summary, the Nodes page and the operator show for a node (SPEC section 4). */
public enum NodeStatus {
    Running, Draining, Drained, Offline;

    public static NodeStatus of(boolean offline, boolean draining, int runningTasks) {
        if (offline) return Offline;
        if (draining) return runningTasks > 0 ? Draining : Drained;
        return Running;
    }
}
