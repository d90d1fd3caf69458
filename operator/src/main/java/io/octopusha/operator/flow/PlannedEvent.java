package io.octopusha.operator.flow;

/** A Kubernetes Event the operator records on the OctopusCluster. */
public record PlannedEvent(boolean warning, String reason, String message) {
    public static PlannedEvent normal(String reason, String message) {
        return new PlannedEvent(false, reason, message);
    }

    public static PlannedEvent warning(String reason, String message) {
        return new PlannedEvent(true, reason, message);
    }
}
