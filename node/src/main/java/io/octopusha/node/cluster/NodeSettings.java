package io.octopusha.node.cluster;

/** The settings an administrator changes on a node: what it may run. */
public record NodeSettings(int maxConcurrentTasks, boolean inMaintenanceMode) {
}
