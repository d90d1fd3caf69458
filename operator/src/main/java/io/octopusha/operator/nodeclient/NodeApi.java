package io.octopusha.operator.nodeclient;

import java.util.List;

/** The cluster-wide node API (SPEC section 4) as the operator uses it; any node answers for the whole cluster. */
public interface NodeApi {

    List<NodeSummary> summary();

    /** Sets a node's task cap and maintenance (drain) flag; a null argument leaves that field unchanged. */
    void updateNode(String nodeId, Integer maxConcurrentTasks, Boolean inMaintenanceMode);

    /** Removes a node record; false while the node is still online with running tasks (409). */
    boolean deleteNode(String nodeId);

    List<String> activeTaskIds(String nodeId);

    void cancelTask(String taskId);

    /** Number of tasks in a state (Queued, Executing) across the cluster. */
    int countTasks(String state);
}
