package io.octopusha.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The whole product on a real Kubernetes: k3s in a container, the Jib images imported into its containerd, the
 * operator chart, and the octopus-example chart (a PostgreSQL and an OctopusCluster of 3 nodes). The tests run in
 * order on that one cluster, each leaving it with every node serving. Every wait is an Awaitility condition on what
 * the cluster reports, never a fixed sleep.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OctopusOnK3sTest {
    static final String SKIPPED = "make e2e: SKIPPED - no Docker engine found; the k3s end-to-end suite needs one";
    private static final Path ROOT = Path.of(System.getProperty("repo.root")).normalize();
    private static final Path SKIP_MARKER = ROOT.resolve("e2e/target/e2e-skipped.txt");
    private static final String VERSION = System.getProperty("image.tag");
    private static final String OPERATOR_NS = "octopus-system";
    private static final String NS = "demo";
    private static final String CLUSTER = "octopus";
    private static final String CLUSTER_PATH = "/apis/octopusha.io/v1alpha1/namespaces/" + NS + "/octopusclusters/" + CLUSTER;
    private static final Duration LONG = Duration.ofMinutes(5);

    private K3sContainer k3s;
    private KubernetesClient kube;
    private String apiKey;

    @BeforeAll
    void startKubernetesAndInstall() throws Exception {
        Files.deleteIfExists(SKIP_MARKER);
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            Files.createDirectories(SKIP_MARKER.getParent());
            Files.writeString(SKIP_MARKER, SKIPPED + "\n");
            Assumptions.abort(SKIPPED);
        }
        Path nodeImage = ROOT.resolve("node/target/jib-image.tar");
        Path operatorImage = ROOT.resolve("operator/target/jib-image.tar");
        assertThat(List.of(nodeImage, operatorImage)).as("image tarballs: run `make images` first")
                .allSatisfy(p -> assertThat(p).isRegularFile());

        k3s = new K3sContainer(DockerImageName.parse(System.getProperty("k3s.image")));
        k3s.start();
        importImage(nodeImage, "node.tar");
        importImage(operatorImage, "operator.tar");
        String kubeConfig = k3s.getKubeConfigYaml();
        kube = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeConfig)).build();

        // Cluster-wide RBAC: the operator watches every namespace (see docs/kubernetes.md on watchNamespaces).
        new Helm(chart("octopus-operator")).install().withName("octopus-operator").withNamespace(OPERATOR_NS)
                .createNamespace().withKubeConfigContents(kubeConfig)
                .set("image.tag", VERSION).set("image.pullPolicy", "Never").set("rbac.clusterWide", true)
                .waitReady().withTimeout(300).call();
        new Helm(chart("octopus-example")).install().withName(CLUSTER).withNamespace(NS).createNamespace()
                .withKubeConfigContents(kubeConfig)
                .set("cluster.image", "octopusha/node:" + VERSION).set("cluster.imagePullPolicy", "Never")
                .set("postgres.persistence.enabled", false).set("sharedStorage.hostPath.enabled", true)
                .call();
        awaitAllServing(3);
        apiKey = new String(Base64.getDecoder().decode(kube.secrets().inNamespace(NS)
                .withName(CLUSTER + "-admin-api-key").get().getData().get("apiKey")), StandardCharsets.UTF_8);
    }

    @AfterAll
    void stop() {
        if (kube != null) {
            kube.close();
        }
        if (k3s != null) {
            k3s.stop();
        }
    }

    @Test
    @Order(1)
    void allNodesAreReadyAndListedInStatus() {
        GenericKubernetesResource cluster = cluster();
        assertThat(cluster.<Integer>get("status", "readyReplicas")).isEqualTo(3);
        assertThat(statusNodes()).extracting(n -> n.get("name"))
                .containsExactlyInAnyOrder("octopus-0", "octopus-1", "octopus-2");
        assertThat(statusNodes()).allSatisfy(n -> {
            assertThat(n.get("status")).isEqualTo("Running");
            assertThat(n.get("inLoadBalancer")).isEqualTo(true);
        });
    }

    @Test
    @Order(2)
    void tasksRunThroughTheService() {
        // Through the API server's Service proxy: only the Service's ready endpoints answer.
        String task = startScript("echo hello from $(hostname)");
        JsonNode done = awaitTaskCompleted(task);
        assertThat(done.get("State").asText()).isEqualTo("Success");
        assertThat(serviceCall("GET", "/api/tasks/" + task + "/raw", null).body()).contains("hello from octopus-");
    }

    @Test
    @Order(3)
    void drainInTheSpecAnswers418AndLeavesTheEndpoints() {
        patchCluster("{\"spec\":{\"nodes\":[{\"name\":\"octopus-0\",\"drain\":true}]}}");
        await().atMost(LONG).untilAsserted(() -> {
            assertThat(ping("octopus-0")).isEqualTo(418);
            assertThat(readyEndpoints()).doesNotContain("octopus-0").contains("octopus-1", "octopus-2");
        });
        assertThat(node("octopus-0")).containsEntry("drain", true).containsEntry("drainReason", "Spec");

        patchCluster("{\"spec\":{\"nodes\":[]}}");
        await().atMost(LONG).untilAsserted(() -> assertThat(readyEndpoints()).contains("octopus-0"));
        assertThat(ping("octopus-0")).isEqualTo(200);
    }

    @Test
    @Order(4)
    void cordonAndDrainOfTheKubernetesNodeNeverFailsARunningTask() {
        String task = startScriptOn("octopus-0", "sleep 40; echo survived");
        String host = kube.pods().inNamespace(NS).withName("octopus-0").get().getSpec().getNodeName();

        kube.nodes().withName(host).edit(n -> new NodeBuilder(n).editSpec().withUnschedulable(true).endSpec().build());
        await().atMost(LONG).untilAsserted(() ->
                assertThat(node("octopus-0")).containsEntry("drainReason", "NodeCordoned"));
        // kubectl drain: evict every node pod on the host, again while the PodDisruptionBudget refuses (429).
        Set<String> evicted = nodePods().stream().filter(p -> host.equals(p.getSpec().getNodeName()))
                .map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
        await().atMost(LONG).until(() -> {
            nodePods().stream().filter(p -> evicted.contains(p.getMetadata().getUid()))
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                    .forEach(p -> kube.pods().inNamespace(NS).withName(p.getMetadata().getName()).evict());
            return nodePods().stream().noneMatch(p -> evicted.contains(p.getMetadata().getUid()));
        });
        // Every node pod ran on the one k3s machine, so none serves until it is schedulable again.
        kube.nodes().withName(host).edit(n -> new NodeBuilder(n).editSpec().withUnschedulable(false).endSpec().build());
        awaitAllServing(3);
        assertThat(statusNodes()).allSatisfy(n -> assertThat(n.get("drain")).isNotEqualTo(true));
        JsonNode done = awaitTaskCompleted(task);
        assertThat(done.get("State").asText()).as(done.toString()).isEqualTo("Success");
        assertThat(done.get("ServerNode").asText()).isEqualTo("octopus-0");
    }

    @Test
    @Order(5)
    void scaleDownRetiresTheNodeOnlyAfterItsTaskFinished() {
        String task = startScriptOn("octopus-2", "sleep 30; echo retired-after-me");
        // What `kubectl scale octo octopus --replicas=2` sends: the scale subresource.
        call("PATCH", CLUSTER_PATH + "/scale", "{\"spec\":{\"replicas\":2}}");
        await().atMost(LONG).untilAsserted(() ->
                assertThat(node("octopus-2")).containsEntry("drainReason", "Retire"));
        assertThat(taskState(task)).isEqualTo("Executing");
        assertThat(kube.pods().inNamespace(NS).withName("octopus-2").get()).isNotNull();

        JsonNode done = awaitTaskCompleted(task);
        assertThat(done.get("State").asText()).isEqualTo("Success");
        await().atMost(LONG).untilAsserted(() -> {
            assertThat(kube.apps().statefulSets().inNamespace(NS).withName(CLUSTER).get().getSpec().getReplicas())
                    .isEqualTo(2);
            assertThat(statusNodes()).extracting(n -> n.get("name")).containsExactlyInAnyOrder("octopus-0", "octopus-1");
        });
        awaitAllServing(2);
    }

    @Test
    @Order(6)
    void imageChangeWithDrainAllRestartsEveryNodeOnTheNewImage() throws Exception {
        String next = "octopusha/node:e2e-next";
        tagNodeImage("e2e-next");
        String task = startScript("sleep 20; echo finished-before-restart");
        patchCluster("{\"spec\":{\"image\":\"" + next + "\",\"upgradeStrategy\":\"DrainAll\"}}");

        JsonNode done = awaitTaskCompleted(task);
        assertThat(done.get("State").asText()).isEqualTo("Success");
        await().atMost(LONG).untilAsserted(() -> assertThat(nodePods()).hasSize(2).allSatisfy(p -> {
            assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo(next);
            assertThat(p.getStatus().getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("Ready");
                assertThat(c.getStatus()).isEqualTo("True");
            });
        }));
        awaitAllServing(2);
        assertThat(condition("Progressing")).containsEntry("status", "False");
    }

    // ---- cluster state

    private GenericKubernetesResource cluster() {
        return kube.genericKubernetesResources("octopusha.io/v1alpha1", "OctopusCluster").inNamespace(NS)
                .withName(CLUSTER).get();
    }

    private List<Map<String, Object>> statusNodes() {
        List<Map<String, Object>> nodes = cluster().get("status", "nodes");
        return nodes == null ? List.of() : nodes;
    }

    private Map<String, Object> node(String name) {
        return statusNodes().stream().filter(n -> name.equals(n.get("name"))).findFirst().orElse(Map.of());
    }

    private Map<String, Object> condition(String type) {
        List<Map<String, Object>> conditions = cluster().get("status", "conditions");
        return Stream.ofNullable(conditions).flatMap(List::stream).filter(c -> type.equals(c.get("type")))
                .findFirst().orElse(Map.of());
    }

    private void awaitAllServing(int nodes) {
        await().atMost(LONG).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().untilAsserted(() -> {
            assertThat(statusNodes()).hasSize(nodes).allSatisfy(n -> {
                assertThat(n.get("status")).isEqualTo("Running");
                assertThat(n.get("inLoadBalancer")).isEqualTo(true);
            });
            assertThat(condition("Ready")).containsEntry("status", "True");
            assertThat(readyEndpoints()).hasSize(nodes);
        });
    }

    private List<Pod> nodePods() {
        return kube.pods().inNamespace(NS).withLabel("app.kubernetes.io/name", "octopus-node")
                .withLabel("app.kubernetes.io/instance", CLUSTER).list().getItems();
    }

    /** Pods behind the client Service that the Service sends traffic to. */
    private Set<String> readyEndpoints() {
        return kube.discovery().v1().endpointSlices().inNamespace(NS)
                .withLabel("kubernetes.io/service-name", CLUSTER).list().getItems().stream()
                .flatMap(s -> Stream.ofNullable(s.getEndpoints()).flatMap(List::stream))
                .filter(e -> e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getReady()))
                .map(Endpoint::getTargetRef).filter(Objects::nonNull).map(r -> r.getName())
                .collect(Collectors.toSet());
    }

    private void patchCluster(String mergePatch) {
        call("PATCH", CLUSTER_PATH, mergePatch);
    }

    // ---- tasks through the node API

    private String startScript(String script) {
        HttpResponse<String> created = serviceCall("POST", "/api/tasks", Serialization.asJson(Map.of(
                "Name", "AdHocScript", "Description", "e2e",
                "Arguments", Map.of("ScriptBody", script, "Syntax", "Bash"))));
        assertThat(created.code()).as(created.body()).isEqualTo(201);
        return json(created.body()).get("Id").asText();
    }

    /** Starts a script on one node: every other node gets task cap 0 until the task runs. */
    private String startScriptOn(String nodeName, String script) {
        String others = statusNodes().stream().map(n -> (String) n.get("name")).filter(n -> !n.equals(nodeName))
                .map(n -> "{\"name\":\"" + n + "\",\"taskCap\":0}").collect(Collectors.joining(","));
        patchCluster("{\"spec\":{\"nodes\":[" + others + "]}}");
        await().atMost(LONG).untilAsserted(() -> assertThat(statusNodes())
                .filteredOn(n -> !nodeName.equals(n.get("name")))
                .allSatisfy(n -> assertThat(n.get("taskCap")).isEqualTo(0)));
        String task = startScript(script);
        await().atMost(LONG).ignoreExceptions().untilAsserted(() -> {
            JsonNode t = task(task);
            assertThat(t.get("State").asText()).isEqualTo("Executing");
            assertThat(t.get("ServerNode").asText()).isEqualTo(nodeName);
        });
        patchCluster("{\"spec\":{\"nodes\":[]}}");
        return task;
    }

    private JsonNode task(String id) {
        return json(serviceCall("GET", "/api/tasks/" + id, null).body());
    }

    private String taskState(String id) {
        return task(id).get("State").asText();
    }

    private JsonNode awaitTaskCompleted(String id) {
        // Ignoring exceptions: while nodes restart, the Service may have no endpoint and the proxy answers 503.
        return await().atMost(LONG).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> task(id), t -> t.get("IsCompleted").asBoolean());
    }

    private int ping(String pod) {
        return call("GET", "/api/v1/namespaces/" + NS + "/pods/" + pod + ":8080/proxy/api/octopusservernodes/ping",
                null).code();
    }

    private HttpResponse<String> serviceCall(String method, String path, String json) {
        return call(method, "/api/v1/namespaces/" + NS + "/services/" + CLUSTER + ":80/proxy" + path, json);
    }

    /** An HTTP call to the API server with the client's credentials, plus the Octopus API key for proxied calls. */
    private HttpResponse<String> call(String method, String path, String body) {
        HttpRequest.Builder request = kube.getHttpClient().newHttpRequestBuilder()
                .uri(kube.getMasterUrl().toString().replaceAll("/$", "") + path);
        if (apiKey != null) {
            request.header("X-Octopus-ApiKey", apiKey);
        }
        if (body != null) {
            request.method(method, method.equals("PATCH") ? "application/merge-patch+json" : "application/json", body);
        } else {
            request.method(method, null, (String) null);
        }
        try {
            HttpResponse<String> response = kube.getHttpClient().sendAsync(request.build(), String.class)
                    .get(60, TimeUnit.SECONDS);
            if (method.equals("PATCH")) {
                assertThat(response.code()).as(response.body()).isEqualTo(200);
            }
            return response;
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path, e);
        }
    }

    private static JsonNode json(String body) {
        try {
            return Serialization.jsonMapper().readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException(body, e);
        }
    }

    // ---- images

    private void importImage(Path tarball, String name) throws Exception {
        k3s.copyFileToContainer(MountableFile.forHostPath(tarball), "/tmp/" + name);
        exec("ctr", "-n", "k8s.io", "images", "import", "/tmp/" + name);
    }

    /** A second tag of the node image, so that an image change restarts the nodes without any registry. */
    private void tagNodeImage(String tag) throws Exception {
        String suffix = "octopusha/node:" + VERSION;
        String source = exec("ctr", "-n", "k8s.io", "images", "ls", "-q").lines()
                .filter(ref -> ref.endsWith(suffix)).findFirst().orElseThrow();
        exec("ctr", "-n", "k8s.io", "images", "tag", source,
                source.substring(0, source.length() - VERSION.length()) + tag);
    }

    private String exec(String... command) throws Exception {
        ExecResult result = k3s.execInContainer(command);
        assertThat(result.getExitCode()).as(String.join(" ", command) + ": " + result.getStderr()).isZero();
        return result.getStdout();
    }

    private static Path chart(String name) {
        return ROOT.resolve("charts").resolve(name);
    }
}
