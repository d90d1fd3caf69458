package io.octopusha.operator.kube;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;

/**
 * What every test of the tier shares: the control plane, four Kubernetes Nodes run by the {@link ProcessKubelet}, and
 * the OctopusCluster CRD from {@code crds/}. Test classes create their own namespaces, operator releases and clusters.
 */
public final class KubeEnvironment implements AutoCloseable {
    public static final List<String> KUBE_NODES = List.of("kube-a", "kube-b", "kube-c", "kube-d");
    /** Pre-provisioned shared volumes; each OctopusCluster's claim binds one. */
    static final int SHARED_VOLUMES = 8;
    /** Node settings that make check-ins and offline detection fast enough for tests. */
    static final Map<String, String> NODE_TEST_SETTINGS = Map.of(
            "OCTOPUS_HEARTBEAT_INTERVAL", "PT0.5S", "OCTOPUS_OFFLINE_AFTER", "PT5S");
    static final ProcessKubelet.Image NODE_IMAGE = new ProcessKubelet.Image("octopusha/node", "io.octopusha.node.Main",
            "OCTOPUS_BIND_ADDRESS", List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+DisableAttachMechanism"),
            NODE_TEST_SETTINGS);
    static final ProcessKubelet.Image OPERATOR_IMAGE = new ProcessKubelet.Image("octopusha/operator",
            "io.octopusha.operator.Main", "OPERATOR_HTTP_ADDRESS",
            List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    // The image logs as in production, not as the tests around it.
                    "-Dlogback.configurationFile=" + Path.of("target", "classes", "logback.xml").toAbsolutePath()),
            Map.of());

    private final ControlPlane plane;
    private final ProcessKubelet kubelet;
    private final Kubectl kubectl;

    private KubeEnvironment(ControlPlane plane, ProcessKubelet kubelet, Kubectl kubectl) {
        this.plane = plane;
        this.kubelet = kubelet;
        this.kubectl = kubectl;
    }

    static KubeEnvironment start(Path binaries, Path root) {
        deleteRecursively(root);
        ControlPlane plane = ControlPlane.start(binaries, root.resolve("control-plane"));
        try {
            Kubectl kubectl = new Kubectl(binaries.resolve("kubectl"), plane.adminKubeconfig());
            kubectl.run("apply", "--server-side", "-f", Repo.crd().toString()).assertSuccess();
            kubectl.run("wait", "--for=condition=Established", "crd/octopusclusters.octopusha.io", "--timeout=60s")
                    .assertSuccess();
            ProcessKubelet kubelet = new ProcessKubelet(plane, root.resolve("kubelet"), KUBE_NODES,
                    List.of(NODE_IMAGE, OPERATOR_IMAGE));
            for (int i = 0; i < SHARED_VOLUMES; i++) {
                plane.admin().persistentVolumes().resource(sharedVolume("shared-" + i)).create();
            }
            return new KubeEnvironment(plane, kubelet, kubectl);
        } catch (RuntimeException | Error e) {
            plane.close();
            throw e;
        }
    }

    public ControlPlane plane() {
        return plane;
    }

    public KubernetesClient admin() {
        return plane.admin();
    }

    public ProcessKubelet kubelet() {
        return kubelet;
    }

    public Kubectl kubectl() {
        return kubectl;
    }

    /**
     * A ReadWriteMany volume without a storage class, as an administrator provisions NFS shares: a claim without a
     * class binds to one. The kubelet keeps its data in one folder, whichever pods mount it.
     */
    private static PersistentVolume sharedVolume(String name) {
        return new PersistentVolumeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withCapacity(Map.of("storage", new Quantity("100Gi"))).withAccessModes("ReadWriteMany")
                .withStorageClassName("").withPersistentVolumeReclaimPolicy("Retain")
                .withNewHostPath().withPath("/srv/" + name).endHostPath().endSpec().build();
    }

    /** A namespace whose pods must meet the PodSecurity "restricted" standard, as a hardened cluster has. */
    public void createRestrictedNamespace(String name) {
        admin().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                .addToLabels("pod-security.kubernetes.io/enforce-version", "latest")
                .endMetadata().build()).create();
    }

    /** Awaits {@code condition}; on timeout the failure carries what kubectl says of the namespace's pods and events. */
    public void awaitOrDescribe(String namespace, String what, Duration timeout, Callable<Boolean> condition) {
        try {
            await(what).atMost(timeout).pollInterval(Duration.ofMillis(250)).until(condition);
        } catch (ConditionTimeoutException e) {
            dumpThreads();
            throw new AssertionError(e.getMessage() + "\n" + describe(namespace), e);
        }
    }

    /** This JVM's threads, next to the tier's logs, for a failure that looks like a hang. */
    static void dumpThreads() {
        StringBuilder dump = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            dump.append('"').append(thread.getName()).append("\" ").append(thread.getState()).append('\n');
            for (StackTraceElement frame : stack) dump.append("    at ").append(frame).append('\n');
            dump.append('\n');
        });
        try {
            Files.writeString(Path.of("target", "kube-tier", "threads-" + System.currentTimeMillis() + ".txt"), dump);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** kubectl's view of a namespace's pods and events, for failure messages. */
    public String describe(String namespace) {
        return kubectl.run("get", "octo", "-n", namespace, "-o", "yaml").out()
                + kubectl.run("get", "pods", "-n", namespace, "-o", "wide").out()
                + kubectl.run("describe", "pods", "-n", namespace).out()
                + kubectl.run("get", "events", "-n", namespace, "--sort-by=.lastTimestamp").out();
    }

    @Override
    public void close() {
        try {
            kubelet.close();
        } finally {
            plane.close();
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
