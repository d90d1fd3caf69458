package io.octopusha.operator.kube;

import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operator as users install it: the {@code charts/octopus-operator} chart rendered by Helm's own engine and applied
 * to the control plane (ServiceAccount, RBAC, Deployment), so the operator runs as a pod of the process kubelet with
 * exactly the permissions the chart grants. A missing permission fails the test that needs it.
 */
public final class OperatorRelease implements AutoCloseable {
    public static final String RELEASE = "octopus-operator";

    private final KubeEnvironment env;
    private final String namespace;
    private final List<HasMetadata> objects;

    private OperatorRelease(KubeEnvironment env, String namespace, List<HasMetadata> objects) {
        this.env = env;
        this.namespace = namespace;
        this.objects = objects;
    }

    /** Renders and applies the chart with {@code values} (Helm --set syntax) and waits until the operator is ready. */
    public static OperatorRelease install(KubeEnvironment env, String namespace, Map<String, String> values) {
        OperatorRelease release = installUnready(env, namespace, values);
        release.awaitReady();
        return release;
    }

    /** Renders and applies the chart, without waiting for the operator. */
    public static OperatorRelease installUnready(KubeEnvironment env, String namespace, Map<String, String> values) {
        var template = new Helm(Repo.chart("octopus-operator")).template().withName(RELEASE).withNamespace(namespace)
                .withKubeVersion(env.plane().version());
        values.forEach(template::set);
        List<HasMetadata> objects = parse(template.call());
        objects.forEach(o -> env.admin().resource(o).serverSideApply());
        return new OperatorRelease(env, namespace, objects);
    }

    public void awaitReady() {
        env.awaitOrDescribe(namespace, "operator Deployment available", Duration.ofSeconds(40),
                () -> Optional.ofNullable(deployment().getStatus()).map(s -> s.getAvailableReplicas())
                        .orElse(0) >= deployment().getSpec().getReplicas());
    }

    public Deployment deployment() {
        return env.admin().apps().deployments().inNamespace(namespace).withName(RELEASE).get();
    }

    public String namespace() {
        return namespace;
    }

    public List<Pod> pods() {
        return env.admin().pods().inNamespace(namespace).withLabel("app.kubernetes.io/instance", RELEASE).list()
                .getItems();
    }

    /** What the operator's containers printed, all pods and restarts. */
    public String logs() {
        StringBuilder all = new StringBuilder();
        for (Pod pod : pods()) {
            try {
                all.append(Files.readString(env.kubelet().log(namespace, pod.getMetadata().getName())));
            } catch (IOException | IllegalArgumentException e) {
                all.append("(no log of ").append(pod.getMetadata().getName()).append(": ").append(e.getMessage()).append(")\n");
            }
        }
        return all.toString();
    }

    /** The operator's ServiceAccount as its user name in the API server's audit log. */
    public String user() {
        return "system:serviceaccount:" + namespace + ":" + RELEASE;
    }

    /** A client with the operator's own permissions. */
    public KubernetesClient clientAsOperator() {
        return env.plane().clientAs(namespace, RELEASE);
    }

    /** Deletes what the chart created, as helm uninstall does (CRDs stay, as Helm leaves them). */
    @Override
    public void close() {
        objects.reversed().forEach(o -> env.admin().resource(o).delete());
        await("operator pods gone").atMost(Duration.ofMinutes(1)).until(() -> env.admin().pods().inNamespace(namespace)
                .withLabel("app.kubernetes.io/instance", RELEASE).list().getItems().isEmpty());
    }

    private static List<HasMetadata> parse(String yaml) {
        Object parsed = Serialization.unmarshal(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        List<HasMetadata> all = new ArrayList<>();
        if (parsed instanceof List<?> list) list.forEach(o -> all.add((HasMetadata) o));
        else if (parsed != null) all.add((HasMetadata) parsed);
        return all;
    }
}
