package io.octopusha.operator.flow;

import io.octopusha.operator.crd.Defaults;
import io.octopusha.operator.crd.DrainReason;
import java.util.List;
import java.util.Optional;

/**
 * Rolling OS patching: a node whose pod is on a cordoned Kubernetes node is drained, and stays drained until its pod
 * runs on a schedulable node and has checked in again. Only drains recorded as NodeCordoned are lifted here.
 *
 * <p>At most one node is drained for cordons at a time, and only while another node serves: an automated patch run
 * may cordon every machine at once, and draining every node would take the whole cluster out of the load balancer and
 * stop all task pick-up. Evictions do not depend on this drain to be safe: a node that gets SIGTERM drains itself and
 * waits for its running tasks, and the PodDisruptionBudget lets one pod go at a time.
 */
final class CordonFollowing {
    private CordonFollowing() {
    }

    /** The node to drain for a cordon now, if any. */
    static Optional<String> drained(Observation o, List<String> names) {
        if (!Defaults.followNodeCordon(o.cluster().getSpec())) {
            return Optional.empty();
        }
        List<String> candidates = names.stream().filter(n -> wantsDrain(o, n)).toList();
        Optional<String> already = candidates.stream().filter(n -> drainedBefore(o, n)).findFirst();
        if (already.isPresent()) {
            return already;
        }
        return candidates.stream().findFirst()
                .filter(n -> names.stream().anyMatch(other -> !other.equals(n) && serves(o, other)));
    }

    private static boolean wantsDrain(Observation o, String name) {
        String kubeNode = o.pod(name).map(PodView::kubeNode).orElse(null);
        boolean onCordonedNode = kubeNode != null && o.unschedulableNodes().contains(kubeNode);
        return onCordonedNode || (drainedBefore(o, name) && (kubeNode == null || !o.isCheckedIn(name)));
    }

    private static boolean drainedBefore(Observation o, String name) {
        return o.previous(name).map(p -> p.drainReason == DrainReason.NodeCordoned).orElse(false);
    }

    /** Ready and taking tasks (its machine may be cordoned: it serves until it is evicted). */
    private static boolean serves(Observation o, String name) {
        boolean ready = o.pod(name).map(PodView::ready).orElse(false);
        boolean drained = o.previous(name).map(p -> Boolean.TRUE.equals(p.drain)).orElse(false)
                || o.summary(name).map(s -> s.inMaintenanceMode()).orElse(false);
        return ready && !drained;
    }
}
