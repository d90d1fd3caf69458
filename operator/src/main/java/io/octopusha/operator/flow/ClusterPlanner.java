package io.octopusha.operator.flow;

import io.octopusha.operator.crd.Defaults;
import io.octopusha.operator.crd.DrainReason;
import io.octopusha.operator.crd.OctopusClusterSpec;
import io.octopusha.operator.flow.update.RolloutState;
import io.octopusha.operator.flow.update.RolloutStep;
import io.octopusha.operator.flow.update.UpdateStrategyFlow;
import io.octopusha.operator.model.Names;
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
 * The operator's decisions as a pure function of one reconcile's observation: which nodes to drain and why, their
 * task caps and load-balancer membership, how far the StatefulSet may shrink, which pods to restart, which drains timed
 * out, and which node records to remove. Nothing here waits: a flow that must wait is planned again on the next
 * reconcile, from the drain bookkeeping kept in the status.
 */
public final class ClusterPlanner {
    private final Observation o;
    private final OctopusClusterSpec spec;
    private final int allowed;
    private final Drains drains;
    private final RetireFlow retire;
    private final List<PlannedEvent> events = new ArrayList<>();

    private ClusterPlanner(Observation observation) {
        this.o = observation;
        this.spec = observation.cluster().getSpec();
        this.allowed = Defaults.allowedReplicas(spec);
        int current = observation.statefulSetReplicas() == null ? allowed : observation.statefulSetReplicas();
        this.drains = new Drains(observation, Defaults.drainTimeout(spec));
        this.retire = new RetireFlow(observation, drains, allowed, current);
    }

    public static Plan plan(Observation observation) {
        return new ClusterPlanner(observation).plan();
    }

    private Plan plan() {
        List<String> names = knownNodes();
        RolloutStep rollout = rollout();
        Map<String, DrainReason> reasons = drainReasons(names, rollout);
        Map<String, NodeIntent> planned = new LinkedHashMap<>();
        names.forEach(n -> planned.put(n, TaskCapsAndDrain.intent(o, drains, n, reasons.get(n), events)));
        Map<String, NodeIntent> intents = TaskCapsAndDrain.keepTheApiServed(o, planned);

        int replicas = retire.statefulSetReplicas(events);
        List<String> cancel = intents.values().stream().filter(drains::timedOutWithTasks).map(NodeIntent::name).toList();
        cancel.forEach(n -> events.add(PlannedEvent.warning("DrainTimeout", "Node " + n + ", drained for "
                + intents.get(n).drainReason() + " since " + intents.get(n).drainStartedAt()
                + ", still runs tasks after drainTimeout " + Defaults.drainTimeout(spec) + "; cancelling them")));
        rollout.restart().forEach(n -> events.add(PlannedEvent.normal("Restarting",
                "Restarting " + n + " for the new pod template (" + Defaults.upgradeStrategy(spec) + ")")));
        return withProgress(new Plan(replicas, intents, rollout.restart(), cancel,
                retire.recordsToDelete(names, replicas), events, "", ""));
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

    /** Why each node must be drained; when several flows want a node drained, the reported reason is the strongest. */
    private Map<String, DrainReason> drainReasons(List<String> names, RolloutStep rollout) {
        Map<String, DrainReason> reasons = new HashMap<>();
        CordonFollowing.drained(o, names).ifPresent(n -> reasons.put(n, DrainReason.NodeCordoned));
        rollout.drain().forEach(n -> reasons.put(n, DrainReason.Rollout));
        names.stream().filter(retire::leaving).forEach(n -> reasons.put(n, DrainReason.Retire));
        names.stream().filter(n -> TaskCapsAndDrain.drainedBySpec(o, n)).forEach(n -> reasons.put(n, DrainReason.Spec));
        return reasons;
    }

    private RolloutStep rollout() {
        List<PodView> members = o.pods().stream().filter(p -> p.ordinal() < allowed)
                .sorted(Comparator.comparingInt(PodView::ordinal)).toList();
        // Retire first: outdated pods restart once the cluster has its new size.
        Set<String> outdated = retire.inProgress() ? Set.of()
                : members.stream().filter(o::isOutdated).map(PodView::name).collect(Collectors.toSet());
        Set<String> inRollout = o.previousNodes().values().stream()
                .filter(n -> n.drainReason == DrainReason.Rollout).map(n -> n.name).collect(Collectors.toSet());
        var state = new RolloutState(memberNames(), members, outdated, inRollout,
                n -> drains.settled(n, DrainReason.Rollout), o::isUp, n -> o.pod(n).map(PodView::ready).orElse(false));
        return UpdateStrategyFlow.of(Defaults.upgradeStrategy(spec)).next(state);
    }

    private List<String> memberNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < allowed; i++) {
            names.add(Names.pod(o.cluster(), i));
        }
        return names;
    }

    private Plan withProgress(Plan plan) {
        Map<String, String> parts = new LinkedHashMap<>();
        List<String> retiring = namesWithReason(plan, DrainReason.Retire);
        if (!retiring.isEmpty() || retire.inProgress()) {
            parts.put("Retiring", "retiring " + String.join(", ", retiring));
        }
        List<String> rolling = namesWithReason(plan, DrainReason.Rollout);
        if (!rolling.isEmpty()) {
            parts.put("RollingOut", Defaults.upgradeStrategy(spec) + " rollout of " + String.join(", ", rolling));
        }
        // A drain that waits for a check-in (a cordon drain after the pod moved, a restarted node) must be looked at
        // again soon, not after the idle interval. Without summaries (node API unreachable) check-ins are unknown.
        boolean checkInsKnown = !o.summaries().isEmpty();
        List<String> starting = memberNames().stream()
                .filter(n -> !o.pod(n).map(PodView::ready).orElse(false) || (checkInsKnown && !o.isCheckedIn(n)))
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

    private static List<String> namesWithReason(Plan plan, DrainReason reason) {
        return plan.nodes().values().stream().filter(i -> i.drainReason() == reason).map(NodeIntent::name).toList();
    }
}
