package io.octopusha.operator.model;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.octopusha.operator.crd.Defaults;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.crd.SecretKeyRef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The nodes' StatefulSet. The operator, not the StatefulSet controller, decides when a pod restarts (OnDelete) and how
 * many replicas exist (the retire flow shrinks only after draining), so both are inputs here.
 */
public final class NodeStatefulSet {
    public static final String CONTAINER = "node";
    public static final String READY_PATH = "/api/health/ready";
    public static final String LIVE_PATH = "/api/health/live";
    /** The uid and gid of the node image's user; fsGroup makes the shared volume writable for it. */
    public static final long NODE_USER = 1000;
    /** Database migrations run before the node answers; this many seconds of start-up are not a failed liveness. */
    public static final int STARTUP_BUDGET_SECONDS = 600;
    private static final int STARTUP_PERIOD_SECONDS = 5;

    private NodeStatefulSet() {
    }

    /**
     * @param replicas StatefulSet size, as the retire flow allows
     * @param adminKey the admin API key the nodes get: a rotated key restarts them, so that each registers it
     */
    public static StatefulSet desired(OctopusCluster cr, int replicas, String adminKey) {
        return new StatefulSetBuilder()
                .withMetadata(Meta.of(cr, Names.statefulSet(cr)))
                .withNewSpec()
                .withReplicas(replicas)
                .withServiceName(Names.headlessService(cr))
                // Parallel: a restarted node stays drained (ping 418, not ready) until the operator undrains it, and
                // OrderedReady would wait for that readiness before starting the next pod.
                .withPodManagementPolicy("Parallel")
                .withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy()
                .withNewSelector().withMatchLabels(Labels.selector(cr)).endSelector()
                .withTemplate(podTemplate(cr, adminKey))
                .endSpec()
                .build();
    }

    /** The pod template, annotated with the hash that marks pods made from an older template as outdated. */
    public static PodTemplateSpec podTemplate(OctopusCluster cr, String adminKey) {
        PodTemplateSpec template = unhashedTemplate(cr, adminKey);
        template.getMetadata().getAnnotations().put(Labels.TEMPLATE_HASH, templateHash(cr, adminKey));
        return template;
    }

    /**
     * Covers the pod template only. The node settings ConfigMap needs no restart of its own: its task cap and node
     * limit are applied to running nodes through their API and StatefulSet size, and the shutdown grace follows
     * terminationGracePeriodSeconds, which is in the template.
     */
    public static String templateHash(OctopusCluster cr, String adminKey) {
        return sha256(Serialization.asJson(unhashedTemplate(cr, adminKey)));
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PodTemplateSpec unhashedTemplate(OctopusCluster cr, String adminKey) {
        var spec = cr.getSpec();
        Map<String, String> annotations = new TreeMap<>();
        // A fingerprint, not the key: enough to see that it changed.
        annotations.put(Labels.ADMIN_KEY_FINGERPRINT, sha256(adminKey));
        return new PodTemplateSpecBuilder()
                .withNewMetadata().withLabels(Labels.common(cr)).withAnnotations(annotations).endMetadata()
                .withNewSpec()
                .withServiceAccountName(Names.serviceAccount(cr))
                .withAutomountServiceAccountToken(false)
                .withSecurityContext(spec.podSecurityContext != null ? spec.podSecurityContext : podSecurityContext())
                .withTerminationGracePeriodSeconds(Defaults.terminationGraceSeconds(spec))
                .withContainers(container(cr))
                .addNewVolume().withName("shared").withNewPersistentVolumeClaim()
                .withClaimName(SharedStorageClaim.claimName(cr)).endPersistentVolumeClaim().endVolume()
                .addNewVolume().withName("data").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                .withNodeSelector(spec.nodeSelector == null || spec.nodeSelector.isEmpty() ? null : spec.nodeSelector)
                .withTolerations(spec.tolerations == null || spec.tolerations.isEmpty() ? null : spec.tolerations)
                .withAffinity(spec.affinity != null ? spec.affinity : spreadOverKubernetesNodes(cr))
                .endSpec()
                .build();
    }

    private static Container container(OctopusCluster cr) {
        var spec = cr.getSpec();
        return new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(spec.image)
                .withImagePullPolicy(spec.imagePullPolicy == null ? null : spec.imagePullPolicy.name())
                .addNewPort().withName("http").withContainerPort(Names.NODE_HTTP_PORT).endPort()
                .withEnv(env(cr))
                .addNewEnvFrom().withNewConfigMapRef().withName(Names.configMap(cr)).endConfigMapRef().endEnvFrom()
                .withStartupProbe(httpProbe(LIVE_PATH, STARTUP_PERIOD_SECONDS, STARTUP_BUDGET_SECONDS / STARTUP_PERIOD_SECONDS))
                .withReadinessProbe(httpProbe(READY_PATH, 5, 2))
                .withLivenessProbe(httpProbe(LIVE_PATH, 10, 6))
                .withResources(spec.resources == null ? null : spec.resources.toRequirements())
                .withSecurityContext(spec.securityContext != null ? spec.securityContext : containerSecurityContext())
                .addNewVolumeMount().withName("shared").withMountPath(Names.SHARED_DIR).endVolumeMount()
                .addNewVolumeMount().withName("data").withMountPath(Names.DATA_DIR).endVolumeMount()
                // The root file system is read-only; the JVM and script tasks write temporary files here.
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .build();
    }

    /** Meets the PodSecurity "restricted" standard; fsGroup lets the node's user write to a root-owned volume. */
    static PodSecurityContext podSecurityContext() {
        return new PodSecurityContextBuilder()
                .withRunAsNonRoot(true).withRunAsUser(NODE_USER).withRunAsGroup(NODE_USER).withFsGroup(NODE_USER)
                .withFsGroupChangePolicy("OnRootMismatch")
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .build();
    }

    static SecurityContext containerSecurityContext() {
        return new SecurityContextBuilder()
                .withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .build();
    }

    /** Preferably one node per Kubernetes node, so that patching one machine takes down one Octopus node. */
    static Affinity spreadOverKubernetesNodes(OctopusCluster cr) {
        return new AffinityBuilder().withNewPodAntiAffinity()
                .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(100)
                .withNewPodAffinityTerm().withTopologyKey("kubernetes.io/hostname")
                .withNewLabelSelector().withMatchLabels(Labels.selector(cr)).endLabelSelector()
                .endPodAffinityTerm().endPreferredDuringSchedulingIgnoredDuringExecution()
                .endPodAntiAffinity().build();
    }

    private static List<EnvVar> env(OctopusCluster cr) {
        var db = cr.getSpec().database;
        List<EnvVar> env = new ArrayList<>();
        // fieldRef is one atomic value for server-side apply: its defaulted apiVersion must be in the desired state,
        // or every reconcile would find the StatefulSet changed and write it again.
        env.add(new EnvVarBuilder().withName("OCTOPUS_NODE_NAME")
                .withNewValueFrom().withNewFieldRef().withApiVersion("v1").withFieldPath("metadata.name").endFieldRef()
                .endValueFrom().build());
        env.add(fromSecret("OCTOPUS_DB_URL", db.urlSecretRef));
        if (db.userSecretRef != null) {
            env.add(fromSecret("OCTOPUS_DB_USER", db.userSecretRef));
        }
        if (db.passwordSecretRef != null) {
            env.add(fromSecret("OCTOPUS_DB_PASSWORD", db.passwordSecretRef));
        }
        env.add(fromSecret("OCTOPUS_ADMIN_API_KEY", AdminApiKey.ref(cr)));
        // In the template, not the settings ConfigMap: a node reads it at start, so a change must restart the nodes.
        env.add(new EnvVarBuilder().withName("OCTOPUS_SCRIPT_TASKS")
                .withValue(Defaults.scriptTasks(cr.getSpec()).name()).build());
        return env;
    }

    private static EnvVar fromSecret(String name, SecretKeyRef ref) {
        return new EnvVarBuilder().withName(name)
                .withNewValueFrom().withNewSecretKeyRef().withName(ref.name).withKey(ref.key).endSecretKeyRef()
                .endValueFrom().build();
    }

    private static Probe httpProbe(String path, int periodSeconds, int failureThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet().withPath(path).withPort(new IntOrString(Names.NODE_HTTP_PORT)).endHttpGet()
                .withPeriodSeconds(periodSeconds)
                .withTimeoutSeconds(3)
                .withFailureThreshold(failureThreshold)
                .build();
    }

    /** The template hash a pod was created from, or "" for a pod made before the operator hashed templates. */
    public static String hashOf(Map<String, String> podAnnotations) {
        return podAnnotations == null ? "" : podAnnotations.getOrDefault(Labels.TEMPLATE_HASH, "");
    }
}
