package io.octopusha.operator.flow;

import io.octopusha.operator.crd.Defaults;
import io.octopusha.operator.crd.DrainReason;
import io.octopusha.operator.crd.NodeStatus;
import io.octopusha.operator.nodeclient.NodeSummary;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        return new NodeIntent(name, Defaults.taskCap(spec, name), maintenance, reason, started,
                balanced(o, name) && !drained);
    }

    private static boolean balanced(Observation o, String name) {
        return Defaults.override(o.cluster().getSpec(), name).map(ov -> !Boolean.FALSE.equals(ov.loadBalancer))
                .orElse(true);
    }

    /**
     * Drained nodes leave the load balancer only while an undrained node serves in their place: when every node is
     * drained (a DrainAll upgrade waiting for tasks, every machine cordoned at once) they stay in, since a drained node
     * still serves the API; only task pick-up stops.
     */
    static Map<String, NodeIntent> keepTheApiServed(Observation o, Map<String, NodeIntent> intents) {
        boolean anyServing = intents.values().stream()
                .anyMatch(i -> i.inLoadBalancer() && o.pod(i.name()).map(PodView::ready).orElse(false));
        if (anyServing) {
            return intents;
        }
        Map<String, NodeIntent> kept = new LinkedHashMap<>();
        intents.forEach((name, i) -> kept.put(name, balanced(o, name) && o.pod(name).map(PodView::ready).orElse(false)
                ? new NodeIntent(name, i.taskCap(), i.maintenance(), i.drainReason(), i.drainStartedAt(), true) : i));
        return kept;
    }
}
