package io.octopusha.operator.flow;

import io.octopusha.operator.crd.Defaults;
import io.octopusha.operator.crd.DrainReason;
import io.octopusha.operator.crd.NodeStatus;
import io.octopusha.operator.nodeclient.NodeSummary;
import java.time.Instant;
import java.util.List;

/**
 * Every node's task cap and drain flag as the spec and the other flows want them, and its load-balancer membership.
 * The operator only undrains what it drained itself (status.nodes[].drainReason): a node drained by hand in the
 * Octopus portal stays drained.
 */
final class TaskCapsAndDrain {
    private TaskCapsAndDrain() {
    }

    static boolean drainedBySpec(Observation o, String name) {
        return Defaults.override(o.cluster().getSpec(), name).map(ov -> Boolean.TRUE.equals(ov.drain)).orElse(false);
    }

    /** @param reason why the node must be drained now, or null when nothing asks for it */
    static NodeIntent intent(Observation o, Drains drains, String name, DrainReason reason, List<PlannedEvent> events) {
        var spec = o.cluster().getSpec();
        DrainReason previousReason = o.previous(name).map((NodeStatus p) -> p.drainReason).orElse(null);
        Instant started = reason == null ? null : drains.start(name, reason);
        Boolean maintenance = reason != null ? Boolean.TRUE : previousReason != null ? Boolean.FALSE : null;
        if (reason != previousReason) {
            events.add(reason != null
                    ? PlannedEvent.normal("Draining", "Draining node " + name + " (" + reason + ")")
                    : PlannedEvent.normal("Undraining", "Undraining node " + name + " (" + previousReason + " is over)"));
        }
        boolean drained = maintenance != null ? maintenance
                : o.summary(name).map(NodeSummary::inMaintenanceMode).orElse(false);
        boolean balanced = Defaults.override(spec, name).map(ov -> ov.loadBalancer).orElse(true);
        return new NodeIntent(name, Defaults.taskCap(spec, name), maintenance, reason, started, balanced && !drained);
    }
}
