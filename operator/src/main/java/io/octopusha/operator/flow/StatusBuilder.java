package io.octopusha.operator.flow;

import io.fabric8.kubernetes.api.model.Condition;
import io.octopusha.operator.crd.DrainReason;
import io.octopusha.operator.crd.NodePhase;
import io.octopusha.operator.crd.NodeStatus;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.crd.OctopusClusterStatus;
import io.octopusha.operator.crd.QueueStatus;
import io.octopusha.operator.model.Labels;
import io.octopusha.operator.nodeclient.NodeSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The one place that builds status: from what was observed, what was planned and what could be applied. */
public final class StatusBuilder {
    /** The Degraded reason while the API server refuses a child object. */
    public static final String CHILD_OBJECT_FAILED = "ChildObjectFailed";

    private StatusBuilder() {
    }

    /**
     * @param notApplied nodes whose planned drain or undrain could not be applied; they keep their previous bookkeeping
     *                   so that the next reconcile tries again
     * @param queue      cluster-wide task counts, or null when the node API could not be reached
     * @param degraded   why the cluster is degraded although its spec is valid (e.g. nodeLimit), empty if it is not
     * @param failures   child objects and requests the API server refused in this reconcile
     * @param nodeApiError why the node API could not be reached, or null
     */
    public static OctopusClusterStatus build(Observation o, Plan plan, Set<String> notApplied, QueueStatus queue,
                                             List<String> degraded, List<String> failures, String nodeApiError) {
        OctopusCluster cr = o.cluster();
        OctopusClusterStatus previous = Optional.ofNullable(cr.getStatus()).orElseGet(OctopusClusterStatus::new);
        OctopusClusterStatus status = new OctopusClusterStatus();
        status.observedGeneration = cr.getMetadata().getGeneration();
        status.replicas = o.pods().size();
        status.readyReplicas = (int) o.pods().stream().filter(PodView::ready).count();
        status.labelSelector = Labels.selectorString(cr);
        status.queue = queue != null ? queue : previous.queue;
        for (NodeIntent intent : plan.nodes().values()) {
            status.nodes.add(notApplied.contains(intent.name())
                    ? o.previous(intent.name()).orElseGet(() -> node(o, intent))
                    : node(o, intent));
        }
        long generation = generation(cr);
        List<Condition> next = new ArrayList<>();
        int members = plan.statefulSetReplicas();
        long serving = plan.nodes().values().stream()
                .filter(i -> o.pod(i.name()).map(PodView::ready).orElse(false)).count();
        if (nodeApiError != null && !o.pods().isEmpty() && serving == 0) {
            next.add(Conditions.of(Conditions.READY, false, Conditions.NODE_API_UNAVAILABLE, nodeApiError, generation));
        } else if (members == 0) {
            next.add(Conditions.of(Conditions.READY, false, Conditions.NO_NODES, "The cluster has no nodes", generation));
        } else if (plan.inProgress() && plan.progressReason().equals("Starting")) {
            next.add(Conditions.of(Conditions.READY, false, "NodesStarting", plan.progressMessage(), generation));
        } else {
            next.add(Conditions.of(Conditions.READY, true, "NodesServing",
                    serving + " of " + members + " nodes serve", generation));
        }
        next.add(plan.inProgress()
                ? Conditions.of(Conditions.PROGRESSING, true, plan.progressReason(), plan.progressMessage(), generation)
                : Conditions.of(Conditions.PROGRESSING, false, "Stable", "Nothing in progress", generation));
        if (!failures.isEmpty()) {
            List<String> all = new ArrayList<>(failures);
            all.addAll(degraded);
            next.add(Conditions.of(Conditions.DEGRADED, true, CHILD_OBJECT_FAILED, String.join("; ", all), generation));
        } else if (!degraded.isEmpty()) {
            next.add(Conditions.of(Conditions.DEGRADED, true, "NodeLimitExceeded", String.join("; ", degraded), generation));
        } else {
            next.add(Conditions.of(Conditions.DEGRADED, false, "AsExpected", "", generation));
        }
        status.conditions = Conditions.merge(previous.conditions, next, o.now());
        return status;
    }

    /** The spec cannot be acted on: report why, keep what was observed before, create and change nothing. */
    public static OctopusClusterStatus invalid(OctopusCluster cr, String reason, List<String> problems, Instant now) {
        OctopusClusterStatus previous = Optional.ofNullable(cr.getStatus()).orElseGet(OctopusClusterStatus::new);
        OctopusClusterStatus status = new OctopusClusterStatus();
        status.observedGeneration = cr.getMetadata().getGeneration();
        status.replicas = previous.replicas;
        status.readyReplicas = previous.readyReplicas;
        status.labelSelector = Labels.selectorString(cr);
        status.nodes = previous.nodes;
        status.queue = previous.queue;
        long generation = generation(cr);
        String message = String.join("; ", problems);
        status.conditions = Conditions.merge(previous.conditions, List.of(
                Conditions.of(Conditions.READY, false, reason, message, generation),
                Conditions.of(Conditions.PROGRESSING, false, reason, "Waiting for the spec to be fixed", generation),
                Conditions.of(Conditions.DEGRADED, true, reason, message, generation)), now);
        return status;
    }

    private static NodeStatus node(Observation o, NodeIntent intent) {
        Optional<NodeSummary> summary = o.summary(intent.name());
        NodeStatus node = new NodeStatus();
        node.name = intent.name();
        node.status = phase(o, intent, summary);
        node.lastSeen = summary.map(NodeSummary::lastSeen).orElse(null);
        node.taskCap = summary.map(NodeSummary::maxConcurrentTasks).orElse(intent.taskCap());
        node.runningTasks = summary.map(NodeSummary::runningTaskCount).orElse(0);
        node.drain = intent.maintenance() != null ? intent.maintenance()
                : summary.map(NodeSummary::inMaintenanceMode).orElse(false);
        node.drainReason = intent.drainReason();
        node.drainStartedAt = intent.drainStartedAt() == null ? null : intent.drainStartedAt().toString();
        node.inLoadBalancer = intent.inLoadBalancer() && o.pod(intent.name()).map(PodView::ready).orElse(false);
        return node;
    }

    private static NodePhase phase(Observation o, NodeIntent intent, Optional<NodeSummary> summary) {
        if (intent.drainReason() == DrainReason.Retire) {
            return NodePhase.Retiring;
        }
        boolean podExists = o.pod(intent.name()).isPresent();
        if (!o.isCheckedIn(intent.name())) {
            return podExists ? NodePhase.Starting : NodePhase.Offline;
        }
        return summary.map(NodeSummary::status).flatMap(StatusBuilder::knownPhase).orElse(NodePhase.Running);
    }

    private static Optional<NodePhase> knownPhase(String status) {
        try {
            return Optional.of(NodePhase.valueOf(status));
        } catch (IllegalArgumentException | NullPointerException e) {
            return Optional.empty();
        }
    }

    private static long generation(OctopusCluster cr) {
        return Optional.ofNullable(cr.getMetadata().getGeneration()).orElse(0L);
    }
}
