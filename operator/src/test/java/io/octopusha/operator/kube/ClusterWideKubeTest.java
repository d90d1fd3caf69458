package io.octopusha.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.octopusha.node.testing.Tasks;
import io.octopusha.operator.crd.IngressSpec;
import io.octopusha.operator.crd.SharedStorageSpec;
import io.octopusha.operator.flow.Conditions;
import io.octopusha.operator.flow.StatusBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The operator installed with cluster-wide RBAC (rbac.clusterWide=true), watching every namespace, and what it must
 * get right about the objects it owns: fields removed from the spec leave the cluster, one refused child object does
 * not stop the other flows, events are recorded once, and the shared claim outlives the resource. Two nodes with the
 * generated admin key.
 */
@KubeTest
@Order(3)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterWideKubeTest {
    static final String OPERATOR_NS = "octopus-operators";
    static final String NS = "team-a";
    static final Duration SETTLE = Duration.ofMinutes(2);
    static KubeEnvironment env;
    static OperatorRelease operator;
    static ClusterUnderTest cluster;

    @BeforeAll
    static void install(KubeEnvironment environment) {
        env = environment;
        env.createRestrictedNamespace(OPERATOR_NS);
        env.createRestrictedNamespace(NS);
        operator = OperatorRelease.install(env, OPERATOR_NS, Map.of("rbac.clusterWide", "true"));
        cluster = ClusterUnderTest.applyWithGeneratedKey(env, NS, "tenant", 2, """
                  taskCap: 1
                  terminationGracePeriodSeconds: 30
                """);
        cluster.awaitServing(2, Duration.ofMinutes(3));
    }

    @AfterAll
    static void uninstall() {
        if (operator != null) operator.close();
    }

    private ConfigMap settings() {
        return env.admin().configMaps().inNamespace(NS).withName("tenant-config").get();
    }

    @Test
    @Order(1)
    void theGeneratedAdminKeyIsWhatTheNodesAcceptAndTheOperatorExportsMetrics() {
        assertThat(cluster.serviceApi().orElseThrow().get("/api/octopusservernodes/summary").status()).isEqualTo(200);
        String operatorPod = env.admin().pods().inNamespace(OPERATOR_NS).list().getItems().getFirst().getStatus().getPodIP();
        assertThat(new io.octopusha.node.testing.Api("http://" + operatorPod + ":8080", null).get("/metrics").body())
                .contains("operator_sdk_reconciliations");
    }

    @Test
    @Order(2)
    void removingAFieldFromTheSpecRemovesItFromTheObjects() {
        cluster.edit(c -> {
            c.getSpec().nodeLimit = 2;
            c.getSpec().ingress = new IngressSpec();
            c.getSpec().ingress.enabled = true;
            c.getSpec().ingress.host = "octopus.example.com";
            c.getSpec().ingress.tls = new IngressSpec.Tls();
            c.getSpec().ingress.tls.secretName = "octopus-tls";
            c.getSpec().ingress.annotations.put("example.com/team", "a");
            return c;
        });
        env.awaitOrDescribe(NS, "node limit and Ingress set", Duration.ofSeconds(30), () ->
                settings().getData().containsKey("OCTOPUS_NODE_LIMIT")
                        && ingress() != null && ingress().getSpec().getTls() != null
                        && ingress().getMetadata().getAnnotations().containsKey("example.com/team"));

        cluster.edit(c -> {
            c.getSpec().nodeLimit = null;
            c.getSpec().ingress.host = null;
            c.getSpec().ingress.tls = null;
            c.getSpec().ingress.annotations.clear();
            return c;
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(settings().getData()).doesNotContainKey("OCTOPUS_NODE_LIMIT");
            assertThat(ingress().getSpec().getTls()).isNullOrEmpty();
            assertThat(ingress().getSpec().getRules().getFirst().getHost()).isNull();
            assertThat(ingress().getMetadata().getAnnotations()).doesNotContainKey("example.com/team");
        });

        cluster.edit(c -> {
            c.getSpec().ingress = null;
            return c;
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> ingress() == null);
    }

    private Ingress ingress() {
        return env.admin().network().v1().ingresses().inNamespace(NS).withName("tenant").get();
    }

    @Test
    @Order(3)
    void aChildObjectTheApiServerRefusesIsReportedWhileDrainsGoOn() {
        List<String> before = podUids();
        cluster.edit(c -> {
            c.getSpec().tolerations.add(new TolerationBuilder().withKey("dedicated").withOperator("Exists")
                    .withEffect("Sometimes").build());
            return c;
        });
        env.awaitOrDescribe(NS, "Degraded names the StatefulSet", Duration.ofSeconds(30), () -> cluster.status().conditions
                .stream().anyMatch(c -> c.getType().equals(Conditions.DEGRADED) && c.getStatus().equals("True")
                        && c.getReason().equals(StatusBuilder.CHILD_OBJECT_FAILED)
                        && c.getMessage().contains("StatefulSet") && c.getMessage().contains("effect")));

        cluster.override(cluster.pod(1), true, null);
        await("a drain still reaches the node").atMost(Duration.ofSeconds(30)).until(() -> cluster.nodeApi(cluster.pod(1))
                .withKey(null).get("/api/octopusservernodes/ping").status() == 418);
        assertThat(warnings(StatusBuilder.CHILD_OBJECT_FAILED)).as("recorded once, not on every reconcile").hasSize(1);
        // A restarted pod would come back from the StatefulSet's old template: restarting is pointless while the
        // update is refused, and DrainAll would have drained every node for it.
        await("no pod restarted for a template the StatefulSet does not hold").during(Duration.ofSeconds(10))
                .atMost(Duration.ofSeconds(15)).until(() -> podUids().equals(before));
        assertThat(cluster.status().nodes).filteredOn(n -> Boolean.TRUE.equals(n.drain)).extracting(n -> n.name)
                .containsExactly(cluster.pod(1));

        cluster.edit(c -> {
            c.getSpec().tolerations.clear();
            c.getSpec().nodes.clear();
            return c;
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.status().conditions.stream()
                .anyMatch(c -> c.getType().equals(Conditions.DEGRADED) && c.getStatus().equals("False")));
        cluster.awaitServing(2, SETTLE);
    }

    private List<String> podUids() {
        return cluster.pods().stream().map(p -> p.getMetadata().getUid()).sorted().toList();
    }

    private List<Event> warnings(String reason) {
        return env.admin().v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).toList();
    }

    @Test
    @Order(4)
    void aDrainTimeoutIsRecordedOnceWhileItsTasksAreCancelled() {
        List<String> tasks = List.of(Tasks.delay(cluster.serviceApi().orElseThrow(), 60_000),
                Tasks.delay(cluster.serviceApi().orElseThrow(), 60_000));
        await().atMost(Duration.ofSeconds(30)).until(() -> tasks.stream()
                .allMatch(t -> Tasks.state(cluster.serviceApi().orElseThrow(), t).equals("Executing")));
        cluster.edit(c -> {
            c.getSpec().drainTimeout = "3s";
            c.getSpec().replicas = 1;
            return c;
        });
        env.awaitOrDescribe(NS, "retired after the timeout", SETTLE, () -> cluster.statefulSetReplicas() == 1
                && cluster.findPod(cluster.pod(1)).isEmpty());
        assertThat(tasks.stream().map(t -> Tasks.state(cluster.serviceApi().orElseThrow(), t)))
                .containsExactlyInAnyOrder("Executing", "Canceled");
        assertThat(warnings("DrainTimeout")).hasSize(1);

        tasks.forEach(t -> cluster.serviceApi().orElseThrow().post("/api/tasks/" + t + "/cancel", null));
        cluster.edit(c -> {
            c.getSpec().drainTimeout = null;
            c.getSpec().replicas = 2;
            return c;
        });
        cluster.awaitServing(2, SETTLE);
    }

    @Test
    @Order(5)
    void aRotatedAdminKeyReachesTheNodesWithoutLockingTheOperatorOut() {
        String old = cluster.adminKey();
        String rotated = "API-ROTATEDKEY" + Long.toHexString(System.nanoTime()).toUpperCase();
        List<String> before = podUids();
        env.admin().secrets().inNamespace(NS).withName("tenant-admin-api-key").edit(secret -> {
            secret.getData().put("apiKey", java.util.Base64.getEncoder().encodeToString(rotated.getBytes()));
            return secret;
        });
        env.awaitOrDescribe(NS, "nodes restarted with the rotated key", SETTLE, () -> podUids().stream()
                .noneMatch(before::contains));
        cluster.awaitServing(2, SETTLE);
        var api = cluster.serviceApi().orElseThrow();
        assertThat(api.withKey(rotated).get("/api/octopusservernodes/summary").status()).isEqualTo(200);
        assertThat(api.withKey(old).get("/api/events?take=1000").json().get("Items").findValuesAsText("Category"))
                .as("the operator's calls never reached the failed-key limit").doesNotContain("LoginFailed");
    }

    @Test
    @Order(6)
    void switchingToAnExistingClaimKeepsTheOldOne() {
        env.admin().persistentVolumeClaims().inNamespace(NS).resource(new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("nfs-share").endMetadata().withNewSpec().withAccessModes("ReadWriteMany")
                .withStorageClassName("").withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources()
                .endSpec().build()).create();
        String task = Tasks.delay(cluster.serviceApi().orElseThrow(), 10);
        Tasks.awaitCompleted(cluster.serviceApi().orElseThrow(), task, SETTLE);

        cluster.edit(c -> {
            c.getSpec().sharedStorage = new SharedStorageSpec();
            c.getSpec().sharedStorage.existingClaim = "nfs-share";
            return c;
        });
        await().atMost(SETTLE).until(() -> cluster.pods().stream().allMatch(p -> p.getSpec().getVolumes().stream()
                .anyMatch(v -> v.getPersistentVolumeClaim() != null
                        && "nfs-share".equals(v.getPersistentVolumeClaim().getClaimName()))));
        cluster.awaitServing(2, SETTLE);
        assertThat(env.admin().persistentVolumeClaims().inNamespace(NS).withName("tenant-shared").get())
                .as("the claim the operator made is kept").isNotNull();
    }

    @Test
    @Order(7)
    void deletingTheClusterKeepsItsClaimUnlessTheSpecSaysToDeleteIt() {
        ClusterUnderTest other = ClusterUnderTest.applyWithGeneratedKey(env, NS, "scratch", 1, """
                  sharedStorage: {deleteClaim: true}
                """);
        other.awaitServing(1, SETTLE);
        cluster.deleteAndAwaitPodsGone();
        other.deleteAndAwaitPodsGone();
        await().atMost(Duration.ofSeconds(30)).until(() -> env.admin().persistentVolumeClaims().inNamespace(NS)
                .withName("scratch-shared").get() == null);
        assertThat(env.admin().persistentVolumeClaims().inNamespace(NS).withName("tenant-shared").get())
                .as("kept: packages, artifacts and task logs outlive the resource").isNotNull();
        assertThat(env.admin().persistentVolumeClaims().inNamespace(NS).withName("nfs-share").get())
                .as("never touched: the operator did not make it").isNotNull();
    }

    @Test
    @Order(8)
    void anOperatorWithoutPermissionsExitsAndIsRestartedInsteadOfLookingHealthy() {
        env.createRestrictedNamespace("octopus-broken");
        try (OperatorRelease broken = OperatorRelease.installUnready(env, "octopus-broken",
                Map.of("rbac.create", "false", "rbac.clusterWide", "true"))) {
            await().atMost(Duration.ofMinutes(2)).until(() -> broken.pods().stream().anyMatch(p ->
                    p.getStatus().getContainerStatuses() != null && p.getStatus().getContainerStatuses().stream()
                            .anyMatch(c -> c.getRestartCount() >= 2)));
            assertThat(broken.pods()).allSatisfy(p -> assertThat(ClusterUnderTest.ready(p)).isFalse());
            assertThat(broken.logs()).contains("the operator cannot start").contains("forbidden");
        }
    }
}
