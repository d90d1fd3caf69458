package io.octopusha.operator.flow;

import io.octopusha.operator.crd.NodeStatus;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.nodeclient.NodeSummary;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a reconcile observed, gathered before any decision so that the decisions stay pure.
 *
 * @param statefulSetReplicas     replicas of the existing StatefulSet, or null before it exists
 * @param statefulSetTemplateHash hash of the pod template the StatefulSet holds, or null before it exists. Pods are
 *                                rolled to this template, not to the one the spec asks for: a restarted pod comes back
 *                                from the StatefulSet, and while the API server refuses the StatefulSet's update (a
 *                                bad toleration, an admission webhook) restarting would only bring back the old one.
 * @param unschedulableNodes      Kubernetes nodes that are cordoned
 * @param summaries               node summaries by node name; empty when the node API could not be reached
 * @param previousNodes           status.nodes of the last reconcile by name: the drain bookkeeping
 */
public record Observation(OctopusCluster cluster, Integer statefulSetReplicas, String statefulSetTemplateHash,
                          List<PodView> pods, Set<String> unschedulableNodes, Map<String, NodeSummary> summaries,
                          Map<String, NodeStatus> previousNodes, Instant now) {

    public Optional<PodView> pod(String name) {
        return pods.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public Optional<NodeSummary> summary(String name) {
        return Optional.ofNullable(summaries.get(name));
    }

    public Optional<NodeStatus> previous(String name) {
        return Optional.ofNullable(previousNodes.get(name));
    }

    /** The pod runs and its node has checked in since the container started. */
    public boolean isCheckedIn(String name) {
        return pod(name).filter(PodView::running)
                .flatMap(p -> summary(name).filter(s -> !s.offline()).map(s -> checkedInSince(s, p.startedAt())))
                .orElse(false);
    }

    /** Checked in, and running the StatefulSet's pod template. */
    public boolean isUp(String name) {
        return isCheckedIn(name) && pod(name).filter(p -> !isOutdated(p)).isPresent();
    }

    public boolean isOutdated(PodView pod) {
        return statefulSetTemplateHash != null && !pod.terminating()
                && !statefulSetTemplateHash.equals(pod.templateHash());
    }

    private static boolean checkedInSince(NodeSummary summary, Instant started) {
        if (started == null || summary.lastSeen() == null) {
            return started == null;
        }
        return !OffsetDateTime.parse(summary.lastSeen()).toInstant().isBefore(started);
    }
}
