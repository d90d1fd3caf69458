package io.octopusha.operator.e2e;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.octopusha.node.local.NodeProcess;
import io.octopusha.node.testing.Ports;
import io.octopusha.operator.model.Labels;
import io.octopusha.operator.model.NodeStatefulSet;
import io.octopusha.operator.nodeclient.NodeUrlResolver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the parts of Kubernetes that the mock API server lacks, for one OctopusCluster: the StatefulSet controller
 * (pods {@code <name>-0..N-1} from the current template; pods above N deleted, highest first), the scheduler (each pod
 * goes to a schedulable Kubernetes Node), and the kubelet: every pod is backed by a REAL node process started from the
 * pod template's environment (Secrets and ConfigMap resolved), with the database, directories and port mapped to this
 * machine; a deleted pod's process gets SIGTERM and, when the StatefulSet still wants the ordinal, a new pod and process
 * follow once it exited; the readiness probe is the node's ping. It reconciles every 100 ms on one thread.
 *
 * <p>{@link #resolver()} maps pod names to their processes on 127.0.0.1; {@link #cutOff} makes a node's API
 * unreachable for the operator (a refused port) while the node itself keeps running.
 */
final class FakeKubelet implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FakeKubelet.class);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    private static final String HEARTBEAT = "PT0.2S";
    private static final String OFFLINE_AFTER = "PT2S";

    /** A pod and the node process behind it. */
    private record Backing(String podName, String podUid, NodeProcess process) {
    }

    /** What the kubelet did to a pod's process, for assertions on ordering. */
    record Stop(String podName, Instant at) {
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final Path root;
    private final Map<String, Backing> running = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> stopping = new ConcurrentHashMap<>();
    private final List<Stop> stops = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> cutOff = ConcurrentHashMap.newKeySet();
    private final AtomicInteger generation = new AtomicInteger();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fake-kubelet");
        t.setDaemon(true);
        return t;
    });

    FakeKubelet(KubernetesClient client, String namespace, String name, Path root) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.root = root;
        // Should the test JVM end without close(), leave no node process behind.
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
                running.values().forEach(b -> b.process().kill()), "fake-kubelet-cleanup"));
        loop.scheduleWithFixedDelay(this::syncSafely, 0, 100, TimeUnit.MILLISECONDS);
    }

    /** Pod name -> its node process on 127.0.0.1 (or a refused port while cut off); empty without a process. */
    NodeUrlResolver resolver() {
        return pod -> {
            String podName = pod.getMetadata().getName();
            if (cutOff.contains(podName)) {
                return Optional.of(URI.create("http://127.0.0.1:1"));
            }
            return Optional.ofNullable(running.get(podName))
                    .filter(b -> Objects.equals(b.podUid(), pod.getMetadata().getUid()))
                    .map(b -> URI.create(b.process().baseUrl()));
        };
    }

    /** While cut off, the operator cannot reach this node's API; the node keeps running. */
    void cutOff(String podName, boolean unreachable) {
        if (unreachable) {
            cutOff.add(podName);
        } else {
            cutOff.remove(podName);
        }
    }

    String baseUrl(String podName) {
        return Optional.ofNullable(running.get(podName)).orElseThrow(() -> new IllegalStateException("no process for " + podName))
                .process().baseUrl();
    }

    List<Stop> stops() {
        synchronized (stops) {
            return List.copyOf(stops);
        }
    }

    private void syncSafely() {
        try {
            sync();
        } catch (RuntimeException e) {
            LOG.warn("fake kubelet: {}", e.toString());
        }
    }

    private void sync() {
        StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
        int wanted = sts == null || sts.getSpec().getReplicas() == null ? 0 : sts.getSpec().getReplicas();
        Map<String, Pod> pods = client.pods().inNamespace(namespace).withLabel(Labels.INSTANCE, name).list().getItems()
                .stream().collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p));

        // StatefulSet controller: scale-down deletes the pods above the wanted ordinals, highest first.
        pods.values().stream().filter(p -> ordinal(p.getMetadata().getName()) >= wanted)
                .sorted(Comparator.comparingInt((Pod p) -> ordinal(p.getMetadata().getName())).reversed())
                .toList()
                .forEach(p -> {
                    LOG.info("fake statefulset controller: deleting {} (replicas {})", p.getMetadata().getName(), wanted);
                    client.pods().inNamespace(namespace).withName(p.getMetadata().getName()).delete();
                    pods.remove(p.getMetadata().getName());
                });

        // Kubelet: a pod that is gone (or replaced) has its process terminated, like SIGTERM on pod deletion.
        for (Backing b : List.copyOf(running.values())) {
            Pod pod = pods.get(b.podName());
            if (pod == null || !Objects.equals(b.podUid(), pod.getMetadata().getUid())) {
                running.remove(b.podName());
                stops.add(new Stop(b.podName(), Instant.now()));
                LOG.info("fake kubelet: SIGTERM {} (pid {})", b.podName(), b.process().pid());
                stopping.put(b.podName(), CompletableFuture.runAsync(b.process()::close));
            }
        }

        // StatefulSet controller and kubelet: a missing pod is created once its predecessor's process exited.
        if (sts != null) {
            for (int i = 0; i < wanted; i++) {
                String podName = name + "-" + i;
                CompletableFuture<Void> stop = stopping.get(podName);
                if (!pods.containsKey(podName) && !running.containsKey(podName) && (stop == null || stop.isDone())) {
                    stopping.remove(podName);
                    start(sts, podName, i);
                }
            }
        }

        // Readiness probe: the ping (200 when online and not drained).
        for (Backing b : List.copyOf(running.values())) {
            Pod pod = pods.get(b.podName());
            if (pod == null) {
                continue;
            }
            boolean ready = pingOk(b.process());
            if (ready != ready(pod)) {
                client.pods().inNamespace(namespace).withName(b.podName()).editStatus(p -> new PodBuilder(p)
                        .editStatus().withConditions(readyCondition(ready))
                        .editFirstContainerStatus().withReady(ready).endContainerStatus()
                        .endStatus().build());
            }
        }
    }

    private void start(StatefulSet sts, String podName, int ordinal) {
        var template = sts.getSpec().getTemplate();
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(podName).withNamespace(namespace)
                .withLabels(template.getMetadata().getLabels())
                .withAnnotations(template.getMetadata().getAnnotations())
                .endMetadata()
                .withSpec(template.getSpec())
                .editSpec().withNodeName(schedule(ordinal)).endSpec()
                .withNewStatus().withPhase("Running").withStartTime(started.toString())
                .withConditions(readyCondition(false))
                .addNewContainerStatus().withName(NodeStatefulSet.CONTAINER).withReady(false)
                .withImage(template.getSpec().getContainers().getFirst().getImage())
                .withNewState().withNewRunning().withStartedAt(started.toString()).endRunning().endState()
                .endContainerStatus()
                .endStatus()
                .build();
        Pod created = client.pods().inNamespace(namespace).resource(pod).create();
        int n = generation.incrementAndGet();
        Map<String, String> env = environment(template.getSpec().getContainers().getFirst(), podName, n);
        NodeProcess process = NodeProcess.start(podName, Ports.free(), env,
                root.resolve("logs").resolve(podName + "-" + n + ".log"), List.of("-Xmx160m", "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC", "-Xshare:auto"));
        running.put(podName, new Backing(podName, created.getMetadata().getUid(), process));
        LOG.info("fake kubelet: started {} on {} (pid {}, {})", podName, created.getSpec().getNodeName(),
                process.pid(), process.baseUrl());
    }

    /** The first schedulable Kubernetes Node, counting from the ordinal: pods spread over the nodes that exist. */
    private String schedule(int ordinal) {
        List<String> schedulable = client.nodes().list().getItems().stream()
                .filter(n -> n.getSpec() == null || !Boolean.TRUE.equals(n.getSpec().getUnschedulable()))
                .map(Node::getMetadata).map(m -> m.getName()).sorted().toList();
        return schedulable.isEmpty() ? null : schedulable.get(ordinal % schedulable.size());
    }

    /** The container's environment as the kubelet would build it, then mapped onto this machine. */
    private Map<String, String> environment(Container container, String podName, int start) {
        Map<String, String> env = new HashMap<>();
        for (EnvFromSource from : Optional.ofNullable(container.getEnvFrom()).orElse(List.of())) {
            if (from.getConfigMapRef() != null) {
                ConfigMap cm = client.configMaps().inNamespace(namespace).withName(from.getConfigMapRef().getName()).get();
                if (cm == null) {
                    throw new IllegalStateException("ConfigMap " + from.getConfigMapRef().getName() + " not found");
                }
                env.putAll(cm.getData());
            }
        }
        for (EnvVar var : Optional.ofNullable(container.getEnv()).orElse(List.of())) {
            if (var.getValue() != null) {
                env.put(var.getName(), var.getValue());
            } else if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null) {
                var ref = var.getValueFrom().getSecretKeyRef();
                env.put(var.getName(), secretValue(ref.getName(), ref.getKey()));
            } else if (var.getValueFrom() != null && var.getValueFrom().getFieldRef() != null
                    && "metadata.name".equals(var.getValueFrom().getFieldRef().getFieldPath())) {
                env.put(var.getName(), podName);
            }
        }
        // The container's paths and port, mapped to this machine; fast heartbeats so that tests take seconds.
        env.put("OCTOPUS_DATA_DIR", root.resolve("data").resolve(podName + "-" + start).toString());
        env.put("OCTOPUS_SHARED_DIR", root.resolve("shared").toString());
        env.put("OCTOPUS_HEARTBEAT_INTERVAL", HEARTBEAT);
        env.put("OCTOPUS_OFFLINE_AFTER", OFFLINE_AFTER);
        env.remove("OCTOPUS_HTTP_PORT");
        return env;
    }

    private String secretValue(String secretName, String key) {
        Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
        if (secret == null) {
            throw new IllegalStateException("Secret " + secretName + " not found");
        }
        if (secret.getStringData() != null && secret.getStringData().containsKey(key)) {
            return secret.getStringData().get(key);
        }
        String encoded = Optional.ofNullable(secret.getData()).map(d -> d.get(key))
                .orElseThrow(() -> new IllegalStateException("Secret " + secretName + " has no key " + key));
        return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    }

    private static boolean pingOk(NodeProcess process) {
        try {
            HttpRequest ping = HttpRequest.newBuilder(URI.create(process.baseUrl() + NodeStatefulSet.PING_PATH))
                    .timeout(Duration.ofMillis(500)).build();
            return HTTP.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static PodCondition readyCondition(boolean ready) {
        return new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False")
                .withLastTransitionTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()).build();
    }

    private static boolean ready(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private int ordinal(String podName) {
        String rest = podName.substring(name.length() + 1);
        return rest.matches("[0-9]+") ? Integer.parseInt(rest) : -1;
    }

    /** Stops reconciling and terminates every node process (SIGTERM, then SIGKILL after 30 s). */
    @Override
    public void close() {
        loop.shutdownNow();
        try {
            loop.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<CompletableFuture<Void>> all = new ArrayList<>(stopping.values());
        running.values().forEach(b -> all.add(CompletableFuture.runAsync(b.process()::close)));
        running.clear();
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    }

    static Path newRoot(String label) {
        try {
            Path target = Path.of("target", "e2e").toAbsolutePath();
            Files.createDirectories(target);
            return Files.createTempDirectory(target, label + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
