package io.octopusha.node.cluster;

import java.time.OffsetDateTime;

/**
 * A node as the database sees it. {@code offline} is judged with the database clock against that node's
 * own OFFLINE_AFTER; {@code shuttingDown} is a SIGTERM shutdown, which counts as draining without changing
 * the persisted maintenance flag. {@code lastModifiedOn} and {@code lastModifiedBy} (an API key's purpose) are
 * the last change to its settings through the API; null if there was none.
 */
public record NodeRecord(
        String id,
        String name,
        int maxConcurrentTasks,
        boolean inMaintenanceMode,
        boolean shuttingDown,
        OffsetDateTime lastSeen,
        boolean offline,
        int runningTasks,
        String version,
        OffsetDateTime lastModifiedOn,
        String lastModifiedBy) {

    public NodeStatus status() {
        return NodeStatus.of(offline, inMaintenanceMode || shuttingDown, runningTasks);
    }
}
