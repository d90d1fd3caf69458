package io.octopusha.operator.flow;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.model.Labels;
import io.octopusha.operator.model.Names;
import io.octopusha.operator.nodeclient.NodeApi;
import io.octopusha.operator.nodeclient.NodeApiException;
import io.octopusha.operator.nodeclient.NodeSummary;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Carries a plan out: pod labels, task caps and drains through the node API, cancellations, restarts, clean-up. */
public final class PlanApplier {
    private static final Logger LOG = LoggerFactory.getLogger(PlanApplier.class);

    private final KubernetesClient client;
    private final ClusterEvents events;

    public PlanApplier(KubernetesClient client, ClusterEvents events) {
        this.client = client;
        this.events = events;
    }

    /**
     * What could not be done.
     *
     * @param notApplied nodes whose undrain could not be applied yet, so that their drain bookkeeping is kept
     * @param failures   Kubernetes requests the API server refused, as "what: its message"
     */
    public record Result(Set<String> notApplied, List<String> failures) {
    }

    /** Applies every part it can; a refused request is reported, and the rest of the plan still runs. */
    public Result apply(OctopusCluster cluster, Plan plan, ClusterView view) {
        Observation o = view.observation();
        List<String> failures = new ArrayList<>();
        // Out of the load balancer before a drain; back in only after the undrain was applied: a node whose undrain
        // failed (node API unreachable) is still drained and stays out.
        labelPods(cluster, plan, o, Labels.OUT, Set.of(), failures);
        Set<String> notApplied = new HashSet<>();
        for (NodeIntent intent : plan.nodes().values()) {
            if (!applyToNode(cluster, intent, o.summary(intent.name()), view.nodeApi())
                    && Boolean.FALSE.equals(intent.maintenance())) {
                notApplied.add(intent.name());
            }
        }
        labelPods(cluster, plan, o, Labels.IN, notApplied, failures);
        view.nodeApi().ifPresent(api -> {
            plan.cancelTasksOn().forEach(n -> cancelTasks(cluster, api, n));
            plan.nodeRecordsToDelete().forEach(n -> deleteRecord(cluster, api, n));
        });
        plan.events().forEach(e -> events.record(cluster, e));
        for (String pod : plan.podsToRestart()) {
            kubernetes("Pod " + pod + " restart", failures, () -> client.pods()
                    .inNamespace(cluster.getMetadata().getNamespace()).withName(pod).delete());
        }
        return new Result(notApplied, failures);
    }

    private static void kubernetes(String what, List<String> failures, Runnable request) {
        try {
            request.run();
        } catch (KubernetesClientException e) {
            LOG.warn("{} failed: {}", what, ApiErrors.message(e));
            failures.add(what + ": " + ApiErrors.message(e));
        }
    }

    /** Sets the load-balancer label to {@code only} on the pods that should have it and do not. */
    private void labelPods(OctopusCluster cluster, Plan plan, Observation o, String only, Set<String> stillDrained,
                           List<String> failures) {
        for (PodView pod : o.pods()) {
            NodeIntent intent = plan.nodes().get(pod.name());
            boolean in = intent != null && intent.inLoadBalancer() && !stillDrained.contains(pod.name());
            String label = in ? Labels.IN : Labels.OUT;
            if (label.equals(only) && !label.equals(pod.loadBalancerLabel()) && !pod.terminating()) {
                LOG.info("{}/{}: pod {} load-balancer={}", cluster.getMetadata().getNamespace(),
                        cluster.getMetadata().getName(), pod.name(), label);
                // A merge patch of the one label, without a resourceVersion: the kubelet writes the pod's status
                // meanwhile, and the label does not depend on anything else in the pod.
                kubernetes("Pod " + pod.name() + " label", failures, () -> client.pods()
                        .inNamespace(cluster.getMetadata().getNamespace()).withName(pod.name())
                        .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(
                                Map.of("metadata", Map.of("labels", Map.of(Labels.LOAD_BALANCER, label))))));
            }
        }
    }

    /** @return whether the node now has the intended cap and drain flag */
    private boolean applyToNode(OctopusCluster cluster, NodeIntent intent, Optional<NodeSummary> summary,
                                Optional<NodeApi> api) {
        if (summary.isEmpty() || summary.get().offline() || api.isEmpty()) {
            return false;
        }
        NodeSummary node = summary.get();
        Integer cap = node.maxConcurrentTasks() == intent.taskCap() ? null : intent.taskCap();
        Boolean maintenance = intent.maintenance() == null || intent.maintenance() == node.inMaintenanceMode()
                ? null : intent.maintenance();
        if (cap == null && maintenance == null) {
            return true;
        }
        try {
            api.get().updateNode(node.id(), cap, maintenance);
            LOG.info("{}/{}: node {} cap={} drain={}", cluster.getMetadata().getNamespace(),
                    cluster.getMetadata().getName(), intent.name(), Objects.requireNonNullElse(cap, node.maxConcurrentTasks()),
                    Objects.requireNonNullElse(maintenance, node.inMaintenanceMode()));
            return true;
        } catch (NodeApiException e) {
            LOG.warn("{}: could not update node {}: {}", cluster.getMetadata().getName(), intent.name(), e.getMessage());
            return false;
        }
    }

    private void cancelTasks(OctopusCluster cluster, NodeApi api, String name) {
        try {
            for (String task : api.activeTaskIds(Names.nodeId(name))) {
                api.cancelTask(task);
                LOG.info("{}: cancelled {} on {} after drainTimeout", cluster.getMetadata().getName(), task, name);
            }
        } catch (NodeApiException e) {
            LOG.warn("{}: could not cancel the tasks of {}: {}", cluster.getMetadata().getName(), name, e.getMessage());
        }
    }

    private void deleteRecord(OctopusCluster cluster, NodeApi api, String name) {
        try {
            if (api.deleteNode(Names.nodeId(name))) {
                events.record(cluster, PlannedEvent.normal("Retired", "Removed the node record of " + name));
            }
        } catch (NodeApiException e) {
            LOG.warn("{}: could not remove the node record of {}: {}", cluster.getMetadata().getName(), name, e.getMessage());
        }
    }
}
