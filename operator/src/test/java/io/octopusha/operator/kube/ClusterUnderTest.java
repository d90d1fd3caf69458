package io.octopusha.operator.kube;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.TestDatabase;
import io.octopusha.operator.crd.NodeStatus;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.crd.OctopusClusterStatus;
import io.octopusha.operator.model.Labels;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

/**
 * One OctopusCluster on the tier, seen the way a user sees it: applied with kubectl, read through the API server, and
 * its nodes reached at their pod IPs or through the client Service's ready endpoints (standing in for kube-proxy).
 */
public final class ClusterUnderTest {
    public static final String ADMIN_KEY = "API-KUBETIERADMINKEY0000000000000";

    private final KubeEnvironment env;
    private final String namespace;
    private final String name;
    private final boolean generatedKey;

    private ClusterUnderTest(KubeEnvironment env, String namespace, String name, boolean generatedKey) {
        this.env = env;
        this.namespace = namespace;
        this.name = name;
        this.generatedKey = generatedKey;
    }

    /**
     * Creates the database and admin-key Secrets (a fresh database on the shared embedded PostgreSQL) and applies the
     * cluster with kubectl; {@code spec} is YAML indented for the spec block, after the required fields.
     */
    public static ClusterUnderTest apply(KubeEnvironment env, String namespace, String name, int replicas, String spec) {
        env.admin().secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata()
                .withName(name + "-admin").endMetadata().withStringData(Map.of("key", ADMIN_KEY)).build()).create();
        return apply(env, namespace, name, replicas, "  adminApiKeySecretRef: {name: " + name + "-admin, key: key}\n"
                + spec, false);
    }

    /** The same, with the admin API key the operator generates (the spec references none). */
    public static ClusterUnderTest applyWithGeneratedKey(KubeEnvironment env, String namespace, String name, int replicas,
                                                         String spec) {
        return apply(env, namespace, name, replicas, spec, true);
    }

    private static ClusterUnderTest apply(KubeEnvironment env, String namespace, String name, int replicas, String spec,
                                          boolean generatedKey) {
        env.admin().secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName(name + "-db")
                .endMetadata().withStringData(Map.of("url", TestDatabase.freshDatabaseUrl(), "user", TestDatabase.user()))
                .build()).create();
        ClusterUnderTest cluster = new ClusterUnderTest(env, namespace, name, generatedKey);
        env.kubectl().runWithInput(cluster.yaml(replicas, spec), "apply", "-f", "-").assertSuccess();
        return cluster;
    }

    /** The manifest a user would write: required fields, the database Secret above, then {@code spec}. */
    public String yaml(int replicas, String spec) {
        return """
                apiVersion: octopusha.io/v1alpha1
                kind: OctopusCluster
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  replicas: %d
                  image: octopusha/node:0.1.0
                  database:
                    urlSecretRef: {name: %s-db, key: url}
                    userSecretRef: {name: %s-db, key: user}
                """.formatted(name, namespace, replicas, name, name) + spec;
    }

    /** The admin API key the nodes accept: the referenced one, or the one the operator generated. */
    public String adminKey() {
        if (!generatedKey) return ADMIN_KEY;
        var secret = env.admin().secrets().inNamespace(namespace).withName(name + "-admin-api-key").get();
        return new String(java.util.Base64.getDecoder().decode(secret.getData().get("apiKey")),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    public String namespace() {
        return namespace;
    }

    public String name() {
        return name;
    }

    public String pod(int ordinal) {
        return name + "-" + ordinal;
    }

    public Resource<OctopusCluster> resource() {
        return env.admin().resources(OctopusCluster.class).inNamespace(namespace).withName(name);
    }

    public OctopusCluster get() {
        return resource().get();
    }

    /** Sets spec.replicas, as `kubectl scale` does through the resource. */
    public void scaleTo(int replicas) {
        edit(c -> {
            c.getSpec().replicas = replicas;
            return c;
        });
    }

    /**
     * Changes the spec as `kubectl edit` would: one update of the whole object, tried again on a conflict (the
     * operator writes the status meanwhile).
     */
    public void edit(UnaryOperator<OctopusCluster> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                resource().edit(change);
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) throw e;
            }
        }
    }

    public OctopusClusterStatus status() {
        return Optional.ofNullable(get()).map(OctopusCluster::getStatus).orElseGet(OctopusClusterStatus::new);
    }

    public Optional<NodeStatus> nodeStatus(String pod) {
        return status().nodes.stream().filter(n -> n.name.equals(pod)).findFirst();
    }

    public List<Pod> pods() {
        return env.admin().pods().inNamespace(namespace).withLabel(Labels.INSTANCE, name)
                .withLabel(Labels.NAME, Labels.NODE_APP).list().getItems();
    }

    public Optional<Pod> findPod(String pod) {
        return Optional.ofNullable(env.admin().pods().inNamespace(namespace).withName(pod).get());
    }

    public static boolean ready(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** The node API of one pod at its pod IP, with the admin key. */
    public Api nodeApi(String pod) {
        String ip = findPod(pod).map(p -> p.getStatus().getPodIP())
                .orElseThrow(() -> new AssertionError("no pod " + pod));
        return new Api("http://" + ip + ":8080", adminKey());
    }

    /** Addresses the EndpointSlice controller lists as ready for the client Service. */
    public List<String> readyEndpoints() {
        return env.admin().discovery().v1().endpointSlices().inNamespace(namespace)
                .withLabel("kubernetes.io/service-name", name).list().getItems().stream()
                .map(EndpointSlice::getEndpoints).filter(java.util.Objects::nonNull).flatMap(List::stream)
                .filter(e -> e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getReady()))
                .map(Endpoint::getAddresses).flatMap(List::stream).sorted().toList();
    }

    public List<String> podIps(String... pods) {
        return java.util.Arrays.stream(pods).map(p -> findPod(p).orElseThrow().getStatus().getPodIP()).sorted().toList();
    }

    /** The API through the client Service: one of its ready endpoints, as kube-proxy would pick. */
    public Optional<Api> serviceApi() {
        List<String> endpoints = readyEndpoints();
        if (endpoints.isEmpty()) return Optional.empty();
        String ip = endpoints.get(ThreadLocalRandom.current().nextInt(endpoints.size()));
        return Optional.of(new Api("http://" + ip + ":8080", adminKey()));
    }

    public int statefulSetReplicas() {
        return Optional.ofNullable(env.admin().apps().statefulSets().inNamespace(namespace).withName(name).get())
                .map(s -> s.getSpec().getReplicas()).orElse(-1);
    }

    public String kubeNodeOf(String pod) {
        return findPod(pod).map(p -> p.getSpec().getNodeName()).orElse(null);
    }

    /** Node names in the cluster's node summary, read through the Service. */
    public List<String> nodeRecords() {
        List<String> names = new java.util.ArrayList<>();
        serviceApi().orElseThrow().get("/api/octopusservernodes/summary").json().get("Nodes")
                .forEach(n -> names.add(n.get("Name").asText()));
        return names;
    }

    /** Changes one node's override as a user would in the spec (null leaves that field alone). */
    public void override(String pod, Boolean drain, Integer taskCap) {
        edit(c -> {
            var override = c.getSpec().nodes.stream().filter(n -> n.name.equals(pod)).findFirst().orElseGet(() -> {
                var created = new io.octopusha.operator.crd.NodeOverride(pod);
                c.getSpec().nodes.add(created);
                return created;
            });
            if (drain != null) override.drain = drain;
            if (taskCap != null) override.taskCap = taskCap;
            return c;
        });
    }

    public void clearOverrides() {
        edit(c -> {
            c.getSpec().nodes.clear();
            return c;
        });
    }

    /** kubectl delete of the OctopusCluster; the garbage collector removes what it owns. */
    public void deleteAndAwaitPodsGone() {
        env.kubectl().run("delete", "octo", name, "-n", namespace, "--wait=true").assertSuccess();
        env.awaitOrDescribe(namespace, name + " pods gone", Duration.ofMinutes(2), () -> pods().isEmpty());
    }

    /** Waits until every node of {@code replicas} is ready, serving, undrained and in the Service. */
    public void awaitServing(int replicas, Duration timeout) {
        env.awaitOrDescribe(namespace, name + " serving with " + replicas + " nodes", timeout, () -> {
                    OctopusClusterStatus status = status();
                    List<Pod> pods = pods();
                    return pods.size() == replicas && pods.stream().allMatch(ClusterUnderTest::ready)
                            && status.readyReplicas != null && status.readyReplicas == replicas
                            && status.nodes.size() == replicas
                            && status.nodes.stream().allMatch(n -> "Running".equals(String.valueOf(n.status))
                            && !Boolean.TRUE.equals(n.drain) && Boolean.TRUE.equals(n.inLoadBalancer))
                            && readyEndpoints().size() == replicas;
        });
    }
}
