package io.octopusha.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.octopusha.operator.Clusters;
import io.octopusha.operator.crd.ImagePullPolicy;
import io.octopusha.operator.crd.NodeResources;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.crd.ResourceAmounts;
import io.octopusha.operator.crd.ScriptTasks;
import io.octopusha.operator.crd.SecretKeyRef;
import io.octopusha.operator.crd.SharedStorageSpec;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class NodeStatefulSetTest {
    final OctopusCluster cluster = Clusters.minimal("octo", "prod");

    private Container container(StatefulSet sts) {
        return sts.getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    private Map<String, EnvVar> env(StatefulSet sts) {
        return container(sts).getEnv().stream().collect(Collectors.toMap(EnvVar::getName, Function.identity()));
    }

    @Test
    void replicasComeFromTheCallerAndRestartsFromTheOperator() {
        StatefulSet sts = NodeStatefulSet.desired(cluster, 2, Clusters.ADMIN_KEY);
        assertThat(sts.getMetadata().getName()).isEqualTo("octo");
        assertThat(sts.getMetadata().getNamespace()).isEqualTo("prod");
        assertThat(sts.getSpec().getReplicas()).isEqualTo(2);
        assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
        assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
        assertThat(sts.getSpec().getServiceName()).isEqualTo("octo-nodes");
        assertThat(sts.getSpec().getSelector().getMatchLabels())
                .containsExactlyInAnyOrderEntriesOf(Map.of(Labels.NAME, "octopus-node", Labels.INSTANCE, "octo"));
        assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(sts.getSpec().getSelector().getMatchLabels())
                .doesNotContainKey(Labels.LOAD_BALANCER);
    }

    @Test
    void nodeNameIsThePodNameAndSecretsComeFromReferences() {
        cluster.getSpec().adminApiKeySecretRef = new SecretKeyRef("admin", "token");
        Map<String, EnvVar> env = env(NodeStatefulSet.desired(cluster, 3, Clusters.ADMIN_KEY));
        assertThat(env.get("OCTOPUS_NODE_NAME").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        assertThat(env.get("OCTOPUS_DB_URL").getValueFrom().getSecretKeyRef().getName()).isEqualTo(Clusters.DB_SECRET);
        assertThat(env.get("OCTOPUS_DB_URL").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("url");
        assertThat(env.get("OCTOPUS_DB_USER").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("user");
        assertThat(env.get("OCTOPUS_DB_PASSWORD").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
        assertThat(env.get("OCTOPUS_ADMIN_API_KEY").getValueFrom().getSecretKeyRef().getName()).isEqualTo("admin");
        assertThat(env.get("OCTOPUS_ADMIN_API_KEY").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token");
        assertThat(container(NodeStatefulSet.desired(cluster, 3, Clusters.ADMIN_KEY)).getEnvFrom().getFirst().getConfigMapRef().getName())
                .isEqualTo("octo-config");
    }

    @Test
    void withoutUserAndPasswordOnlyTheUrlIsPassedAndTheGeneratedKeyIsUsed() {
        cluster.getSpec().database.userSecretRef = null;
        cluster.getSpec().database.passwordSecretRef = null;
        Map<String, EnvVar> env = env(NodeStatefulSet.desired(cluster, 3, Clusters.ADMIN_KEY));
        assertThat(env).containsKey("OCTOPUS_DB_URL").doesNotContainKeys("OCTOPUS_DB_USER", "OCTOPUS_DB_PASSWORD");
        assertThat(env.get("OCTOPUS_ADMIN_API_KEY").getValueFrom().getSecretKeyRef().getName())
                .isEqualTo("octo-admin-api-key");
        assertThat(env.get("OCTOPUS_ADMIN_API_KEY").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("apiKey");
    }

    @Test
    void readinessAsksWhetherTheNodeServesAndAStartupProbeCoversMigrations() {
        Container c = container(NodeStatefulSet.desired(cluster, 3, Clusters.ADMIN_KEY));
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/api/health/ready");
        assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/api/health/live");
        assertThat(c.getStartupProbe().getPeriodSeconds() * c.getStartupProbe().getFailureThreshold())
                .isEqualTo(NodeStatefulSet.STARTUP_BUDGET_SECONDS)
                .isGreaterThan(c.getLivenessProbe().getPeriodSeconds() * c.getLivenessProbe().getFailureThreshold());
        assertThat(c.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(8080);
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/api/health/live");
        assertThat(c.getLivenessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(8080);
        assertThat(c.getPorts().getFirst().getContainerPort()).isEqualTo(8080);
    }

    @Test
    void scriptTasksAreForAdministratorsUnlessTheSpecSaysOtherwiseAndAChangeRestartsTheNodes() {
        String hash = NodeStatefulSet.templateHash(cluster, Clusters.ADMIN_KEY);
        assertThat(env(NodeStatefulSet.desired(cluster, 1, Clusters.ADMIN_KEY)).get("OCTOPUS_SCRIPT_TASKS").getValue())
                .isEqualTo("Administrator");
        cluster.getSpec().scriptTasks = ScriptTasks.Disabled;
        assertThat(env(NodeStatefulSet.desired(cluster, 1, Clusters.ADMIN_KEY)).get("OCTOPUS_SCRIPT_TASKS").getValue())
                .isEqualTo("Disabled");
        assertThat(NodeStatefulSet.templateHash(cluster, Clusters.ADMIN_KEY)).isNotEqualTo(hash);
    }

    @Test
    void podsRunAsTheNodeUserWithoutPrivilegesUnlessTheSpecSaysOtherwise() {
        var pod = NodeStatefulSet.desired(cluster, 1, Clusters.ADMIN_KEY).getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(1000L);
        assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(1000L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        var container = pod.getContainers().getFirst().getSecurityContext();
        assertThat(container.getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getCapabilities().getDrop()).containsExactly("ALL");

        cluster.getSpec().podSecurityContext = new PodSecurityContextBuilder().withRunAsNonRoot(true).build();
        cluster.getSpec().securityContext = new SecurityContextBuilder().withAllowPrivilegeEscalation(false).build();
        var openShift = NodeStatefulSet.desired(cluster, 1, Clusters.ADMIN_KEY).getSpec().getTemplate().getSpec();
        assertThat(openShift.getSecurityContext().getRunAsUser()).as("the platform assigns the uid").isNull();
        assertThat(openShift.getContainers().getFirst().getSecurityContext().getReadOnlyRootFilesystem()).isNull();
    }

    @Test
    void podsPreferDifferentKubernetesNodesUnlessTheSpecHasAnAffinity() {
        var term = NodeStatefulSet.desired(cluster, 1, Clusters.ADMIN_KEY).getSpec().getTemplate().getSpec().getAffinity()
                .getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution().getFirst().getPodAffinityTerm();
        assertThat(term.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
        assertThat(term.getLabelSelector().getMatchLabels()).isEqualTo(Labels.selector(cluster));
    }

    @Test
    void terminationGraceComesFromTheSpecAndDefaults() {
        assertThat(NodeStatefulSet.desired(cluster, 1, Clusters.ADMIN_KEY).getSpec().getTemplate().getSpec()
                .getTerminationGracePeriodSeconds()).isEqualTo(630L);
        cluster.getSpec().terminationGracePeriodSeconds = 120L;
        assertThat(NodeStatefulSet.desired(cluster, 1, Clusters.ADMIN_KEY).getSpec().getTemplate().getSpec()
                .getTerminationGracePeriodSeconds()).isEqualTo(120L);
    }

    @Test
    void sharedStorageIsTheOperatorsClaimOrTheExistingOne() {
        var template = NodeStatefulSet.desired(cluster, 1, Clusters.ADMIN_KEY).getSpec().getTemplate().getSpec();
        assertThat(template.getVolumes()).anySatisfy(v -> assertThat(v.getPersistentVolumeClaim().getClaimName())
                .isEqualTo("octo-shared"));
        assertThat(template.getContainers().getFirst().getVolumeMounts())
                .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo(Names.SHARED_DIR));
        cluster.getSpec().sharedStorage = new SharedStorageSpec();
        cluster.getSpec().sharedStorage.existingClaim = "nfs-octopus";
        assertThat(NodeStatefulSet.desired(cluster, 1, Clusters.ADMIN_KEY).getSpec().getTemplate().getSpec().getVolumes())
                .anySatisfy(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("nfs-octopus"));
    }

    @Test
    void schedulingAndResourceOptionsArePassedThrough() {
        var spec = cluster.getSpec();
        spec.imagePullPolicy = ImagePullPolicy.Always;
        spec.resources = new NodeResources();
        spec.resources.limits = new ResourceAmounts();
        spec.resources.limits.memory = new IntOrString("2Gi");
        spec.resources.requests = new ResourceAmounts();
        spec.resources.requests.cpu = new IntOrString(1);
        spec.nodeSelector.put("pool", "octopus");
        spec.tolerations.add(new TolerationBuilder().withKey("dedicated").withValue("octopus").withEffect("NoSchedule").build());
        spec.affinity = new AffinityBuilder().withNewPodAntiAffinity().endPodAntiAffinity().build();
        var pod = NodeStatefulSet.desired(cluster, 1, Clusters.ADMIN_KEY).getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers().getFirst().getImage()).isEqualTo("octopusha/node:0.1.0");
        assertThat(pod.getContainers().getFirst().getImagePullPolicy()).isEqualTo("Always");
        assertThat(pod.getContainers().getFirst().getResources().getLimits()).containsExactly(
                Map.entry("memory", new Quantity("2Gi")));
        assertThat(pod.getContainers().getFirst().getResources().getRequests()).containsExactly(
                Map.entry("cpu", new Quantity("1")));
        assertThat(pod.getNodeSelector()).containsEntry("pool", "octopus");
        assertThat(pod.getTolerations()).extracting(t -> t.getKey()).containsExactly("dedicated");
        assertThat(pod.getAffinity().getPodAntiAffinity()).isNotNull();
        assertThat(pod.getServiceAccountName()).isEqualTo("octo");
    }

    @Test
    void templateHashChangesWithThePodTemplateOnly() {
        String hash = NodeStatefulSet.templateHash(cluster, Clusters.ADMIN_KEY);
        assertThat(NodeStatefulSet.templateHash(Clusters.minimal("octo", "prod"), Clusters.ADMIN_KEY)).isEqualTo(hash);
        assertThat(NodeStatefulSet.desired(cluster, 3, Clusters.ADMIN_KEY).getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(Labels.TEMPLATE_HASH, hash);

        cluster.getSpec().replicas = 7;
        assertThat(NodeStatefulSet.templateHash(cluster, Clusters.ADMIN_KEY)).as("scaling restarts nothing").isEqualTo(hash);
        cluster.getSpec().image = "octopusha/node:0.2.0";
        String newImage = NodeStatefulSet.templateHash(cluster, Clusters.ADMIN_KEY);
        assertThat(newImage).isNotEqualTo(hash);
        cluster.getSpec().taskCap = 9;
        cluster.getSpec().nodeLimit = 4;
        assertThat(NodeStatefulSet.templateHash(cluster, Clusters.ADMIN_KEY)).as("caps and limits apply live").isEqualTo(newImage);
        cluster.getSpec().terminationGracePeriodSeconds = 60L;
        String newGrace = NodeStatefulSet.templateHash(cluster, Clusters.ADMIN_KEY);
        assertThat(newGrace).isNotEqualTo(newImage);
        assertThat(NodeStatefulSet.templateHash(cluster, "API-ROTATEDKEY00000000000000"))
                .as("a rotated admin key restarts the nodes, so that each registers it").isNotEqualTo(newGrace);
        assertThat(NodeStatefulSet.desired(cluster, 3, Clusters.ADMIN_KEY).getSpec().getTemplate().getMetadata()
                .getAnnotations().get(Labels.ADMIN_KEY_FINGERPRINT)).doesNotContain(Clusters.ADMIN_KEY).hasSize(16);
    }
}
