package io.octopusha.operator.flow;

import io.octopusha.operator.crd.Defaults;
import io.octopusha.operator.crd.DrainReason;
import io.octopusha.operator.crd.NodeStatus;
import io.octopusha.operator.crd.OctopusClusterSpec;
import io.octopusha.operator.flow.update.RolloutState;
import io.octopusha.operator.flow.update.RolloutStep;
import io.octopusha.operator.flow.update.UpdateStrategyFlow;
import io.octopusha.operator.model.Names;
import io.octopusha.operator.nodeclient.NodeSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The operator's decisions, as a pure function of what one reconcile observed: which nodes to drain and why, their
 * task caps and load-balancer membership, how far the StatefulSet may shrink, which pods to restart, which drains timed
 * out, and which node records to remove. Nothing here waits: a flow that must wait returns and is planned again on the
 * next reconcile, from the drain bookkeeping kept in the status.
 */
public final class ClusterPlanner {

    private final Observation o;
    private final OctopusClusterSpec spec;
    private final Duration drainTimeout;
    private final int allowed;
    private final int current;
    private final List<PlannedEvent> events = new ArrayList<>();

    private ClusterPlanner(Observation observation) {
        this.o = observation;
        this.spec = observation.cluster().getSpec();
        this.drainTimeout = Defaults.drainTimeout(spec);
        this.allowed = Defaults.allowedReplicas(spec);
        this.current = observation.statefulSetReplicas() == null ? allowed : observation.statefulSetReplicas();
    }

    public static Plan plan(Observation observation) {
        return new ClusterPlanner(observation).plan();
    }

    private Plan plan() {
        List<String> names = knownNodes();
        boolean retiring = current > allowed;
        Map<String, DrainReason> reasons = new HashMap<>();
        // Lowest priority first: a later reason replaces an earlier one as the reported drainReason.
        names.stream().filter(this::cordoned).forEach(n -> reasons.put(n, DrainReason.NodeCordoned));
        RolloutStep rollout = rollout(retiring);
        rollout.drain().forEach(n -> reasons.put(n, DrainReason.Rollout));
        names.stream().filter(this::leaving).forEach(n -> reasons.put(n, DrainReason.Retire));
        names.stream().filter(this::drainedBySpec).forEach(n -> reasons.put(n, DrainReason.Spec));

        Map<String, NodeIntent> intents = new LinkedHashMap<>();
        for (String name : names) {
            intents.put(name, intent(name, reasons.get(name)));
        }
        int replicas = statefulSetReplicas(intents);
        List<String> cancel = intents.values().stream().filter(this::timedOutWithTasks).map(NodeIntent::name).toList();
        cancel.forEach(n -> events.add(PlannedEvent.warning("DrainTimeout", "Node " + n + " still runs "
                + o.summary(n).map(NodeSummary::runningTaskCount).orElse(0) + " task(s) after drainTimeout "
                + spec.drainTimeout + "; cancelling them")));
        rollout.restart().forEach(n -> events.add(PlannedEvent.normal("Restarting",
                "Restarting " + n + " for the new pod template (" + Defaults.upgradeStrategy(spec) + ")")));
        List<String> recordsToDelete = names.stream()
                .filter(n -> Names.ordinal(o.cluster(), n) >= Math.max(allowed, replicas))
                .filter(n -> o.pod(n).isEmpty() && o.summary(n).isPresent())
                .toList();
        return progress(new Plan(replicas, intents, rollout.restart(), cancel, recordsToDelete, events, "", ""));
    }

    /**
     * Pods and node records of this cluster, and the bookkept nodes that stay in it (their pod may be restarting), by
     * ordinal. A leaving node whose pod and record are both gone is forgotten.
     */
    private List<String> knownNodes() {
        return Stream.of(o.pods().stream().map(PodView::name), o.summaries().keySet().stream(),
                        o.previousNodes().keySet().stream().filter(n -> Names.ordinal(o.cluster(), n) < allowed))
                .flatMap(s -> s)
                .filter(n -> Names.ordinal(o.cluster(), n) >= 0)
                .collect(Collectors.toCollection(() -> new TreeSet<>(
                        Comparator.comparingInt((String n) -> Names.ordinal(o.cluster(), n)))))
                .stream().toList();
    }

    private boolean leaving(String name) {
        return Names.ordinal(o.cluster(), name) >= allowed && (o.pod(name).isPresent() || o.summary(name).isPresent());
    }

    private boolean drainedBySpec(String name) {
        return Defaults.override(spec, name).map(ov -> Boolean.TRUE.equals(ov.drain)).orElse(false);
    }

    /**
     * On a cordoned Kubernetes node; and a node drained for a cordon stays drained until its pod runs on a schedulable
     * node and has checked in again.
     */
    private boolean cordoned(String name) {
        if (!Defaults.followNodeCordon(spec)) {
            return false;
        }
        String kubeNode = o.pod(name).map(PodView::kubeNode).orElse(null);
        boolean onCordonedNode = kubeNode != null && o.unschedulableNodes().contains(kubeNode);
        boolean drainedBefore = o.previous(name).map(p -> p.drainReason == DrainReason.NodeCordoned).orElse(false);
        return onCordonedNode || (drainedBefore && (kubeNode == null || !o.isCheckedIn(name)));
    }

    private RolloutStep rollout(boolean retiring) {
        List<PodView> members = o.pods().stream().filter(p -> p.ordinal() < allowed)
                .sorted(Comparator.comparingInt(PodView::ordinal)).toList();
        // Retiring first: outdated pods restart once the cluster has its new size.
        Set<String> outdated = retiring ? Set.of()
                : members.stream().filter(o::isOutdated).map(PodView::name).collect(Collectors.toSet());
        Set<String> inRollout = o.previousNodes().values().stream()
                .filter(n -> n.drainReason == DrainReason.Rollout).map(n -> n.name).collect(Collectors.toSet());
        var state = new RolloutState(names(0, allowed), members, outdated, inRollout,
                n -> drainSettled(n, DrainReason.Rollout), o::isUp, this::serving);
        return UpdateStrategyFlow.of(Defaults.upgradeStrategy(spec)).next(state);
    }

    /** Ready, or checked in and drained for another reason than a rollout (a drained node is never ready). */
    private boolean serving(String name) {
        boolean ready = o.pod(name).map(PodView::ready).orElse(false);
        boolean drainedOtherwise = drainedBySpec(name) || cordoned(name);
        return ready || (drainedOtherwise && o.isCheckedIn(name));
    }

    private NodeIntent intent(String name, DrainReason reason) {
        NodeStatus previous = o.previous(name).orElse(null);
        DrainReason previousReason = previous == null ? null : previous.drainReason;
        Instant started = reason == null ? null : drainStart(name, reason);
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

    /** The drain keeps its start time while its reason stays the same; drainTimeout counts from there. */
    private Instant drainStart(String name, DrainReason reason) {
        return o.previous(name)
                .filter(p -> p.drainReason == reason && p.drainStartedAt != null)
                .map(p -> Instant.parse(p.drainStartedAt))
                .orElse(o.now());
    }

    /** The node runs nothing more (or is gone), or its drain timed out. */
    private boolean drainSettled(String name, DrainReason reason) {
        boolean idle = o.summary(name)
                .map(s -> s.offline() || (s.inMaintenanceMode() && s.runningTaskCount() == 0))
                .orElseGet(() -> o.pod(name).map(p -> !p.running()).orElse(true));
        return idle || timedOut(drainStart(name, reason));
    }

    private boolean timedOut(Instant drainStarted) {
        return !o.now().isBefore(drainStarted.plus(drainTimeout));
    }

    /** Only retire and rollout drains end in cancellation; a spec or cordon drain waits as long as the tasks run. */
    private boolean timedOutWithTasks(NodeIntent intent) {
        return (intent.drainReason() == DrainReason.Retire || intent.drainReason() == DrainReason.Rollout)
                && timedOut(intent.drainStartedAt())
                && o.summary(intent.name()).map(s -> !s.offline() && s.runningTaskCount() > 0).orElse(false);
    }

    /** Grow at once; shrink only past the highest ordinals whose drain has settled. */
    private int statefulSetReplicas(Map<String, NodeIntent> intents) {
        if (current <= allowed) {
            if (o.statefulSetReplicas() != null && current < allowed) {
                events.add(PlannedEvent.normal("ScalingUp", "Scaling up from " + current + " to " + allowed + " nodes"));
            }
            return allowed;
        }
        int replicas = current;
        while (replicas > allowed && drainSettled(Names.pod(o.cluster(), replicas - 1), DrainReason.Retire)) {
            replicas--;
        }
        if (replicas < current) {
            events.add(PlannedEvent.normal("Retiring", "Scaling down from " + current + " to " + replicas
                    + " nodes: " + String.join(", ", names(replicas, current)) + " drained"));
        }
        return replicas;
    }

    private List<String> names(int fromOrdinal, int toOrdinalExclusive) {
        List<String> names = new ArrayList<>();
        for (int i = fromOrdinal; i < toOrdinalExclusive; i++) {
            names.add(Names.pod(o.cluster(), i));
        }
        return names;
    }

    private Plan progress(Plan plan) {
        Map<String, String> parts = new LinkedHashMap<>();
        List<String> retiring = plan.nodes().values().stream()
                .filter(i -> i.drainReason() == DrainReason.Retire).map(NodeIntent::name).toList();
        if (!retiring.isEmpty() || current > allowed) {
            parts.put("Retiring", "retiring " + String.join(", ", retiring));
        }
        List<String> rolling = plan.nodes().values().stream()
                .filter(i -> i.drainReason() == DrainReason.Rollout).map(NodeIntent::name).toList();
        if (!rolling.isEmpty()) {
            parts.put("RollingOut", Defaults.upgradeStrategy(spec) + " rollout of " + String.join(", ", rolling));
        }
        List<String> starting = names(0, allowed).stream()
                .filter(n -> !o.pod(n).map(PodView::ready).orElse(false))
                .filter(n -> plan.nodes().get(n) == null || !Boolean.TRUE.equals(plan.nodes().get(n).maintenance()))
                .toList();
        if (!starting.isEmpty()) {
            parts.put("Starting", "waiting for " + String.join(", ", starting) + " to become ready");
        }
        if (parts.isEmpty()) {
            return plan;
        }
        return new Plan(plan.statefulSetReplicas(), plan.nodes(), plan.podsToRestart(), plan.cancelTasksOn(),
                plan.nodeRecordsToDelete(), plan.events(), parts.keySet().iterator().next(),
                String.join("; ", parts.values()));
    }
}
