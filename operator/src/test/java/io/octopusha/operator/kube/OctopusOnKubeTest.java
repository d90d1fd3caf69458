package io.octopusha.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.Tasks;
import io.octopusha.operator.OctopusOperator;
import io.octopusha.operator.crd.DrainReason;
import io.octopusha.operator.crd.NodePhase;
import io.octopusha.operator.crd.UpgradeStrategy;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The operator's flows on a real control plane, installed from its chart with namespaced RBAC, asserted the way a user
 * sees them (kubectl, EndpointSlices, the node API). One OctopusCluster of three nodes with task cap 2; each test
 * leaves it serving as it found it.
 */
@KubeTest
@Order(2)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OctopusOnKubeTest {
    static final String OPERATOR_NS = "octopus-system";
    static final String NS = "octopus";
    static final Duration SETTLE = Duration.ofMinutes(2);
    static KubeEnvironment env;
    static OperatorRelease operator;
    static ClusterUnderTest cluster;

    @BeforeAll
    static void install(KubeEnvironment environment) {
        env = environment;
        env.createRestrictedNamespace(OPERATOR_NS);
        env.createRestrictedNamespace(NS);
        // Two replicas, as for production: a leader and a standby that takes over through the Lease.
        operator = OperatorRelease.install(env, OPERATOR_NS, Map.of("watchNamespaces[0]", NS, "replicaCount", "2"));
        cluster = ClusterUnderTest.apply(env, NS, "octo", 3, """
                  taskCap: 2
                  drainTimeout: 10m
                  terminationGracePeriodSeconds: 60
                """);
        cluster.awaitServing(3, Duration.ofMinutes(3));
    }

    @AfterAll
    static void uninstall() {
        if (cluster != null) cluster.deleteAndAwaitPodsGone();
        if (operator != null) operator.close();
    }

    private static Api any() {
        return cluster.serviceApi().orElseThrow(() -> new AssertionError("the client Service has no ready endpoint"));
    }

    /** Enough Delay tasks to fill every node's cap, so that each node runs some. */
    private static List<String> busyCluster(int millis) {
        List<String> tasks = IntStream.range(0, 6).mapToObj(i -> Tasks.delay(any(), millis)).toList();
        await().atMost(Duration.ofSeconds(30)).until(() -> tasks.stream()
                .allMatch(t -> Tasks.state(any(), t).equals("Executing")));
        return tasks;
    }

    private static void assertAllSucceeded(List<String> tasks) {
        for (String task : tasks) {
            JsonNode done = Tasks.awaitCompleted(any(), task, SETTLE);
            assertThat(done.get("State").asText()).as(task + " " + done).isEqualTo("Success");
        }
    }

    @Test
    @Order(1)
    void kubectlShowsThreeReadyNodesAndTheServiceThreeReadyEndpoints() {
        String table = env.kubectl().run("get", "octo", "-n", NS).assertSuccess().out();
        List<String> lines = table.lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("NODES", "READY", "RUNNING TASKS", "QUEUED", "AGE");
        assertThat(lines.get(1).split("\\s+")).contains("octo", "3");
        assertThat(cluster.readyEndpoints()).containsExactlyElementsOf(
                cluster.podIps(cluster.pod(0), cluster.pod(1), cluster.pod(2)));
        assertThat(cluster.pods()).extracting(p -> p.getSpec().getNodeName())
                .as("spread over Kubernetes nodes by default").doesNotHaveDuplicates();
    }

    @Test
    @Order(2)
    void aNodeDrainedInTheSpecLeavesTheServiceAndComesBackWhenUndrained() {
        String drained = cluster.pod(1);
        String address = cluster.podIps(drained).getFirst();
        cluster.override(drained, true, null);
        env.awaitOrDescribe(NS, "drained node out of the Service", Duration.ofSeconds(30), () ->
                cluster.nodeApi(drained).withKey(null).get("/api/octopusservernodes/ping").status() == 418
                        && !cluster.readyEndpoints().contains(address));
        assertThat(cluster.findPod(drained)).hasValueSatisfying(p -> assertThat(ClusterUnderTest.ready(p))
                .as("a drained node still serves the API, so its pod stays ready for the disruption budget").isTrue());
        assertThat(cluster.nodeStatus(drained)).hasValueSatisfying(n -> {
            assertThat(n.drainReason).isEqualTo(DrainReason.Spec);
            assertThat(n.inLoadBalancer).isFalse();
        });

        cluster.clearOverrides();
        cluster.awaitServing(3, SETTLE);
        assertThat(cluster.nodeApi(drained).withKey(null).get("/api/octopusservernodes/ping").status()).isEqualTo(200);
    }

    @Test
    @Order(3)
    void scalingDownWaitsForTheLeavingNodesTasksThenShrinksAndKeepsTheSharedFiles() throws Exception {
        List<String> tasks = busyCluster(5_000);
        String leaving = cluster.pod(2);
        String leavingTask = tasks.stream().filter(t -> leaving.equals(Tasks.get(any(), t).get("ServerNode").asText()))
                .findFirst().orElseThrow();

        cluster.scaleTo(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.nodeStatus(leaving)
                .map(n -> n.status == NodePhase.Retiring).orElse(false));
        assertThat(cluster.statefulSetReplicas()).as("not shrunk while a task runs there").isEqualTo(3);
        assertThat(Tasks.state(any(), leavingTask)).isEqualTo("Executing");

        assertAllSucceeded(tasks);
        env.awaitOrDescribe(NS, "shrunk, record removed", SETTLE, () -> cluster.statefulSetReplicas() == 2
                && cluster.findPod(leaving).isEmpty() && !cluster.nodeRecords().contains(leaving));
        assertThat(env.admin().persistentVolumeClaims().inNamespace(NS).withName("octo-shared").get()).isNotNull();
        assertThat(any().get("/api/tasks/" + leavingTask + "/raw").body())
                .as("the leaving node's task log, on the shared volume, read through another node").isNotBlank();

        cluster.scaleTo(3);
        cluster.awaitServing(3, SETTLE);
    }

    @Test
    @Order(4)
    void scalingDownAnIdleNodeShrinksTheStatefulSetWithinSeconds() {
        Instant asked = Instant.now();
        env.kubectl().run("scale", "octo/octo", "-n", NS, "--replicas=2").assertSuccess();
        await().atMost(SETTLE).pollInterval(Duration.ofMillis(100)).until(() -> cluster.statefulSetReplicas() == 2);
        Duration took = Duration.between(asked, Instant.now());
        System.out.printf("kube tier: kubectl scale --replicas=2 to the StatefulSet shrinking, idle node: %d ms%n",
                took.toMillis());
        assertThat(took).isLessThan(Duration.ofSeconds(30));

        env.kubectl().run("scale", "octo/octo", "-n", NS, "--replicas=3").assertSuccess();
        cluster.awaitServing(3, SETTLE);
    }

    @Test
    @Order(5)
    void kubectlDrainOfAMachineWaitsForRunningTasksAndThePodComesBackUndrainedElsewhere() throws Exception {
        List<String> tasks = busyCluster(8_000);
        String moving = cluster.pod(1);
        String machine = cluster.kubeNodeOf(moving);
        String other = cluster.pod(0);
        CompletableFuture<Kubectl.Result> drain = env.kubectl().start("drain", machine,
                "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=180s");

        env.awaitOrDescribe(NS, moving + " evicted", Duration.ofSeconds(30), () -> cluster.findPod(moving)
                .map(p -> p.getMetadata().getDeletionTimestamp() != null).orElse(true));
        Kubectl.Result second = evictOnce(other);
        assertThat(second.exitCode()).isNotZero();
        assertThat(second.err()).as("a second eviction while the first node is away is refused by the disruption budget")
                .contains("disruption budget").contains("429");

        assertThat(drain.get().exitCode()).as(drain.get().err()).isZero();
        assertAllSucceeded(tasks);
        cluster.awaitServing(3, SETTLE);
        assertThat(cluster.kubeNodeOf(moving)).isNotEqualTo(machine);
        assertThat(env.kubelet().history()).filteredOn(r -> r.pod().equals(moving) && r.stopped() != null)
                .as("the evicted node exited by itself after its tasks, not by SIGKILL")
                .allSatisfy(r -> assertThat(r.killed()).isFalse());
        env.kubectl().run("uncordon", machine).assertSuccess();
    }

    @Test
    @Order(6)
    void anAutomatedPatchRunOverEveryMachineTakesOneNodeDownAtATimeAndKillsNoTask() throws Exception {
        List<String> tasks = new ArrayList<>(busyCluster(3_000));
        try (Availability availability = new Availability(cluster, 3)) {
            env.kubectl().run(java.util.stream.Stream.concat(java.util.stream.Stream.of("cordon"),
                    KubeEnvironment.KUBE_NODES.stream()).toArray(String[]::new)).assertSuccess();
            for (String machine : KubeEnvironment.KUBE_NODES) {
                tasks.add(Tasks.delay(any(), 3_000));
                Kubectl.Result drained = env.kubectl().run("drain", machine, "--ignore-daemonsets",
                        "--delete-emptydir-data", "--timeout=180s");
                assertThat(drained.exitCode()).as(machine + ": " + drained.err()).isZero();
                env.kubectl().run("uncordon", machine).assertSuccess();
            }
            cluster.awaitServing(3, SETTLE);
            assertThat(availability.maxDown()).as("Octopus nodes down at once").isLessThanOrEqualTo(1);
            assertThat(availability.failures()).as("API calls through the Service").isEmpty();
        }
        assertAllSucceeded(tasks);
        operator.awaitReady();
    }

    @Test
    @Order(7)
    void drainAllUpgradeRestartsEveryNodeAfterItsTasksAndKillsNone() {
        List<String> tasks = busyCluster(5_000);
        cluster.edit(c -> {
            c.getSpec().image = "octopusha/node:0.1.1";
            return c;
        });
        assertAllSucceeded(tasks);
        await().atMost(SETTLE).until(() -> cluster.pods().stream()
                .allMatch(p -> "octopusha/node:0.1.1".equals(p.getSpec().getContainers().getFirst().getImage())));
        cluster.awaitServing(3, SETTLE);
    }

    @Test
    @Order(8)
    void rollingUpgradeSurvivesTheOperatorBeingKilledAndNeverHasTwoNodesDown() {
        List<String> tasks = busyCluster(4_000);
        try (Availability availability = new Availability(cluster, 3)) {
            cluster.edit(c -> {
                c.getSpec().upgradeStrategy = UpgradeStrategy.Rolling;
                c.getSpec().image = "octopusha/node:0.1.2";
                return c;
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.status().nodes.stream()
                    .anyMatch(n -> n.drainReason == DrainReason.Rollout));
            killOperator();
            await().atMost(Duration.ofMinutes(4)).until(() -> cluster.pods().stream()
                    .allMatch(p -> "octopusha/node:0.1.2".equals(p.getSpec().getContainers().getFirst().getImage())));
            cluster.awaitServing(3, SETTLE);
            assertThat(availability.maxDown()).as("Octopus nodes down at once").isLessThanOrEqualTo(1);
            assertThat(availability.failures()).as("API calls through the Service").isEmpty();
        }
        assertAllSucceeded(tasks);
    }

    @Test
    @Order(9)
    void theOperatorKilledMidRetireResumesWithoutKillingATask() {
        List<String> tasks = busyCluster(6_000);
        cluster.scaleTo(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.nodeStatus(cluster.pod(2))
                .map(n -> n.status == NodePhase.Retiring).orElse(false));
        killOperator();
        assertAllSucceeded(tasks);
        env.awaitOrDescribe(NS, "shrunk after the restart", SETTLE, () -> cluster.statefulSetReplicas() == 2
                && cluster.findPod(cluster.pod(2)).isEmpty());
        cluster.scaleTo(3);
        cluster.awaitServing(3, SETTLE);
    }

    @Test
    @Order(10)
    void theStandbyOperatorTakesOverThroughTheLeaseWithinItsDuration() {
        String leader = leaseHolder();
        Instant killed = Instant.now();
        env.kubectl().run("delete", "pod", leader, "-n", OPERATOR_NS, "--grace-period=0", "--force").assertSuccess();
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                .until(() -> leaseHolder() != null && !leaseHolder().equals(leader) && operatorPods().contains(leaseHolder()));
        Duration handover = Duration.between(killed, Instant.now());
        System.out.printf("kube tier: operator leadership handed over in %d ms%n", handover.toMillis());
        assertThat(handover).as("within the lease duration (15 s) and a retry period").isLessThan(Duration.ofSeconds(20));

        // The new leader works: a drain through the spec still reaches the node.
        cluster.override(cluster.pod(0), true, null);
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.nodeApi(cluster.pod(0)).withKey(null)
                .get("/api/octopusservernodes/ping").status() == 418);
        cluster.clearOverrides();
        cluster.awaitServing(3, SETTLE);
        operator.awaitReady();
    }

    @Test
    @Order(11)
    void anIdleClusterCausesNoWritesFromTheOperator() throws Exception {
        cluster.awaitServing(3, SETTLE);
        // Let the last reconcile of the previous test and its status write pass.
        await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(40)).until(() -> !cluster.status()
                .conditions.stream().anyMatch(c -> c.getType().equals("Progressing") && c.getStatus().equals("True")));
        long from = Files.size(env.plane().auditLog());
        // Leader election renews its Lease every few seconds; that is the operator's only write at rest.
        await("no writes from the operator for 60 s").during(Duration.ofSeconds(60)).atMost(Duration.ofSeconds(62))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> ApiAuditLog.writesBy(env.plane().auditLog(), from, operator.user()).stream()
                        .filter(w -> !w.contains("leases/" + OctopusOperator.LEASE_NAME)).toList(), List::isEmpty);
    }

    /** One eviction request, as kubectl drain sends it (the client library would retry a refusal). */
    private static Kubectl.Result evictOnce(String pod) {
        return env.kubectl().runWithInput("""
                {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "%s", "namespace": "%s"}}
                """.formatted(pod, NS), "create", "--raw", "/api/v1/namespaces/" + NS + "/pods/" + pod + "/eviction",
                "-f", "-", "-v=6");
    }

    private static String leaseHolder() {
        Lease lease = env.admin().leases().inNamespace(OPERATOR_NS).withName(OctopusOperator.LEASE_NAME).get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    private static List<String> operatorPods() {
        return env.admin().pods().inNamespace(OPERATOR_NS).withLabel("app.kubernetes.io/instance", OperatorRelease.RELEASE)
                .list().getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .map(p -> p.getMetadata().getName()).toList();
    }

    /** SIGKILL of the leading operator's container, as an OOM kill would do; the kubelet restarts it. */
    private static void killOperator() {
        String pod = leaseHolder();
        env.kubelet().process(OPERATOR_NS, pod).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(30)).until(() -> env.admin().pods().inNamespace(OPERATOR_NS).withName(pod).get()
                .getStatus().getContainerStatuses().getFirst().getRestartCount() > 0);
    }
}
