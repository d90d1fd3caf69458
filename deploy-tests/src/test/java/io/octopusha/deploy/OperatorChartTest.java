package io.octopusha.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.octopusha.operator.crd.OctopusCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OperatorChartTest {
    private static final String CHART = "octopus-operator";
    private static final String RELEASE = "octo";
    private static final String NS = "octopus-system";
    private static final String SA = "octo-octopus-operator";

    /**
     * Every API call the operator makes, read off operator/src/main (keep in step with docs/operator.md "Install"):
     * informers list and watch the primary and every dependent kind (JOSDK), dependents are written with server-side
     * apply (patch) and deleted when their precondition stops holding, the reconciler gets referenced Secrets and
     * replaces the status through the status subresource, PlanApplier patches pod labels and deletes pods to restart
     * them, ClusterEvents creates core/v1 Events, and the Node informer (cordon-following) watches cluster-scoped
     * Nodes. The kube tier runs the operator with exactly these grants.
     */
    private static final List<Permission> OPERATOR_USES = Stream.of(
            namespaced("octopusha.io", "octopusclusters", "get", "list", "watch", "patch", "update"),
            namespaced("octopusha.io", "octopusclusters/status", "get", "patch", "update"),
            namespaced("", "configmaps", "get", "list", "watch", "create", "update", "patch", "delete"),
            namespaced("", "services", "get", "list", "watch", "create", "update", "patch", "delete"),
            namespaced("", "serviceaccounts", "get", "list", "watch", "create", "update", "patch", "delete"),
            namespaced("", "secrets", "get", "list", "watch", "create", "update", "patch", "delete"),
            namespaced("", "persistentvolumeclaims", "get", "list", "watch", "create", "update", "patch", "delete"),
            namespaced("apps", "statefulsets", "get", "list", "watch", "create", "update", "patch", "delete"),
            namespaced("policy", "poddisruptionbudgets", "get", "list", "watch", "create", "update", "patch", "delete"),
            namespaced("networking.k8s.io", "ingresses", "get", "list", "watch", "create", "update", "patch", "delete"),
            namespaced("", "pods", "get", "list", "watch", "patch", "delete"),
            namespaced("", "events", "create"),
            clusterScoped("", "nodes", "get", "list", "watch"),
            // JOSDK's LeaderElectionManager checks get, create and update on start, in OPERATOR_LEASE_NAMESPACE (the
            // Lease OctopusOperator.LEASE_NAME); fabric8's LeaderElector then renews it with a patch.
            leases("get", "create", "update", "patch"))
            .flatMap(List::stream).toList();

    enum Scope { WATCHED_NAMESPACE, CLUSTER, RELEASE_NAMESPACE }

    record Permission(Scope scope, String group, String resource, String verb) {
    }

    private static List<Permission> namespaced(String group, String resource, String... verbs) {
        return Stream.of(verbs).map(v -> new Permission(Scope.WATCHED_NAMESPACE, group, resource, v)).toList();
    }

    private static List<Permission> clusterScoped(String group, String resource, String... verbs) {
        return Stream.of(verbs).map(v -> new Permission(Scope.CLUSTER, group, resource, v)).toList();
    }

    private static List<Permission> leases(String... verbs) {
        return Stream.of(verbs).map(v -> new Permission(Scope.RELEASE_NAMESPACE, "coordination.k8s.io", "leases", v))
                .toList();
    }

    private static List<HasMetadata> render(Map<String, String> values) {
        return Repo.render(CHART, RELEASE, NS, values);
    }

    @Test
    void lintsCleanInStrictMode() {
        LintResult result = new Helm(Repo.chart(CHART)).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    @Test
    void deploymentRunsTheOperatorLockedDown() {
        Deployment deployment = Repo.only(render(Map.of()), Deployment.class);
        var pod = deployment.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);

        assertThat(c.getImage()).isEqualTo("octopusha/operator:" + appVersion());
        assertThat(appVersion()).as("the tag make images builds").isEqualTo(System.getProperty("image.tag"));
        assertThat(c.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getContainerPort()).isEqualTo(8080);
        });
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).containsKey("memory");

        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        // A read-only root needs a writable /tmp for the JVM.
        assertThat(c.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());

        assertThat(pod.getServiceAccountName()).isEqualTo(SA);
        assertThat(env(c)).containsEntry("OPERATOR_HTTP_PORT", "8080")
                .containsEntry("OPERATOR_NODE_API_TIMEOUT", "PT5S")
                .containsEntry("OPERATOR_LEASE_NAMESPACE", NS)
                .containsEntry("OPERATOR_WATCH_NAMESPACES", NS);
    }

    @Test
    void httpPortValueMovesPortProbesAndEnvTogether() {
        Deployment deployment = Repo.only(render(Map.of("operator.httpPort", "9090")), Deployment.class);
        Container c = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getPorts().get(0).getContainerPort()).isEqualTo(9090);
        assertThat(env(c)).containsEntry("OPERATOR_HTTP_PORT", "9090");
        assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    }

    @Test
    void everyObjectCarriesTheStandardLabels() {
        List<HasMetadata> all = render(Map.of("metrics.serviceMonitor.enabled", "true"));
        assertThat(all).isNotEmpty().allSatisfy(o -> assertThat(o.getMetadata().getLabels())
                .as(o.getKind() + " " + o.getMetadata().getName())
                .containsEntry("app.kubernetes.io/name", "octopus-operator")
                .containsEntry("app.kubernetes.io/instance", RELEASE)
                .containsEntry("app.kubernetes.io/version", appVersion())
                .containsEntry("app.kubernetes.io/managed-by", "Helm")
                .containsEntry("app.kubernetes.io/part-of", "octopus-ha")
                .containsKey("helm.sh/chart"));
    }

    @Test
    void namespacedRbacCoversEveryCallOfTheOperatorAndNothingMore() {
        List<HasMetadata> all = render(Map.of());
        Rbac rbac = new Rbac(all);
        assertCovers(rbac, List.of(NS), false);
        assertThat(Repo.ofType(all, ServiceAccount.class)).extracting(s -> s.getMetadata().getName()).containsExactly(SA);
        // Namespaced by default: the only ClusterRole is the Nodes one.
        assertThat(Repo.ofType(all, ClusterRole.class)).singleElement()
                .satisfies(r -> assertThat(r.getRules()).singleElement()
                        .satisfies(rule -> assertThat(rule.getResources()).containsExactly("nodes")));
        assertThat(rbac.allows(NS, SA, null, "", "pods", "list")).isFalse();
        assertThat(rbac.allows(NS, SA, "elsewhere", "", "secrets", "get")).isFalse();
        assertNoMoreThanUsed(rbac);
    }

    @Test
    void watchNamespacesGetTheirOwnRoles() {
        List<HasMetadata> all = render(Map.of("watchNamespaces[0]", "team-a", "watchNamespaces[1]", "team-b"));
        assertCovers(new Rbac(all), List.of(NS, "team-a", "team-b"), false);
        assertThat(Repo.ofType(all, Role.class)).extracting(r -> r.getMetadata().getNamespace())
                .containsExactlyInAnyOrder(NS, NS, "team-a", "team-b");
        assertThat(env(Repo.only(all, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0)))
                .containsEntry("OPERATOR_WATCH_NAMESPACES", NS + ",team-a,team-b");
    }

    @Test
    void clusterWideSwitchesRolesToAClusterRole() {
        List<HasMetadata> all = render(Map.of("rbac.clusterWide", "true"));
        Rbac rbac = new Rbac(all);
        assertCovers(rbac, List.of(NS, "any-namespace"), true);
        // Only leader election stays namespaced.
        assertThat(Repo.ofType(all, Role.class)).singleElement()
                .satisfies(r -> assertThat(r.getRules().get(0).getResources()).containsExactly("leases"));
        assertThat(env(Repo.only(all, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0)))
                .doesNotContainKey("OPERATOR_WATCH_NAMESPACES");
        assertNoMoreThanUsed(rbac);
    }

    @Test
    void rbacAndServiceAccountCanBeLeftOut() {
        List<HasMetadata> all = render(Map.of("rbac.create", "false", "serviceAccount.create", "false",
                "serviceAccount.name", "mine"));
        assertThat(all).noneMatch(o -> o.getApiVersion().startsWith("rbac.authorization.k8s.io"));
        assertThat(Repo.ofType(all, ServiceAccount.class)).isEmpty();
        assertThat(Repo.only(all, Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo("mine");
    }

    @Test
    void chartCrdIsTheGeneratedOne() throws IOException {
        Path generated = Repo.root().resolve("crds/octopusclusters.octopusha.io-v1.yml");
        Path inChart = Repo.chart(CHART).resolve("crds/octopusclusters.octopusha.io-v1.yml");
        assertThat(Files.readString(inChart)).as("charts/octopus-operator/crds/ must be a copy of crds/ (make crds)")
                .isEqualTo(Files.readString(generated));
        try (Stream<Path> files = Files.list(Repo.chart(CHART).resolve("crds"))) {
            assertThat(files).singleElement();
        }
        CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(inChart), CustomResourceDefinition.class);
        assertThat(crd.getMetadata().getName()).isEqualTo(new OctopusCluster().getCRDName());
        assertThat(crd.getSpec().getVersions()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("v1alpha1");
            assertThat(v.getSubresources().getStatus()).isNotNull();
            assertThat(v.getSubresources().getScale().getSpecReplicasPath()).isEqualTo(".spec.replicas");
        });
    }

    @Test
    void serviceMonitorScrapesTheMetricsService() {
        List<HasMetadata> all = render(Map.of("metrics.serviceMonitor.enabled", "true"));
        GenericKubernetesResource monitor = Repo.only(all, GenericKubernetesResource.class);
        assertThat(monitor.getKind()).isEqualTo("ServiceMonitor");
        Service service = Repo.only(all, Service.class);
        Map<String, Object> endpoint = monitor.<List<Map<String, Object>>>get("spec", "endpoints").get(0);
        assertThat(endpoint).containsEntry("path", "/metrics")
                .containsEntry("port", service.getSpec().getPorts().get(0).getName());
        assertThat(monitor.<Map<String, String>>get("spec", "selector", "matchLabels").entrySet())
                .isNotEmpty()
                .allMatch(e -> e.getValue().equals(
                        Repo.only(all, Deployment.class).getSpec().getTemplate().getMetadata().getLabels().get(e.getKey())));
        assertThat(service.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("http");
        assertThat(Repo.ofType(render(Map.of()), GenericKubernetesResource.class)).isEmpty();
    }

    @ParameterizedTest(name = "{0}={1} is refused")
    @CsvSource(delimiter = '|', value = {
            "replicaCount|-1",
            "image.pullPolicy|Sometimes",
            "operator.httpPort|80",
            "operator.nodeApiTimeout|5s",
            "resources.limits.memory|lots",
            "watchNamespaces[0]|Not_A_Namespace",
            "metrics.serviceMonitor.interval|often",
            "unknownSetting|1",
    })
    void schemaRefusesBadValues(String key, String value) {
        assertThatThrownBy(() -> render(Map.of(key, value)))
                .hasMessageContaining("values don't meet the specifications of the schema");
    }

    @Test
    void serviceMonitorWithoutItsServiceIsRefused() {
        assertThatThrownBy(() -> render(Map.of("metrics.serviceMonitor.enabled", "true",
                "metrics.service.enabled", "false")))
                .hasMessageContaining("metrics.serviceMonitor.enabled needs metrics.service.enabled");
    }

    private static void assertCovers(Rbac rbac, List<String> watched, boolean clusterWide) {
        for (Permission p : OPERATOR_USES) {
            switch (p.scope()) {
                case WATCHED_NAMESPACE -> watched.forEach(ns -> assertThat(
                        rbac.allows(NS, SA, clusterWide ? null : ns, p.group(), p.resource(), p.verb()))
                        .as("%s %s/%s in %s", p.verb(), p.group(), p.resource(), clusterWide ? "all namespaces" : ns)
                        .isTrue());
                case CLUSTER -> assertThat(rbac.allows(NS, SA, null, p.group(), p.resource(), p.verb()))
                        .as("%s %s/%s cluster-wide", p.verb(), p.group(), p.resource()).isTrue();
                case RELEASE_NAMESPACE -> assertThat(rbac.allows(NS, SA, NS, p.group(), p.resource(), p.verb()))
                        .as("%s %s/%s in %s", p.verb(), p.group(), p.resource(), NS).isTrue();
            }
        }
    }

    /** Least privilege: no wildcard, and no verb on any resource the operator does not use. */
    private static void assertNoMoreThanUsed(Rbac rbac) {
        Set<String> used = OPERATOR_USES.stream().map(p -> p.group() + "|" + p.resource() + "|" + p.verb())
                .collect(Collectors.toSet());
        List<PolicyRule> rules = rbac.allRules(NS, SA).toList();
        assertThat(rules).isNotEmpty();
        for (PolicyRule rule : rules) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        assertThat(used).as("granted but unused").contains(group + "|" + resource + "|" + verb);
                    }
                }
            }
        }
    }

    private static Map<String, String> env(Container c) {
        return c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> String.valueOf(e.getValue())));
    }

    private static String appVersion() {
        try {
            return String.valueOf(Serialization.unmarshal(Files.readString(Repo.chart(CHART).resolve("Chart.yaml")),
                    Map.class).get("appVersion"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
