package io.octopusha.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.TestDatabase;
import io.octopusha.node.testing.Tasks;
import io.octopusha.operator.Clusters;
import io.octopusha.operator.MockKubernetesApi;
import io.octopusha.operator.OctopusOperator;
import io.octopusha.operator.crd.DrainReason;
import io.octopusha.operator.crd.NodeOverride;
import io.octopusha.operator.crd.NodePhase;
import io.octopusha.operator.crd.NodeStatus;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.crd.OctopusClusterStatus;
import io.octopusha.operator.crd.SecretKeyRef;
import io.octopusha.operator.flow.Conditions;
import io.octopusha.operator.model.Labels;
import io.octopusha.operator.model.NodeStatefulSet;
import io.octopusha.operator.nodeclient.NodeApi;
import io.octopusha.operator.nodeclient.NodeApiFactory;
import io.octopusha.operator.nodeclient.NodeSummary;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator's flows end to end: the operator runs in-process against the fabric8 mock API server (CRUD mode), and
 * {@link FakeKubelet} backs every pod of the StatefulSet with a real node process on one embedded PostgreSQL. The tests
 * share one OctopusCluster of three nodes; each starts from the baseline (three nodes serving, nothing drained, task
 * cap 2) and changes the spec, the Kubernetes nodes or the operator the way a user or a failure would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorEndToEndTest {
    static final String NS = "e2e";
    static final String NAME = "octo";
    static final String ADMIN_KEY = "API-E2EADMINKEY00000000000000000";
    static final List<String> KUBE_NODES = List.of("kube-a", "kube-b", "kube-c", "kube-d");
    static final int BASELINE_CAP = 2;

    @RegisterExtension
    static final MockKubernetesApi API = new MockKubernetesApi();
    static KubernetesClient client;
    static FakeKubelet kubelet;
    static Operator operator;
    /** Node API calls of the operator that failed: proof that it reconciled while the node API was away. */
    static final AtomicInteger SUMMARY_FAILURES = new AtomicInteger();

    @BeforeAll
    static void startClusterAndOperator() throws IOException {
        client = API.client();
        try (InputStream crd = OperatorEndToEndTest.class
                .getResourceAsStream("/META-INF/fabric8/octopusclusters.octopusha.io-v1.yml")) {
            client.resource(Serialization.unmarshal(crd, CustomResourceDefinition.class)).create();
        }
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        for (String kubeNode : KUBE_NODES) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(kubeNode).endMetadata()
                    .withNewSpec().withUnschedulable(false).endSpec().build()).create();
        }
        // The database Secret holds the embedded PostgreSQL's URL: the pods' env comes from it, as in production.
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName(Clusters.DB_SECRET)
                .endMetadata().withStringData(Map.of("url", TestDatabase.freshDatabaseUrl(), "user", TestDatabase.user()))
                .build()).create();
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("octo-admin")
                .endMetadata().withStringData(Map.of("key", ADMIN_KEY)).build()).create();

        kubelet = new FakeKubelet(client, NS, NAME, FakeKubelet.newRoot(NAME));
        operator = newOperator();
        operator.start();

        OctopusCluster cluster = Clusters.minimal(NAME, NS);
        cluster.getMetadata().setUid(null);
        cluster.getMetadata().setGeneration(null);
        cluster.getSpec().database.passwordSecretRef = null;
        cluster.getSpec().adminApiKeySecretRef = new SecretKeyRef("octo-admin", "key");
        cluster.getSpec().taskCap = BASELINE_CAP;
        cluster.getSpec().terminationGracePeriodSeconds = 20L;
        cluster.getSpec().drainTimeout = "10m";
        client.resource(cluster).create();
    }

    /** Watching only the test's namespace, as the chart's default (namespaced) install does. */
    static Operator newOperator() {
        NodeApiFactory http = NodeApiFactory.http(Duration.ofSeconds(1));
        NodeApiFactory counting = (urls, key) -> counted(http.connect(urls, key));
        return OctopusOperator.create(client, kubelet.resolver(), counting, Clock.systemUTC(), Metrics.NOOP,
                Optional.empty(), Set.of(NS));
    }

    private static NodeApi counted(NodeApi api) {
        return new NodeApi() {
            @Override
            public List<NodeSummary> summary() {
                try {
                    return api.summary();
                } catch (RuntimeException e) {
                    SUMMARY_FAILURES.incrementAndGet();
                    throw e;
                }
            }

            @Override
            public void updateNode(String nodeId, Integer maxConcurrentTasks, Boolean inMaintenanceMode) {
                api.updateNode(nodeId, maxConcurrentTasks, inMaintenanceMode);
            }

            @Override
            public boolean deleteNode(String nodeId) {
                return api.deleteNode(nodeId);
            }

            @Override
            public List<String> activeTaskIds(String nodeId) {
                return api.activeTaskIds(nodeId);
            }

            @Override
            public void cancelTask(String taskId) {
                api.cancelTask(taskId);
            }

            @Override
            public int countTasks(String state) {
                return api.countTasks(state);
            }
        };
    }

    @AfterAll
    static void stopEverything() {
        if (operator != null) {
            operator.stop();
        }
        if (kubelet != null) {
            kubelet.close();
        }
    }

    /** Three nodes serving, none drained, task cap 2, every Kubernetes node schedulable, the node API reachable. */
    @BeforeEach
    void baseline() {
        for (int i = 0; i < 3; i++) {
            kubelet.cutOff(pod(i), false);
        }
        for (String kubeNode : KUBE_NODES) {
            if (Boolean.TRUE.equals(client.nodes().withName(kubeNode).get().getSpec().getUnschedulable())) {
                client.nodes().withName(kubeNode).edit(n -> new NodeBuilder(n).editSpec().withUnschedulable(false)
                        .endSpec().build());
            }
        }
        OctopusCluster current = cluster();
        if (current.getSpec().replicas != 3 || current.getSpec().taskCap != BASELINE_CAP
                || !current.getSpec().nodes.isEmpty()) {
            editSpec(c -> {
                c.getSpec().replicas = 3;
                c.getSpec().taskCap = BASELINE_CAP;
                c.getSpec().nodes = new ArrayList<>();
            });
        }
        awaitAllServing(3);
    }

    @Test
    @Order(1)
    void threeNodesComeUpServingWithTheSpecsTaskCaps() {
        OctopusClusterStatus status = cluster().getStatus();
        assertThat(status.replicas).isEqualTo(3);
        assertThat(status.readyReplicas).isEqualTo(3);
        assertThat(status.labelSelector).isEqualTo("app.kubernetes.io/name=octopus-node,app.kubernetes.io/instance=octo");
        assertThat(status.queue).as("queue counts from the node API").isNotNull();
        assertThat(status.nodes).allSatisfy(n -> {
            assertThat(n.lastSeen).isNotNull();
            assertThat(n.runningTasks).isZero();
        });
        for (int i = 0; i < 3; i++) {
            assertThat(capOnNode(i)).as("cap of %s on the node", pod(i)).isEqualTo(BASELINE_CAP);
            assertThat(podOf(i).getSpec().getNodeName()).isIn(KUBE_NODES);
        }
        assertThat(client.services().inNamespace(NS).withName(NAME).get().getSpec().getSelector())
                .containsEntry(Labels.LOAD_BALANCER, Labels.IN);
        int stopsBefore = kubelet.stops().size();

        editSpec(c -> {
            c.getSpec().taskCap = 4;
            c.getSpec().nodes = new ArrayList<>(List.of(override(1, o -> o.taskCap = 7)));
        });
        eventually().untilAsserted(() -> {
            assertThat(List.of(capOnNode(0), capOnNode(1), capOnNode(2))).containsExactly(4, 7, 4);
            OctopusCluster c = cluster();
            assertThat(c.getStatus().nodes).extracting(n -> n.taskCap).containsExactly(4, 7, 4);
            assertCondition(c, Conditions.READY, "True", "NodesServing");
            assertCondition(c, Conditions.PROGRESSING, "False", "Stable");
        });
        assertThat(kubelet.stops()).as("a task cap change restarts no pod").hasSize(stopsBefore);
    }

    @Test
    @Order(2)
    void drainBySpecTakesTheNodeOutAndUndrainRestoresIt() {
        Instant before = Instant.now().minusSeconds(1);
        editSpec(c -> {
            c.getSpec().nodes = new ArrayList<>(List.of(override(0, o -> o.drain = true)));
        });
        eventually().untilAsserted(() -> {
            assertThat(ping(0)).as("ping of a drained node").isEqualTo(418);
            assertThat(lbLabel(0)).isEqualTo(Labels.OUT);
            NodeStatus node = nodeStatus(0);
            assertThat(node.drain).isTrue();
            assertThat(node.drainReason).isEqualTo(DrainReason.Spec);
            assertThat(node.status).isEqualTo(NodePhase.Drained);
            assertThat(node.inLoadBalancer).isFalse();
            assertThat(ready(0)).as("readiness follows the ping").isFalse();
            OctopusCluster c = cluster();
            assertThat(c.getStatus().readyReplicas).isEqualTo(2);
            assertCondition(c, Conditions.READY, "True", "NodesServing");
            assertThat(lbLabel(1)).isEqualTo(Labels.IN);
            assertThat(lbLabel(2)).isEqualTo(Labels.IN);
            assertThat(eventMessages(before)).contains("Draining node octo-0 (Spec)");
        });

        editSpec(c -> {
            c.getSpec().nodes = new ArrayList<>();
        });
        eventually().untilAsserted(() -> {
            assertThat(ping(0)).isEqualTo(200);
            assertThat(lbLabel(0)).isEqualTo(Labels.IN);
            NodeStatus node = nodeStatus(0);
            assertThat(node.drain).isFalse();
            assertThat(node.drainReason).isNull();
            assertThat(node.status).isEqualTo(NodePhase.Running);
            assertThat(eventMessages(before)).contains("Undraining node octo-0 (Spec is over)");
        });
    }

    @Test
    @Order(3)
    void scaleDownWaitsForTheLeavingNodesTaskThenShrinksAndRemovesItsRecord() {
        Instant before = Instant.now().minusSeconds(1);
        String task = runTaskOnlyOn(2, 6000);

        editSpec(c -> {
            c.getSpec().replicas = 2;
        });
        eventually().untilAsserted(() -> {
            NodeStatus leaving = nodeStatus(2);
            assertThat(leaving.status).isEqualTo(NodePhase.Retiring);
            assertThat(leaving.drainReason).isEqualTo(DrainReason.Retire);
            assertThat(leaving.drain).isTrue();
            assertThat(lbLabel(2)).isEqualTo(Labels.OUT);
            assertCondition(cluster(), Conditions.PROGRESSING, "True", "Retiring");
        });
        assertThat(taskState(task)).as("Retire is visible while the task runs").isEqualTo("Executing");
        assertThat(statefulSetReplicas()).as("not shrunk while the leaving node runs a task").isEqualTo(3);
        assertThat(nodeStatus(0).drainReason).isNull();
        assertThat(nodeStatus(1).drainReason).isNull();

        JsonNode done = Tasks.awaitCompleted(api(0), task, Duration.ofSeconds(30));
        assertThat(done.get("State").asText()).isEqualTo("Success");
        Instant completed = OffsetDateTime.parse(done.get("CompletedTime").asText()).toInstant();
        eventually().untilAsserted(() -> {
            assertThat(statefulSetReplicas()).isEqualTo(2);
            assertThat(api(0).get("/api/octopusservernodes/OctopusServerNodes-octo-2").status())
                    .as("the leaving node's record is deleted").isEqualTo(404);
            OctopusCluster c = cluster();
            assertThat(c.getStatus().nodes).extracting(n -> n.name).containsExactly("octo-0", "octo-1");
            assertThat(c.getStatus().replicas).isEqualTo(2);
            assertCondition(c, Conditions.PROGRESSING, "False", "Stable");
            assertCondition(c, Conditions.READY, "True", "NodesServing");
            assertThat(eventMessages(before)).contains("Draining node octo-2 (Retire)",
                    "Scaling down from 3 to 2 nodes: octo-2 drained", "Removed the node record of octo-2");
        });
        assertThat(stopOf(2, before).at()).as("the pod went only after its task completed").isAfter(completed);
        assertThat(eventReasons(before)).doesNotContain("DrainTimeout");
    }

    @Test
    @Order(4)
    void cordonDrainsTheNodesOnItAndTheyComeBackOnASchedulableNode() {
        Instant before = Instant.now().minusSeconds(1);
        String kubeNode = podOf(1).getSpec().getNodeName();
        PodDisruptionBudget pdb = client.policy().v1().podDisruptionBudget().inNamespace(NS).withName(NAME).get();
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);

        // kubectl cordon, then uncordon: the node drains, then undrains in place.
        cordon(kubeNode, true);
        awaitCordonDrained(1);
        assertThat(nodeStatus(0).drainReason).isNull();
        assertThat(nodeStatus(2).drainReason).isNull();
        cordon(kubeNode, false);
        awaitUndrained(1);
        assertThat(eventMessages(before)).contains("Draining node octo-1 (NodeCordoned)",
                "Undraining node octo-1 (NodeCordoned is over)");

        // kubectl cordon and drain: the pod is evicted and comes back on another node, where it is undrained.
        cordon(kubeNode, true);
        awaitCordonDrained(1);
        String oldUid = podOf(1).getMetadata().getUid();
        client.pods().inNamespace(NS).withName(pod(1)).delete();
        eventually().untilAsserted(() -> {
            Pod moved = podOf(1);
            assertThat(moved.getMetadata().getUid()).isNotEqualTo(oldUid);
            assertThat(moved.getSpec().getNodeName()).isNotEqualTo(kubeNode);
        });
        // Undrained on the operator's next look once the node checked in, not on its idle resync 30 s later.
        awaitCheckedIn(1);
        awaitUndrained(1, Duration.ofSeconds(12));
        assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NS).withName(NAME).get()).isNotNull();
    }

    @Test
    @Order(5)
    void drainAllUpgradeWaitsForTheRunningTaskThenRestartsEveryPodTogether() {
        Instant before = Instant.now().minusSeconds(1);
        String task = Tasks.delay(api(0), 6000);
        String runsOn = awaitExecuting(task);
        String oldHash = templateHash();

        editSpec(c -> {
            c.getSpec().image = "octopusha/node:0.2.0";
        });
        eventually().untilAsserted(() -> {
            for (int i = 0; i < 3; i++) {
                NodeStatus node = nodeStatus(i);
                assertThat(node.drainReason).as(pod(i)).isEqualTo(DrainReason.Rollout);
                assertThat(node.drain).isTrue();
                assertThat(ping(i)).isEqualTo(418);
                assertThat(lbLabel(i)).isEqualTo(Labels.OUT);
            }
            assertCondition(cluster(), Conditions.PROGRESSING, "True", "RollingOut");
        });
        assertThat(taskState(task)).as("the rollout drains while %s runs its task", runsOn).isEqualTo("Executing");
        assertThat(stopsSince(before)).as("no pod restarted while a task runs").isEmpty();

        JsonNode done = Tasks.awaitCompleted(api(0), task, Duration.ofSeconds(30));
        assertThat(done.get("State").asText()).isEqualTo("Success");
        Instant completed = OffsetDateTime.parse(done.get("CompletedTime").asText()).toInstant();
        String newHash = templateHash();
        assertThat(newHash).isNotEqualTo(oldHash);
        awaitAllServing(3);
        for (int i = 0; i < 3; i++) {
            assertThat(NodeStatefulSet.hashOf(podOf(i).getMetadata().getAnnotations())).isEqualTo(newHash);
            assertThat(podOf(i).getSpec().getContainers().getFirst().getImage()).isEqualTo("octopusha/node:0.2.0");
        }
        List<FakeKubelet.Stop> stops = stopsSince(before);
        assertThat(stops).extracting(FakeKubelet.Stop::podName).containsExactlyInAnyOrder("octo-0", "octo-1", "octo-2");
        assertThat(stops).allSatisfy(s -> assertThat(s.at()).isAfter(completed));
        Instant first = stops.stream().map(FakeKubelet.Stop::at).min(Instant::compareTo).orElseThrow();
        Instant last = stops.stream().map(FakeKubelet.Stop::at).max(Instant::compareTo).orElseThrow();
        assertThat(Duration.between(first, last)).as("all pods deleted together").isLessThan(Duration.ofSeconds(1));
        assertThat(eventMessages(before)).contains(
                "Restarting octo-0 for the new pod template (DrainAll)",
                "Restarting octo-1 for the new pod template (DrainAll)",
                "Restarting octo-2 for the new pod template (DrainAll)",
                "Undraining node octo-0 (Rollout is over)");
    }

    // ---- operator faults (issue 9) ------------------------------------------------------------------------------

    @Test
    @Order(6)
    void nodeApiUnreachableKeepsTheDrainBookkeepingAndTheUndrainHappensWhenItIsBack() {
        editSpec(c -> {
            c.getSpec().nodes = new ArrayList<>(List.of(override(1, o -> o.drain = true)));
        });
        eventually().untilAsserted(() -> {
            assertThat(nodeStatus(1).drainReason).isEqualTo(DrainReason.Spec);
            assertThat(ping(1)).isEqualTo(418);
        });

        cutOffAll(true);
        int failures = SUMMARY_FAILURES.get();
        editSpec(c -> {
            c.getSpec().nodes = new ArrayList<>();
        });
        long generation = cluster().getMetadata().getGeneration();
        eventually().untilAsserted(() -> {
            assertThat(SUMMARY_FAILURES.get()).as("the operator tried the node API").isGreaterThan(failures);
            assertThat(cluster().getStatus().observedGeneration).isEqualTo(generation);
        });
        // The undrain could not be applied: the operator keeps its bookkeeping to retry, and touches nothing else.
        assertThat(nodeStatus(1).drainReason).as("bookkeeping kept while the undrain is not applied")
                .isEqualTo(DrainReason.Spec);
        assertThat(ping(1)).isEqualTo(418);
        assertThat(ping(0)).isEqualTo(200);
        assertThat(ping(2)).isEqualTo(200);
        assertThat(lbLabel(1)).as("still drained, so still out of the load balancer").isEqualTo(Labels.OUT);

        cutOffAll(false);
        awaitUndrained(1);
        awaitAllServing(3);
    }

    @Test
    @Order(7)
    void retireSurvivesAnOperatorRestartAndAnUnreachableNodeApiWithoutKillingTheTask() {
        Instant before = Instant.now().minusSeconds(1);
        String task = runTaskOnlyOn(2, 9000);
        editSpec(c -> {
            c.getSpec().replicas = 2;
        });
        eventually().untilAsserted(() -> assertThat(nodeStatus(2).drainReason).isEqualTo(DrainReason.Retire));
        String drainStartedAt = nodeStatus(2).drainStartedAt;

        // The operator restarts mid-retire: the new one carries on from the status.
        operator.stop();
        assertThat(taskState(task)).isEqualTo("Executing");
        String statusWrittenBefore = cluster().getMetadata().getResourceVersion();
        operator = newOperator();
        operator.start();
        // Only the new operator writes from here on: read what it wrote, not what the old one left.
        eventually().until(() -> !cluster().getMetadata().getResourceVersion().equals(statusWrittenBefore));
        NodeStatus leaving = nodeStatus(2);
        assertThat(leaving.status).isEqualTo(NodePhase.Retiring);
        assertThat(leaving.drainStartedAt).as("drainTimeout still counts from the first drain").isEqualTo(drainStartedAt);
        assertThat(statefulSetReplicas()).isEqualTo(3);

        // Then the node API becomes unreachable while the task finishes: the operator cannot see it finish, so it
        // neither shrinks blindly nor cancels anything.
        cutOffAll(true);
        JsonNode done = Tasks.awaitCompleted(api(0), task, Duration.ofSeconds(30));
        assertThat(done.get("State").asText()).as("the retire never kills the running task").isEqualTo("Success");
        Instant completed = OffsetDateTime.parse(done.get("CompletedTime").asText()).toInstant();
        int failures = SUMMARY_FAILURES.get();
        eventually().until(() -> SUMMARY_FAILURES.get() > failures);
        // No shrink without seeing the node idle, for as long as the node API stays away.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> statefulSetReplicas() == 3 && nodeStatus(2).drainReason == DrainReason.Retire);
        assertThat(stopsSince(before)).isEmpty();

        cutOffAll(false);
        eventually().untilAsserted(() -> {
            assertThat(statefulSetReplicas()).isEqualTo(2);
            assertThat(api(0).get("/api/octopusservernodes/OctopusServerNodes-octo-2").status()).isEqualTo(404);
            assertThat(cluster().getStatus().nodes).extracting(n -> n.name).containsExactly("octo-0", "octo-1");
        });
        assertThat(stopOf(2, before).at()).isAfter(completed);
        assertThat(eventReasons(before)).doesNotContain("DrainTimeout");
        assertThat(nodeStatus(0).drainReason).isNull();
        assertThat(nodeStatus(1).drainReason).isNull();
    }

    @Test
    @Order(8)
    void podDeletedMidRetireWaitsForItsTaskAndTheRetireStillCompletes() {
        Instant before = Instant.now().minusSeconds(1);
        String task = runTaskOnlyOn(2, 6000);
        editSpec(c -> {
            c.getSpec().replicas = 2;
        });
        eventually().untilAsserted(() -> assertThat(nodeStatus(2).status).isEqualTo(NodePhase.Retiring));

        // Someone deletes the leaving pod: the kubelet sends SIGTERM, and the node finishes its task before it exits.
        client.pods().inNamespace(NS).withName(pod(2)).delete();
        JsonNode done = Tasks.awaitCompleted(api(0), task, Duration.ofSeconds(30));
        assertThat(done.get("State").asText()).isEqualTo("Success");
        assertThat(stopOf(2, before).at()).as("the pod was deleted while the task ran")
                .isBefore(OffsetDateTime.parse(done.get("CompletedTime").asText()).toInstant());

        eventually().untilAsserted(() -> {
            assertThat(statefulSetReplicas()).isEqualTo(2);
            assertThat(podOf(2)).isNull();
            assertThat(api(0).get("/api/octopusservernodes/OctopusServerNodes-octo-2").status()).isEqualTo(404);
            OctopusCluster c = cluster();
            assertThat(c.getStatus().nodes).extracting(n -> n.name).containsExactly("octo-0", "octo-1");
            assertCondition(c, Conditions.PROGRESSING, "False", "Stable");
        });
        assertThat(eventReasons(before)).doesNotContain("DrainTimeout");
    }

    @Test
    @Order(9)
    void specEditedMidRolloutRestartsEachPodOnceOntoTheLatestTemplate() {
        Instant before = Instant.now().minusSeconds(1);
        String task = Tasks.delay(api(0), 6000);
        awaitExecuting(task);
        editSpec(c -> {
            c.getSpec().image = "octopusha/node:0.3.0";
        });
        eventually().untilAsserted(() -> {
            for (int i = 0; i < 3; i++) {
                assertThat(nodeStatus(i).drainReason).isEqualTo(DrainReason.Rollout);
            }
        });
        assertThat(taskState(task)).isEqualTo("Executing");

        // Edited again before the rollout restarted anything: a newer image and another task cap.
        editSpec(c -> {
            c.getSpec().image = "octopusha/node:0.4.0";
            c.getSpec().taskCap = 3;
        });
        JsonNode done = Tasks.awaitCompleted(api(0), task, Duration.ofSeconds(30));
        assertThat(done.get("State").asText()).isEqualTo("Success");
        awaitAllServing(3);
        String hash = templateHash();
        for (int i = 0; i < 3; i++) {
            assertThat(NodeStatefulSet.hashOf(podOf(i).getMetadata().getAnnotations())).isEqualTo(hash);
            assertThat(podOf(i).getSpec().getContainers().getFirst().getImage()).isEqualTo("octopusha/node:0.4.0");
            assertThat(capOnNode(i)).isEqualTo(3);
        }
        assertThat(stopsSince(before)).as("each pod restarted once, straight onto the latest template")
                .extracting(FakeKubelet.Stop::podName).containsExactlyInAnyOrder("octo-0", "octo-1", "octo-2");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    static ConditionFactory eventually() {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions();
    }

    static void cutOffAll(boolean unreachable) {
        for (int i = 0; i < 3; i++) {
            kubelet.cutOff(pod(i), unreachable);
        }
    }

    static String pod(int ordinal) {
        return NAME + "-" + ordinal;
    }

    static OctopusCluster cluster() {
        return client.resources(OctopusCluster.class).inNamespace(NS).withName(NAME).get();
    }

    /** Read, change, write; a 409 because the operator wrote the status meanwhile is retried, as kubectl does. */
    /** Edits the cluster as kubectl edit would, trying again when someone else (the operator) wrote it meanwhile. */
    static void editSpec(Consumer<OctopusCluster> edit) {
        for (int attempt = 1; ; attempt++) {
            try {
                client.resources(OctopusCluster.class).inNamespace(NS).withName(NAME).edit(c -> {
                    edit.accept(c);
                    return c;
                });
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) throw e;
            }
        }
    }

    static NodeOverride override(int ordinal, Consumer<NodeOverride> settings) {
        NodeOverride o = new NodeOverride(pod(ordinal));
        settings.accept(o);
        return o;
    }

    static Pod podOf(int ordinal) {
        return client.pods().inNamespace(NS).withName(pod(ordinal)).get();
    }

    static String lbLabel(int ordinal) {
        return podOf(ordinal).getMetadata().getLabels().get(Labels.LOAD_BALANCER);
    }

    static boolean ready(int ordinal) {
        return podOf(ordinal).getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    static NodeStatus nodeStatus(int ordinal) {
        return cluster().getStatus().nodes.stream().filter(n -> n.name.equals(pod(ordinal))).findFirst()
                .orElseThrow(() -> new AssertionError("no status.nodes entry for " + pod(ordinal)));
    }

    static Api api(int ordinal) {
        return new Api(kubelet.baseUrl(pod(ordinal)), ADMIN_KEY);
    }

    static int ping(int ordinal) {
        return api(ordinal).withKey(null).get(NodeStatefulSet.PING_PATH).status();
    }

    static int capOnNode(int ordinal) {
        return api(0).get("/api/octopusservernodes/OctopusServerNodes-" + pod(ordinal)).json()
                .get("MaxConcurrentTasks").asInt();
    }

    static String taskState(String task) {
        return Tasks.state(api(0), task);
    }

    static int statefulSetReplicas() {
        StatefulSet sts = client.apps().statefulSets().inNamespace(NS).withName(NAME).get();
        return sts.getSpec().getReplicas();
    }

    static String templateHash() {
        return NodeStatefulSet.hashOf(client.apps().statefulSets().inNamespace(NS).withName(NAME).get().getSpec()
                .getTemplate().getMetadata().getAnnotations());
    }

    static void cordon(String kubeNode, boolean unschedulable) {
        client.nodes().withName(kubeNode).edit(n -> new NodeBuilder(n).editSpec().withUnschedulable(unschedulable)
                .endSpec().build());
    }

    static void assertCondition(OctopusCluster c, String type, String status, String reason) {
        Condition condition = c.getStatus().conditions.stream().filter(x -> x.getType().equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no condition " + type));
        assertThat(condition.getStatus()).as("%s status (%s)", type, condition.getMessage()).isEqualTo(status);
        assertThat(condition.getReason()).as("%s reason (%s)", type, condition.getMessage()).isEqualTo(reason);
        assertThat(condition.getObservedGeneration()).as("%s observedGeneration", type)
                .isEqualTo(c.getMetadata().getGeneration());
    }

    static List<Event> eventsSince(Instant since) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> e.getInvolvedObject().getName().equals(NAME))
                .filter(e -> !Instant.parse(e.getFirstTimestamp()).isBefore(since))
                .toList();
    }

    static List<String> eventMessages(Instant since) {
        return eventsSince(since).stream().map(Event::getMessage).toList();
    }

    static List<String> eventReasons(Instant since) {
        return eventsSince(since).stream().map(Event::getReason).toList();
    }

    static List<FakeKubelet.Stop> stopsSince(Instant since) {
        return kubelet.stops().stream().filter(s -> s.at().isAfter(since)).toList();
    }

    static FakeKubelet.Stop stopOf(int ordinal, Instant since) {
        return stopsSince(since).stream().filter(s -> s.podName().equals(pod(ordinal))).findFirst()
                .orElseThrow(() -> new AssertionError(pod(ordinal) + " was not stopped"));
    }

    /** Caps only the given node lets take tasks (the others get 0), then a Delay task that therefore runs there. */
    static String runTaskOnlyOn(int ordinal, int millis) {
        editSpec(c -> {
            c.getSpec().taskCap = 0;
            c.getSpec().nodes = new ArrayList<>(List.of(override(ordinal, o -> o.taskCap = 1)));
        });
        eventually().untilAsserted(() -> {
            for (int i = 0; i < 3; i++) {
                assertThat(capOnNode(i)).isEqualTo(i == ordinal ? 1 : 0);
            }
        });
        String task = Tasks.delay(api(0), millis);
        assertThat(awaitExecuting(task)).isEqualTo(pod(ordinal));
        return task;
    }

    /** Waits until the task executes and returns the node that runs it. */
    static String awaitExecuting(String task) {
        eventually().until(() -> taskState(task).equals("Executing"));
        return Tasks.get(api(0), task).get("ServerNode").asText();
    }

    static void awaitCordonDrained(int ordinal) {
        eventually().untilAsserted(() -> {
            NodeStatus node = nodeStatus(ordinal);
            assertThat(node.drainReason).isEqualTo(DrainReason.NodeCordoned);
            assertThat(node.drain).isTrue();
            assertThat(ping(ordinal)).isEqualTo(418);
            assertThat(lbLabel(ordinal)).isEqualTo(Labels.OUT);
        });
    }

    static void awaitUndrained(int ordinal) {
        awaitUndrained(ordinal, Duration.ofSeconds(60));
    }

    static void awaitUndrained(int ordinal, Duration within) {
        eventually().atMost(within).untilAsserted(() -> {
            NodeStatus node = nodeStatus(ordinal);
            assertThat(node.drainReason).isNull();
            assertThat(node.drain).isFalse();
            assertThat(ping(ordinal)).isEqualTo(200);
            assertThat(lbLabel(ordinal)).isEqualTo(Labels.IN);
            assertThat(ready(ordinal)).isTrue();
        });
    }

    /** The pod's node has checked in since its container started (what the operator calls "back"). */
    static void awaitCheckedIn(int ordinal) {
        Instant started = Instant.parse(podOf(ordinal).getStatus().getStartTime());
        eventually().untilAsserted(() -> {
            JsonNode node = summaryOf(ordinal);
            assertThat(node.get("IsOffline").asBoolean()).isFalse();
            assertThat(OffsetDateTime.parse(node.get("LastSeen").asText()).toInstant()).isAfterOrEqualTo(started);
        });
    }

    static JsonNode summaryOf(int ordinal) {
        for (JsonNode node : api(0).get("/api/octopusservernodes/summary").json().get("Nodes")) {
            if (node.get("Name").asText().equals(pod(ordinal))) {
                return node;
            }
        }
        throw new AssertionError("no summary of " + pod(ordinal));
    }

    /** Every node of the cluster runs, checked in, undrained, in the load balancer, and status says so. */
    static void awaitAllServing(int replicas) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .untilAsserted(() -> {
                    OctopusCluster c = cluster();
                    OctopusClusterStatus status = c.getStatus();
                    assertThat(status.observedGeneration).isEqualTo(c.getMetadata().getGeneration());
                    assertThat(status.readyReplicas).isEqualTo(replicas);
                    assertThat(status.nodes).hasSize(replicas).allSatisfy(n -> {
                        assertThat(n.status).as(n.name).isEqualTo(NodePhase.Running);
                        assertThat(n.drain).as(n.name).isFalse();
                        assertThat(n.drainReason).as(n.name).isNull();
                        assertThat(n.inLoadBalancer).as(n.name).isTrue();
                    });
                    for (int i = 0; i < replicas; i++) {
                        assertThat(lbLabel(i)).isEqualTo(Labels.IN);
                    }
                    assertCondition(c, Conditions.READY, "True", "NodesServing");
                    assertCondition(c, Conditions.PROGRESSING, "False", "Stable");
                    assertCondition(c, Conditions.DEGRADED, "False", "AsExpected");
                });
    }
}
