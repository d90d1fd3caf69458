package io.octopusha.operator.flow;

import io.octopusha.operator.Clusters;
import io.octopusha.operator.crd.DrainReason;
import io.octopusha.operator.crd.NodeOverride;
import io.octopusha.operator.crd.NodeStatus;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.model.Labels;
import io.octopusha.operator.model.NodeStatefulSet;
import io.octopusha.operator.nodeclient.NodeSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A cluster "octo" as one reconcile would observe it: by default three healthy nodes on the current template, each
 * with a pod on its own Kubernetes node and an online node record.
 */
final class Fixture {
    static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
    static final String OLD_HASH = "0000000000000000";

    final OctopusCluster cluster = Clusters.minimal("octo", "ns");
    Integer statefulSetReplicas = 3;
    final Map<String, PodView> pods = new LinkedHashMap<>();
    final Map<String, NodeSummary> summaries = new LinkedHashMap<>();
    final Map<String, NodeStatus> previous = new LinkedHashMap<>();
    final Set<String> cordoned = new HashSet<>();
    /** The pod template the StatefulSet holds; null: the one the spec asks for (its update was applied). */
    String statefulSetTemplateHash;
    Instant now = NOW;

    Fixture() {
        for (int i = 0; i < 3; i++) {
            pod(i, true);
            summary(i, 5, false, 0);
        }
    }

    String name(int ordinal) {
        return "octo-" + ordinal;
    }

    /** A running pod from the current template, started ten minutes ago on Kubernetes node kube-{ordinal}. */
    Fixture pod(int ordinal, boolean ready) {
        return pod(ordinal, ready, NodeStatefulSet.templateHash(cluster, Clusters.ADMIN_KEY), "kube-" + ordinal, NOW.minus(Duration.ofMinutes(10)));
    }

    Fixture pod(int ordinal, boolean ready, String hash, String kubeNode, Instant started) {
        pods.put(name(ordinal), new PodView(name(ordinal), ordinal, hash, true, false, ready, kubeNode, started, Labels.IN));
        return this;
    }

    Fixture outdatedPod(int ordinal, boolean ready) {
        return pod(ordinal, ready, OLD_HASH, "kube-" + ordinal, NOW.minus(Duration.ofDays(1)));
    }

    Fixture noPod(int ordinal) {
        pods.remove(name(ordinal));
        return this;
    }

    Fixture summary(int ordinal, int cap, boolean maintenance, int running) {
        return summary(ordinal, cap, maintenance, running, NOW.minusSeconds(2));
    }

    Fixture summary(int ordinal, int cap, boolean maintenance, int running, Instant lastSeen) {
        String status = maintenance ? (running > 0 ? "Draining" : "Drained") : "Running";
        summaries.put(name(ordinal), new NodeSummary("OctopusServerNodes-" + name(ordinal), name(ordinal), cap,
                maintenance, lastSeen.toString(), false, running, "0.1.0", status));
        return this;
    }

    Fixture noSummary(int ordinal) {
        summaries.remove(name(ordinal));
        return this;
    }

    /** Bookkeeping of an earlier reconcile: the operator drained this node for this reason at that time. */
    Fixture drainedBefore(int ordinal, DrainReason reason, Instant since) {
        NodeStatus node = new NodeStatus();
        node.name = name(ordinal);
        node.drain = true;
        node.drainReason = reason;
        node.drainStartedAt = since.toString();
        previous.put(node.name, node);
        return this;
    }

    NodeOverride override(int ordinal) {
        NodeOverride override = cluster.getSpec().nodes.stream().filter(n -> n.name.equals(name(ordinal))).findFirst()
                .orElseGet(() -> {
                    NodeOverride created = new NodeOverride(name(ordinal));
                    cluster.getSpec().nodes.add(created);
                    return created;
                });
        return override;
    }

    Observation observation() {
        return new Observation(cluster, statefulSetReplicas, Objects.requireNonNullElseGet(statefulSetTemplateHash,
                () -> NodeStatefulSet.templateHash(cluster, Clusters.ADMIN_KEY)),
                new ArrayList<>(pods.values()), cordoned, summaries, previous, now);
    }

    Plan plan() {
        return ClusterPlanner.plan(observation());
    }

    /** Feeds a plan's bookkeeping back as the previous status, as the status patch does between reconciles. */
    Fixture remember(Plan plan) {
        previous.clear();
        StatusBuilder.build(observation(), plan, Set.of(), null, List.of(), List.of(), null).nodes
                .forEach(n -> previous.put(n.name, n));
        return this;
    }
}
