package io.octopusha.operator.flow;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.octopusha.operator.crd.NodeStatus;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.crd.QueueStatus;
import io.octopusha.operator.model.Labels;
import io.octopusha.operator.model.Names;
import io.octopusha.operator.model.NodeStatefulSet;
import io.octopusha.operator.nodeclient.NodeApi;
import io.octopusha.operator.nodeclient.NodeApiException;
import io.octopusha.operator.nodeclient.NodeApiFactory;
import io.octopusha.operator.nodeclient.NodeSummary;
import io.octopusha.operator.nodeclient.NodeUrlResolver;
import java.net.URI;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Gathers one reconcile's observation: the pods, the StatefulSet, cordoned Kubernetes nodes, and the node API. */
public final class ClusterObserver {
    public static final String POD_EVENT_SOURCE = "node-pods";
    public static final String KUBE_NODE_EVENT_SOURCE = "kube-nodes";
    public static final String UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable";

    private final NodeUrlResolver resolver;
    private final NodeApiFactory nodeApis;
    /** The admin key the nodes of each cluster (by uid) last accepted: still tried first after a rotation. */
    private final Map<String, String> acceptedKeys = new ConcurrentHashMap<>();

    public ClusterObserver(NodeUrlResolver resolver, NodeApiFactory nodeApis) {
        this.resolver = resolver;
        this.nodeApis = nodeApis;
    }

    public ClusterView observe(OctopusCluster cluster, Context<OctopusCluster> context, String adminApiKey, Instant now) {
        List<Pod> pods = pods(cluster, context);
        Optional<StatefulSet> statefulSet = context.getSecondaryResource(StatefulSet.class);
        Integer replicas = statefulSet.map(s -> s.getSpec().getReplicas()).orElse(null);
        String templateHash = statefulSet.map(s -> NodeStatefulSet.hashOf(s.getSpec().getTemplate().getMetadata()
                .getAnnotations())).orElse(null);
        Map<String, NodeStatus> previous = Optional.ofNullable(cluster.getStatus()).map(s -> s.nodes).orElse(List.of())
                .stream().collect(Collectors.toMap(n -> n.name, Function.identity(), (a, b) -> b));
        Optional<NodeApi> api = Optional.empty();
        Map<String, NodeSummary> summaries = Map.of();
        QueueStatus queue = null;
        String error = null;
        List<URI> urls = pods.stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .sorted(Comparator.comparing((Pod p) -> !ready(p)))
                .map(resolver::baseUrl).flatMap(Optional::stream).toList();
        if (urls.isEmpty()) {
            error = "no node pod has an address yet";
        } else {
            try {
                String uid = cluster.getMetadata().getUid();
                List<String> keys = Stream.of(acceptedKeys.get(uid), adminApiKey).filter(Objects::nonNull).distinct().toList();
                NodeApi nodeApi = nodeApis.connect(urls, keys, key -> acceptedKeys.put(uid, key));
                summaries = nodeApi.summary().stream()
                        .filter(s -> Names.ordinal(cluster, s.name()) >= 0)
                        .collect(Collectors.toMap(NodeSummary::name, Function.identity(), (a, b) -> b));
                queue = new QueueStatus(nodeApi.countTasks("Queued"), nodeApi.countTasks("Executing"));
                api = Optional.of(nodeApi);
            } catch (NodeApiException e) {
                error = e.getMessage();
            }
        }
        Observation observation = new Observation(cluster, replicas, templateHash,
                pods.stream().map(p -> view(cluster, p)).toList(), unschedulableNodes(context), summaries, previous, now);
        return new ClusterView(observation, api, queue, error);
    }

    @SuppressWarnings("unchecked")
    static List<Pod> pods(OctopusCluster cluster, Context<OctopusCluster> context) {
        var source = (InformerEventSource<Pod, OctopusCluster>) context.eventSourceRetriever()
                .getEventSourceFor(Pod.class, POD_EVENT_SOURCE);
        return source.list(cluster.getMetadata().getNamespace(),
                        p -> cluster.getMetadata().getName().equals(p.getMetadata().getLabels().get(Labels.INSTANCE)))
                .filter(p -> Names.ordinal(cluster, p.getMetadata().getName()) >= 0)
                .toList();
    }

    @SuppressWarnings("unchecked")
    private static Set<String> unschedulableNodes(Context<OctopusCluster> context) {
        var source = (InformerEventSource<Node, OctopusCluster>) context.eventSourceRetriever()
                .getEventSourceFor(Node.class, KUBE_NODE_EVENT_SOURCE);
        return source.list(ClusterObserver::unschedulable).map(n -> n.getMetadata().getName()).collect(Collectors.toSet());
    }

    /** Cordoned: kubectl cordon and drain set spec.unschedulable, which the node controller mirrors as a taint. */
    public static boolean unschedulable(Node node) {
        boolean cordoned = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        boolean tainted = node.getSpec() != null && node.getSpec().getTaints() != null
                && node.getSpec().getTaints().stream().anyMatch(t -> UNSCHEDULABLE_TAINT.equals(t.getKey()));
        return cordoned || tainted;
    }

    static PodView view(OctopusCluster cluster, Pod pod) {
        String name = pod.getMetadata().getName();
        boolean terminating = pod.getMetadata().getDeletionTimestamp() != null;
        var status = pod.getStatus();
        boolean running = !terminating && status != null && "Running".equals(status.getPhase());
        Instant started = status == null ? null : Optional.ofNullable(status.getContainerStatuses()).orElse(List.of())
                .stream().filter(c -> NodeStatefulSet.CONTAINER.equals(c.getName()))
                .map(ContainerStatus::getState).filter(Objects::nonNull)
                .map(s -> s.getRunning() == null ? null : s.getRunning().getStartedAt())
                .filter(Objects::nonNull).map(Instant::parse).findFirst()
                .orElse(status.getStartTime() == null ? null : Instant.parse(status.getStartTime()));
        return new PodView(name, Names.ordinal(cluster, name),
                NodeStatefulSet.hashOf(pod.getMetadata().getAnnotations()), running, terminating, ready(pod),
                pod.getSpec() == null ? null : pod.getSpec().getNodeName(), started,
                Optional.ofNullable(pod.getMetadata().getLabels()).map(l -> l.get(Labels.LOAD_BALANCER)).orElse(null));
    }

    static boolean ready(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                .anyMatch((PodCondition c) -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
