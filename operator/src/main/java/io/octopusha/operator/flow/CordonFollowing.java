package io.octopusha.operator.flow;

import io.octopusha.operator.crd.Defaults;
import io.octopusha.operator.crd.DrainReason;

/**
 * Rolling OS patching: a node whose pod is on a cordoned Kubernetes node is drained, and stays drained until its pod
 * runs on a schedulable node and has checked in again. Only drains recorded as NodeCordoned are lifted here.
 */
final class CordonFollowing {
    private CordonFollowing() {
    }

    static boolean drains(Observation o, String name) {
        if (!Defaults.followNodeCordon(o.cluster().getSpec())) {
            return false;
        }
        String kubeNode = o.pod(name).map(PodView::kubeNode).orElse(null);
        boolean onCordonedNode = kubeNode != null && o.unschedulableNodes().contains(kubeNode);
        boolean drainedBefore = o.previous(name).map(p -> p.drainReason == DrainReason.NodeCordoned).orElse(false);
        return onCordonedNode || (drainedBefore && (kubeNode == null || !o.isCheckedIn(name)));
    }
}
