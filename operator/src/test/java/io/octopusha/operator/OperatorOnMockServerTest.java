package io.octopusha.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.octopusha.operator.crd.DrainReason;
import io.octopusha.operator.crd.IngressSpec;
import io.octopusha.operator.crd.NodeOverride;
import io.octopusha.operator.crd.NodePhase;
import io.octopusha.operator.crd.NodeStatus;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.crd.SecretKeyRef;
import io.octopusha.operator.flow.Conditions;
import io.octopusha.operator.model.Labels;
import io.octopusha.operator.model.NodeStatefulSet;
import io.octopusha.operator.nodeclient.NodeApiFactory;
import io.octopusha.operator.nodeclient.NodeUrlResolver;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator in-process against the fabric8 mock API server in CRUD mode. There is no kubelet or StatefulSet
 * controller: the tests create and delete pods themselves. No node process answers here (the node API is unreachable);
 * flows that talk to nodes are exercised end to end with real nodes elsewhere.
 */
class OperatorOnMockServerTest {
    @RegisterExtension
    static final MockKubernetesApi API = new MockKubernetesApi();
    static KubernetesClient client;
    static Operator operator;
    static final AtomicInteger NAMESPACES = new AtomicInteger();

    @BeforeAll
    static void startOperator() throws IOException {
        client = API.client();
        try (InputStream crd = OperatorOnMockServerTest.class
                .getResourceAsStream("/META-INF/fabric8/octopusclusters.octopusha.io-v1.yml")) {
            client.resource(Serialization.unmarshal(crd, CustomResourceDefinition.class)).create();
        }
        // Nothing listens on port 1: every node API call is refused at once.
        NodeUrlResolver nowhere = pod -> Optional.of(URI.create("http://127.0.0.1:1"));
        operator = OctopusOperator.create(client, nowhere, NodeApiFactory.http(Duration.ofMillis(500)),
                Clock.systemUTC(), Metrics.NOOP, Optional.empty(), Set.of());
        operator.start();
    }

    @AfterAll
    static void stopOperator() {
        operator.stop();
    }

    /** Reconciles are asynchronous: wait for the assertion to hold; a resource may not exist yet meanwhile. */
    static ConditionFactory eventually() {
        return await().atMost(Duration.ofSeconds(30)).ignoreExceptions();
    }

    static String newNamespace() {
        String namespace = "test-" + NAMESPACES.incrementAndGet();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
                .create();
        return namespace;
    }

    static void createDatabaseSecret(String namespace) {
        client.secrets().inNamespace(namespace).resource(new SecretBuilder()
                .withNewMetadata().withName(Clusters.DB_SECRET).endMetadata()
                .withStringData(Map.of("url", "jdbc:postgresql://db/octopus", "user", "octopus", "password", "pw"))
                .build()).create();
    }

    static OctopusCluster create(OctopusCluster cluster) {
        cluster.getMetadata().setUid(null);
        cluster.getMetadata().setGeneration(null);
        return client.resource(cluster).create();
    }

    static OctopusCluster get(String namespace, String name) {
        return client.resources(OctopusCluster.class).inNamespace(namespace).withName(name).get();
    }

    static Optional<io.fabric8.kubernetes.api.model.Condition> condition(String namespace, String name, String type) {
        return Optional.ofNullable(get(namespace, name).getStatus())
                .flatMap(s -> s.conditions.stream().filter(c -> c.getType().equals(type)).findFirst());
    }

    static void assertOwnedBy(HasMetadata resource, OctopusCluster owner) {
        assertThat(resource).as("resource").isNotNull();
        List<OwnerReference> refs = resource.getMetadata().getOwnerReferences();
        assertThat(refs).as("owner references of %s", resource.getMetadata().getName())
                .anySatisfy(ref -> {
                    assertThat(ref.getUid()).isEqualTo(owner.getMetadata().getUid());
                    assertThat(ref.getKind()).isEqualTo("OctopusCluster");
                });
    }

    /** Plays the StatefulSet controller and kubelet: a running pod from the current template on a Kubernetes node. */
    static void runPod(OctopusCluster cluster, int ordinal, boolean ready, String kubeNode) {
        String namespace = cluster.getMetadata().getNamespace();
        StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName(cluster.getMetadata().getName()).get();
        var template = sts.getSpec().getTemplate();
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(cluster.getMetadata().getName() + "-" + ordinal).withNamespace(namespace)
                .withLabels(template.getMetadata().getLabels()).withAnnotations(template.getMetadata().getAnnotations())
                .endMetadata()
                .withSpec(template.getSpec())
                .editSpec().withNodeName(kubeNode).endSpec()
                .withNewStatus().withPhase("Running").withStartTime(Instant.now().toString())
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .endStatus()
                .build();
        client.pods().inNamespace(namespace).resource(pod).create();
    }

    @Test
    void createsEveryResourceOwnedByTheCluster() {
        String ns = newNamespace();
        createDatabaseSecret(ns);
        OctopusCluster cluster = Clusters.minimal("alpha", ns);
        cluster.getSpec().ingress = new IngressSpec();
        cluster.getSpec().ingress.enabled = true;
        cluster.getSpec().ingress.host = "octopus.example.com";
        OctopusCluster created = create(cluster);

        eventually().untilAsserted(() -> {
            assertOwnedBy(client.configMaps().inNamespace(ns).withName("alpha-config").get(), created);
            assertOwnedBy(client.services().inNamespace(ns).withName("alpha").get(), created);
            assertOwnedBy(client.services().inNamespace(ns).withName("alpha-nodes").get(), created);
            assertOwnedBy(client.serviceAccounts().inNamespace(ns).withName("alpha").get(), created);
            assertOwnedBy(client.persistentVolumeClaims().inNamespace(ns).withName("alpha-shared").get(), created);
            assertOwnedBy(client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("alpha").get(), created);
            assertOwnedBy(client.network().v1().ingresses().inNamespace(ns).withName("alpha").get(), created);
            assertOwnedBy(client.secrets().inNamespace(ns).withName("alpha-admin-api-key").get(), created);
            assertOwnedBy(client.apps().statefulSets().inNamespace(ns).withName("alpha").get(), created);
        });
        StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName("alpha").get();
        assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
        assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
        assertThat(sts.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv())
                .anySatisfy(e -> {
                    assertThat(e.getName()).isEqualTo("OCTOPUS_ADMIN_API_KEY");
                    assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("alpha-admin-api-key");
                });
        eventually().untilAsserted(() -> {
            var status = get(ns, "alpha").getStatus();
            assertThat(status).isNotNull();
            assertThat(status.labelSelector).isEqualTo("app.kubernetes.io/name=octopus-node,app.kubernetes.io/instance=alpha");
            assertThat(status.observedGeneration).isEqualTo(created.getMetadata().getGeneration());
            assertThat(status.conditions).extracting(c -> c.getType() + "=" + c.getStatus())
                    .containsExactlyInAnyOrder("Ready=False", "Progressing=True", "Degraded=False");
        });
    }

    @Test
    void generatedAdminKeyIsKeptAcrossReconciles() {
        String ns = newNamespace();
        createDatabaseSecret(ns);
        create(Clusters.minimal("keys", ns));
        eventually().until(() ->
                client.secrets().inNamespace(ns).withName("keys-admin-api-key").get() != null);
        String key = client.secrets().inNamespace(ns).withName("keys-admin-api-key").get().getData().get("apiKey");

        client.resources(OctopusCluster.class).inNamespace(ns).withName("keys").edit(c -> {
            c.getSpec().taskCap = 7;
            return c;
        });
        eventually().until(() -> "7".equals(client.configMaps().inNamespace(ns)
                .withName("keys-config").get().getData().get("OCTOPUS_TASK_CAP")));
        assertThat(client.secrets().inNamespace(ns).withName("keys-admin-api-key").get().getData().get("apiKey"))
                .isEqualTo(key);
    }

    @Test
    void referencingAnAdminKeyLaterRemovesTheGeneratedOneAndDisablingTheIngressRemovesIt() {
        String ns = newNamespace();
        createDatabaseSecret(ns);
        OctopusCluster cluster = Clusters.minimal("iota", ns);
        cluster.getSpec().ingress = new IngressSpec();
        cluster.getSpec().ingress.enabled = true;
        create(cluster);
        eventually().untilAsserted(() -> {
            assertThat(client.secrets().inNamespace(ns).withName("iota-admin-api-key").get()).isNotNull();
            assertThat(client.network().v1().ingresses().inNamespace(ns).withName("iota").get()).isNotNull();
        });
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("iota-admin")
                .endMetadata().withStringData(Map.of("key", "API-MINE")).build()).create();

        client.resources(OctopusCluster.class).inNamespace(ns).withName("iota").edit(c -> {
            c.getSpec().adminApiKeySecretRef = new SecretKeyRef("iota-admin", "key");
            c.getSpec().ingress.enabled = false;
            return c;
        });
        eventually().untilAsserted(() -> {
            assertThat(client.secrets().inNamespace(ns).withName("iota-admin-api-key").get()).isNull();
            assertThat(client.network().v1().ingresses().inNamespace(ns).withName("iota").get()).isNull();
            assertThat(client.apps().statefulSets().inNamespace(ns).withName("iota").get().getSpec().getTemplate()
                    .getSpec().getContainers().getFirst().getEnv())
                    .filteredOn(e -> e.getName().equals("OCTOPUS_ADMIN_API_KEY"))
                    .singleElement()
                    .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("iota-admin"));
        });
    }

    @Test
    void missingSecretIsReportedAndNothingIsCreatedUntilItExists() {
        String ns = newNamespace();
        OctopusCluster cluster = Clusters.minimal("beta", ns);
        cluster.getSpec().adminApiKeySecretRef = new SecretKeyRef("beta-admin", "key");
        create(cluster);

        eventually().untilAsserted(() -> {
            var degraded = condition(ns, "beta", Conditions.DEGRADED).orElseThrow();
            assertThat(degraded.getStatus()).isEqualTo("True");
            assertThat(degraded.getReason()).isEqualTo("SecretNotFound");
            assertThat(degraded.getMessage()).contains("Secret octopus-db not found", "Secret beta-admin not found");
        });
        assertThat(client.apps().statefulSets().inNamespace(ns).list().getItems()).isEmpty();
        assertThat(client.configMaps().inNamespace(ns).withName("beta-config").get()).isNull();
        assertThat(client.services().inNamespace(ns).list().getItems()).isEmpty();

        createDatabaseSecret(ns);
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("beta-admin")
                .endMetadata().withStringData(Map.of("key", "API-TESTKEY")).build()).create();
        eventually().untilAsserted(() -> {
            assertThat(client.apps().statefulSets().inNamespace(ns).withName("beta").get()).isNotNull();
            assertThat(condition(ns, "beta", Conditions.DEGRADED).orElseThrow().getStatus()).isEqualTo("False");
        });
        assertThat(client.secrets().inNamespace(ns).withName("beta-admin-api-key").get())
                .as("no generated key when one is referenced").isNull();
    }

    @Test
    void invalidSpecIsReportedAsDegraded() {
        String ns = newNamespace();
        createDatabaseSecret(ns);
        OctopusCluster cluster = Clusters.minimal("gamma", ns);
        cluster.getSpec().taskCap = -1;
        cluster.getSpec().database = null;
        create(cluster);

        eventually().untilAsserted(() -> {
            var degraded = condition(ns, "gamma", Conditions.DEGRADED).orElseThrow();
            assertThat(degraded.getStatus()).isEqualTo("True");
            assertThat(degraded.getReason()).isEqualTo("InvalidSpec");
            assertThat(degraded.getMessage()).contains("spec.taskCap must be between 0 and 1000, not -1",
                    "spec.database.urlSecretRef is required");
        });
        assertThat(client.apps().statefulSets().inNamespace(ns).list().getItems()).isEmpty();
    }

    @Test
    void nodeLimitCapsTheStatefulSetAndDegrades() {
        String ns = newNamespace();
        createDatabaseSecret(ns);
        OctopusCluster cluster = Clusters.minimal("delta", ns);
        cluster.getSpec().replicas = 5;
        cluster.getSpec().nodeLimit = 2;
        create(cluster);

        eventually().untilAsserted(() -> {
            assertThat(client.apps().statefulSets().inNamespace(ns).withName("delta").get().getSpec().getReplicas())
                    .isEqualTo(2);
            var degraded = condition(ns, "delta", Conditions.DEGRADED).orElseThrow();
            assertThat(degraded.getStatus()).isEqualTo("True");
            assertThat(degraded.getReason()).isEqualTo("NodeLimitExceeded");
            assertThat(degraded.getMessage()).contains("spec.replicas 5 exceeds nodeLimit 2");
            assertThat(client.configMaps().inNamespace(ns).withName("delta-config").get().getData())
                    .containsEntry("OCTOPUS_NODE_LIMIT", "2");
        });
    }

    @Test
    void podsAreLabelledForTheLoadBalancerAndCountedInStatus() {
        String ns = newNamespace();
        createDatabaseSecret(ns);
        OctopusCluster cluster = Clusters.minimal("eps", ns);
        cluster.getSpec().replicas = 2;
        NodeOverride out = new NodeOverride("eps-1");
        out.loadBalancer = false;
        cluster.getSpec().nodes.add(out);
        OctopusCluster created = create(cluster);
        eventually().until(() ->
                client.apps().statefulSets().inNamespace(ns).withName("eps").get() != null);

        runPod(created, 0, true, "kube-a");
        runPod(created, 1, true, "kube-b");

        eventually().untilAsserted(() -> {
            assertThat(client.pods().inNamespace(ns).withName("eps-0").get().getMetadata().getLabels())
                    .containsEntry(Labels.LOAD_BALANCER, Labels.IN);
            assertThat(client.pods().inNamespace(ns).withName("eps-1").get().getMetadata().getLabels())
                    .containsEntry(Labels.LOAD_BALANCER, Labels.OUT);
            var status = get(ns, "eps").getStatus();
            assertThat(status.replicas).isEqualTo(2);
            assertThat(status.readyReplicas).isEqualTo(2);
            assertThat(status.nodes).extracting(n -> n.name + ":" + n.status)
                    .containsExactly("eps-0:" + NodePhase.Starting, "eps-1:" + NodePhase.Starting);
        });
        Service client0 = client.services().inNamespace(ns).withName("eps").get();
        assertThat(client0.getSpec().getSelector()).containsEntry(Labels.LOAD_BALANCER, Labels.IN);
    }

    @Test
    void scaleDownDrainsTheLeavingNodeAndShrinksAfterTheDrainTimeout() {
        String ns = newNamespace();
        createDatabaseSecret(ns);
        OctopusCluster cluster = Clusters.minimal("zeta", ns);
        cluster.getSpec().replicas = 2;
        cluster.getSpec().drainTimeout = "3s";
        OctopusCluster created = create(cluster);
        eventually().until(() ->
                client.apps().statefulSets().inNamespace(ns).withName("zeta").get() != null);
        runPod(created, 0, true, "kube-a");
        runPod(created, 1, true, "kube-a");

        client.resources(OctopusCluster.class).inNamespace(ns).withName("zeta").edit(c -> {
            c.getSpec().replicas = 1;
            return c;
        });
        // No node answers, so the leaving node's tasks cannot be seen to finish: it is drained, marked Retiring and
        // kept until drainTimeout, and only then does the StatefulSet shrink.
        eventually().untilAsserted(() -> {
            NodeStatus leaving = get(ns, "zeta").getStatus().nodes.stream().filter(n -> n.name.equals("zeta-1"))
                    .findFirst().orElseThrow();
            assertThat(leaving.status).isEqualTo(NodePhase.Retiring);
            assertThat(leaving.drainReason).isEqualTo(DrainReason.Retire);
            assertThat(leaving.drainStartedAt).isNotNull();
            assertThat(client.pods().inNamespace(ns).withName("zeta-1").get().getMetadata().getLabels())
                    .containsEntry(Labels.LOAD_BALANCER, Labels.OUT);
        });
        assertThat(client.apps().statefulSets().inNamespace(ns).withName("zeta").get().getSpec().getReplicas())
                .as("not shrunk before the drain settled").isEqualTo(2);
        eventually().untilAsserted(() -> {
            assertThat(client.apps().statefulSets().inNamespace(ns).withName("zeta").get().getSpec().getReplicas())
                    .isEqualTo(1);
            // The Events are recorded right after the StatefulSet changed, in the same reconcile.
            List<Event> events = client.v1().events().inNamespace(ns).list().getItems();
            assertThat(events).extracting(Event::getReason).contains("Draining", "Retiring");
            assertThat(events).allSatisfy(e -> assertThat(e.getInvolvedObject().getName()).isEqualTo("zeta"));
        });
    }

    @Test
    void cordoningAKubernetesNodeDrainsTheOctopusNodesOnIt() {
        String ns = newNamespace();
        createDatabaseSecret(ns);
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("kube-c").endMetadata()
                .withNewSpec().withUnschedulable(false).endSpec().build()).create();
        OctopusCluster cluster = Clusters.minimal("theta", ns);
        cluster.getSpec().replicas = 2;
        OctopusCluster created = create(cluster);
        eventually().until(() -> client.apps().statefulSets().inNamespace(ns).withName("theta").get() != null);
        runPod(created, 0, true, "kube-a");
        runPod(created, 1, true, "kube-c");
        eventually().untilAsserted(() -> assertThat(client.pods().inNamespace(ns).withName("theta-1").get()
                .getMetadata().getLabels()).containsEntry(Labels.LOAD_BALANCER, Labels.IN));

        client.nodes().withName("kube-c").edit(n -> new NodeBuilder(n).editSpec().withUnschedulable(true).endSpec().build());
        eventually().untilAsserted(() -> {
            var nodes = get(ns, "theta").getStatus().nodes;
            assertThat(nodes).filteredOn(n -> n.name.equals("theta-1")).singleElement()
                    .satisfies(n -> assertThat(n.drainReason).isEqualTo(DrainReason.NodeCordoned));
            assertThat(nodes).filteredOn(n -> n.name.equals("theta-0")).singleElement()
                    .satisfies(n -> assertThat(n.drainReason).isNull());
            assertThat(client.pods().inNamespace(ns).withName("theta-1").get().getMetadata().getLabels())
                    .containsEntry(Labels.LOAD_BALANCER, Labels.OUT);
            assertThat(client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("theta").get()).isNotNull();
        });
        assertThat(client.v1().events().inNamespace(ns).list().getItems())
                .anySatisfy(e -> assertThat(e.getMessage()).isEqualTo("Draining node theta-1 (NodeCordoned)"));
    }

    @Test
    void changingThePodTemplateMarksRunningPodsOutdated() {
        String ns = newNamespace();
        createDatabaseSecret(ns);
        OctopusCluster cluster = Clusters.minimal("eta", ns);
        cluster.getSpec().replicas = 1;
        OctopusCluster created = create(cluster);
        eventually().until(() ->
                client.apps().statefulSets().inNamespace(ns).withName("eta").get() != null);
        runPod(created, 0, true, "kube-a");
        String before = NodeStatefulSet.hashOf(client.pods().inNamespace(ns).withName("eta-0").get()
                .getMetadata().getAnnotations());

        client.resources(OctopusCluster.class).inNamespace(ns).withName("eta").edit(c -> {
            c.getSpec().image = "octopusha/node:0.2.0";
            return c;
        });
        eventually().untilAsserted(() -> {
            StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName("eta").get();
            assertThat(sts.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage())
                    .isEqualTo("octopusha/node:0.2.0");
            assertThat(NodeStatefulSet.hashOf(sts.getSpec().getTemplate().getMetadata().getAnnotations()))
                    .isNotEqualTo(before);
            NodeStatus node = get(ns, "eta").getStatus().nodes.getFirst();
            assertThat(node.drainReason).isEqualTo(DrainReason.Rollout);
            assertThat(condition(ns, "eta", Conditions.PROGRESSING).orElseThrow().getReason()).isEqualTo("RollingOut");
        });
        assertThat(client.pods().inNamespace(ns).withName("eta-0").get())
                .as("the running pod is only restarted once its drain settled").isNotNull();
    }
}
