package io.octopusha.operator.crd;

/** How nodes restart after a pod template change. */
public enum UpgradeStrategy {
    /** Drain every node, wait, restart all pods together: Octopus runs one version per database. */
    DrainAll,
    /** Drain and restart one node at a time; only when the new version keeps the database schema. */
    Rolling
}
