package io.octopusha.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.octopusha.operator.crd.Defaults;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.crd.OctopusClusterStatus;
import io.octopusha.operator.crd.SecretKeyRef;
import io.octopusha.operator.dependent.AdminKeySecretDependent;
import io.octopusha.operator.dependent.ChildFailures;
import io.octopusha.operator.dependent.ClientServiceDependent;
import io.octopusha.operator.dependent.DesiredState;
import io.octopusha.operator.dependent.DisruptionBudgetDependent;
import io.octopusha.operator.dependent.HeadlessServiceDependent;
import io.octopusha.operator.dependent.IngressDependent;
import io.octopusha.operator.dependent.NodeSettingsConfigMapDependent;
import io.octopusha.operator.dependent.NodeStatefulSetDependent;
import io.octopusha.operator.dependent.Preconditions;
import io.octopusha.operator.dependent.ServiceAccountDependent;
import io.octopusha.operator.dependent.SharedStorageClaimDependent;
import io.octopusha.operator.flow.ClusterEvents;
import io.octopusha.operator.flow.ClusterObserver;
import io.octopusha.operator.flow.ClusterPlanner;
import io.octopusha.operator.flow.ClusterView;
import io.octopusha.operator.flow.Plan;
import io.octopusha.operator.flow.PlanApplier;
import io.octopusha.operator.flow.PlannedEvent;
import io.octopusha.operator.flow.SpecValidation;
import io.octopusha.operator.flow.StatusBuilder;
import io.octopusha.operator.model.AdminApiKey;
import io.octopusha.operator.model.AdminKeySecret;
import io.octopusha.operator.model.Labels;
import io.octopusha.operator.model.SecretData;
import io.octopusha.operator.nodeclient.NodeApiFactory;
import io.octopusha.operator.nodeclient.NodeUrlResolver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reconciles an OctopusCluster: check the spec and its Secrets, observe the cluster, plan the flows, create or update
 * the Kubernetes objects, drive the nodes through their API, and report status. It never waits for a node: a flow
 * that must wait is planned again on the next reconcile, which comes sooner while something is in progress.
 */
@ControllerConfiguration(name = "octopuscluster")
@Workflow(explicitInvocation = true, handleExceptionsInReconciler = true, dependents = {
        @Dependent(name = "node-settings", type = NodeSettingsConfigMapDependent.class),
        @Dependent(name = "admin-key", type = AdminKeySecretDependent.class,
                reconcilePrecondition = Preconditions.GeneratesAdminKey.class),
        @Dependent(name = "service-account", type = ServiceAccountDependent.class),
        @Dependent(name = "headless-service", type = HeadlessServiceDependent.class),
        @Dependent(name = "client-service", type = ClientServiceDependent.class),
        @Dependent(name = "shared-storage", type = SharedStorageClaimDependent.class,
                reconcilePrecondition = Preconditions.CreatesSharedClaim.class),
        @Dependent(name = "disruption-budget", type = DisruptionBudgetDependent.class),
        @Dependent(name = "ingress", type = IngressDependent.class,
                reconcilePrecondition = Preconditions.IngressEnabled.class),
        @Dependent(name = "statefulset", type = NodeStatefulSetDependent.class)
})
public class OctopusClusterReconciler implements Reconciler<OctopusCluster> {
    /** How soon to look again while a drain, retire, rollout or start is in progress. */
    static final Duration BUSY_INTERVAL = Duration.ofSeconds(5);
    /** How often to refresh status.nodes and the queue counts otherwise. */
    static final Duration IDLE_INTERVAL = Duration.ofSeconds(30);

    private final ClusterObserver observer;
    private final ClusterEvents events;
    private final Clock clock;

    public OctopusClusterReconciler(KubernetesClient client, NodeUrlResolver resolver, NodeApiFactory nodeApis,
                                    Clock clock) {
        this.observer = new ClusterObserver(resolver, nodeApis);
        this.events = new ClusterEvents(client, clock);
        this.clock = clock;
    }

    @Override
    public UpdateControl<OctopusCluster> reconcile(OctopusCluster cluster, Context<OctopusCluster> context) {
        Instant now = clock.instant();
        List<String> specProblems = SpecValidation.specProblems(cluster.getSpec());
        if (!specProblems.isEmpty()) {
            return report(cluster, StatusBuilder.invalid(cluster, SpecValidation.INVALID_SPEC, specProblems, now),
                    context, IDLE_INTERVAL);
        }
        Map<String, Map<String, String>> secrets = new HashMap<>();
        List<String> secretProblems = SpecValidation.secretProblems(cluster.getSpec(),
                name -> secrets.computeIfAbsent(name, n -> secretData(context.getClient(), cluster, n)));
        if (!secretProblems.isEmpty()) {
            return report(cluster, StatusBuilder.invalid(cluster, SpecValidation.SECRET_NOT_FOUND, secretProblems, now),
                    context, BUSY_INTERVAL);
        }
        String adminApiKey = adminApiKey(context.getClient(), cluster);

        ClusterView view = observer.observe(cluster, context, adminApiKey, now);
        Plan plan = ClusterPlanner.plan(view.observation());

        DesiredState.put(context, plan.statefulSetReplicas(), adminApiKey);
        List<String> failures = new ArrayList<>(ChildFailures.of(
                context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow()));
        PlanApplier.Result applied = new PlanApplier(context.getClient(), events).apply(cluster, plan, view);
        failures.addAll(applied.failures());
        failures.forEach(f -> events.record(cluster, PlannedEvent.warning(StatusBuilder.CHILD_OBJECT_FAILED, f)));

        OctopusClusterStatus status = StatusBuilder.build(view.observation(), plan, applied.notApplied(), view.queue(),
                degradations(cluster), failures, view.nodeApiError());
        boolean busy = plan.inProgress() || !failures.isEmpty();
        return report(cluster, status, context, busy ? BUSY_INTERVAL : IDLE_INTERVAL);
    }

    /** Problems that do not stop the operator but that the user must know about. */
    private static List<String> degradations(OctopusCluster cluster) {
        var spec = cluster.getSpec();
        if (spec.nodeLimit != null && spec.replicas > spec.nodeLimit) {
            return List.of("spec.replicas " + spec.replicas + " exceeds nodeLimit " + spec.nodeLimit
                    + ": running " + Defaults.allowedReplicas(spec) + " nodes");
        }
        return List.of();
    }

    /**
     * Writes the status only when it changed, so that an idle cluster causes no API writes; a node's lastSeen moving
     * on is no change (it is written with the next real one). The write waits until the operator's own cache holds the
     * new status: the next reconcile, which a pod event can start at once, must plan from the drain bookkeeping just
     * written, not from the one before.
     */
    private static UpdateControl<OctopusCluster> report(OctopusCluster cluster, OctopusClusterStatus status,
                                                        Context<OctopusCluster> context, Duration next) {
        if (statusChanged(cluster, status)) {
            PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(cluster, context, fresh -> {
                fresh.setStatus(status);
                return fresh;
            });
        }
        return UpdateControl.<OctopusCluster>noUpdate().rescheduleAfter(next);
    }

    static boolean statusChanged(OctopusCluster cluster, OctopusClusterStatus status) {
        return !Objects.equals(withoutLastSeen(status),
                withoutLastSeen(Optional.ofNullable(cluster.getStatus()).orElseGet(OctopusClusterStatus::new)));
    }

    private static JsonNode withoutLastSeen(OctopusClusterStatus status) {
        JsonNode tree = Serialization.jsonMapper().valueToTree(status);
        tree.path("nodes").forEach(n -> ((ObjectNode) n).remove("lastSeen"));
        return tree;
    }

    /** The referenced key, or the generated one: reused from its Secret, created once when there is none yet. */
    private static String adminApiKey(KubernetesClient client, OctopusCluster cluster) {
        SecretKeyRef ref = AdminApiKey.ref(cluster);
        Map<String, String> data = secretData(client, cluster, ref.name);
        if (data != null && data.containsKey(ref.key)) {
            return data.get(ref.key);
        }
        return AdminKeySecret.newApiKey();
    }

    private static Map<String, String> secretData(KubernetesClient client, OctopusCluster cluster, String name) {
        Secret secret = client.secrets().inNamespace(cluster.getMetadata().getNamespace()).withName(name).get();
        return secret == null ? null : SecretData.of(secret);
    }

    /** Node pods (any change of theirs matters to the flows) and Kubernetes nodes (cordons). */
    @Override
    public List<EventSource<?, OctopusCluster>> prepareEventSources(EventSourceContext<OctopusCluster> context) {
        var pods = new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, OctopusCluster.class)
                .withName(ClusterObserver.POD_EVENT_SOURCE)
                .withLabelSelector(Labels.NAME + "=" + Labels.NODE_APP)
                .withSecondaryToPrimaryMapper(pod -> Optional.ofNullable(pod.getMetadata().getLabels())
                        .map(l -> l.get(Labels.INSTANCE))
                        .map(name -> Set.of(new ResourceID(name, pod.getMetadata().getNamespace())))
                        .orElse(Set.of()))
                .build(), context);
        var kubeNodes = new InformerEventSource<>(InformerEventSourceConfiguration.from(Node.class, OctopusCluster.class)
                .withName(ClusterObserver.KUBE_NODE_EVENT_SOURCE)
                .withWatchAllNamespaces()
                .withOnUpdateFilter((updated, old) ->
                        ClusterObserver.unschedulable(updated) != ClusterObserver.unschedulable(old))
                .withSecondaryToPrimaryMapper(node -> context.getPrimaryCache().list()
                        .map(ResourceID::fromResource).collect(Collectors.toSet()))
                .build(), context);
        return List.of(pods, kubeNodes);
    }
}
