package io.octopusha.operator.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet of this tier: registers Kubernetes Nodes (Ready, with capacity, their Leases renewed) and runs every pod
 * the real scheduler binds to them as a real process on this machine. Each pod gets an address of its own as its pod IP
 * ({@link PodNetwork}), which its process listens on, so pods can share a port as they would in their own network
 * namespaces. Like a kubelet it resolves the container's environment (values, field references, Secret and
 * ConfigMap keys, envFrom), mounts volumes (a claim is one folder shared by every pod that mounts it, as ReadWriteMany
 * storage; emptyDir is per pod; projected service-account tokens come from the TokenRequest API), runs the startup,
 * liveness and readiness probes against the process and reports container state and the pod's conditions, restarts a
 * container that exits or fails its liveness probe, and on deletion sends SIGTERM, waits the pod's grace period, then
 * SIGKILL, and finally removes the pod. Cordons are the Nodes' {@code spec.unschedulable}, set with the API.
 *
 * <p>Containers are Java programs of this build: {@link Image} maps an image repository to its main class.
 */
public final class ProcessKubelet implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessKubelet.class);
    private static final HttpClient PROBES = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private static final String SERVICE_ACCOUNT_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";
    private static final Duration SYNC_PERIOD = Duration.ofMillis(100);
    private static final Duration MAX_RESTART_BACKOFF = Duration.ofSeconds(10);
    private static final Duration LEASE_RENEWAL = Duration.ofSeconds(10);

    /**
     * A container image this kubelet can run.
     *
     * @param repository          image name without its tag, e.g. octopusha/node
     * @param mainClass           the program, started with this JVM's class path
     * @param bindAddressVariable the setting that makes the program listen on the pod IP only (its network namespace)
     * @param jvmOptions          e.g. a heap limit standing in for the container's memory limit
     * @param defaultEnv          environment the image itself sets; the pod's own environment wins
     */
    public record Image(String repository, String mainClass, String bindAddressVariable, List<String> jvmOptions,
                        Map<String, String> defaultEnv) {
    }

    /** A container as it ran: for assertions on what happened to pods. */
    public record ContainerRun(String namespace, String pod, String uid, String kubeNode, String podIp, long pid,
                               Instant started, Instant stopped, Integer exitCode, boolean killed) {
    }

    private final ControlPlane plane;
    private final KubernetesClient client;
    private final Path root;
    private final Set<String> kubeNodes;
    private final Map<String, Image> images;
    private final SharedIndexInformer<Pod> pods;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "process-kubelet");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, PodRun> runs = new ConcurrentHashMap<>();
    private final List<ContainerRun> history = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger nextIp = new AtomicInteger(10);

    public ProcessKubelet(ControlPlane plane, Path root, List<String> kubeNodes, List<Image> images) {
        this.plane = plane;
        this.client = plane.newAdminClient();
        this.root = root;
        this.kubeNodes = Set.copyOf(kubeNodes);
        this.images = images.stream().collect(Collectors.toMap(Image::repository, i -> i));
        kubeNodes.forEach(this::register);
        this.pods = client.pods().inAnyNamespace().inform();
        loop.scheduleWithFixedDelay(this::syncSafely, 0, SYNC_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        loop.scheduleWithFixedDelay(this::heartbeat, LEASE_RENEWAL.toMillis(), LEASE_RENEWAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Renews each Node's Lease, as a kubelet does, so the node lifecycle controller keeps the Nodes Ready. */
    private void heartbeat() {
        for (String name : kubeNodes) {
            try {
                client.leases().inNamespace("kube-node-lease").withName(name)
                        .edit(l -> new LeaseBuilder(l).editSpec().withRenewTime(microTime()).endSpec().build());
            } catch (KubernetesClientException e) {
                LOG.warn("lease of {} not renewed: {}", name, e.getMessage());
            }
        }
    }

    private static java.time.ZonedDateTime microTime() {
        return java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }

    private void register(String name) {
        Node node = new NodeBuilder().withNewMetadata().withName(name)
                .addToLabels("kubernetes.io/hostname", name).addToLabels("kubernetes.io/os", "linux")
                .addToLabels("kubernetes.io/arch", "amd64").endMetadata()
                .withNewSpec().endSpec().build();
        Node created = client.nodes().resource(node).create();
        client.leases().inNamespace("kube-node-lease").resource(new LeaseBuilder().withNewMetadata().withName(name)
                .addNewOwnerReference().withApiVersion("v1").withKind("Node").withName(name)
                .withUid(created.getMetadata().getUid()).endOwnerReference().endMetadata()
                .withNewSpec().withHolderIdentity(name).withLeaseDurationSeconds(40).withRenewTime(microTime())
                .endSpec().build()).create();
        Map<String, String> capacity = Map.of("cpu", "8", "memory", "32Gi", "pods", "110", "ephemeral-storage", "100Gi");
        String now = time(Instant.now());
        Map<String, Object> status = Map.of(
                "capacity", capacity, "allocatable", capacity,
                "conditions", List.of(Map.of("type", "Ready", "status", "True", "reason", "KubeletReady",
                        "message", "process kubelet is posting ready status", "lastHeartbeatTime", now,
                        "lastTransitionTime", now)),
                "addresses", List.of(Map.of("type", "InternalIP", "address", "127.0.0.1"),
                        Map.of("type", "Hostname", "address", name)),
                "nodeInfo", Map.of("kubeletVersion", plane.version(), "operatingSystem", "linux",
                        "architecture", "amd64", "containerRuntimeVersion", "process://1", "osImage", "this machine",
                        "kernelVersion", System.getProperty("os.version"), "machineID", name, "systemUUID", name,
                        "bootID", name, "kubeProxyVersion", ""));
        // A merge patch without a resourceVersion: the node lifecycle controller writes the same Node meanwhile.
        client.nodes().withName(name).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", status)));
    }

    /** Every container this kubelet started, in order, including those that ended. */
    public List<ContainerRun> history() {
        synchronized (history) {
            List<ContainerRun> all = new ArrayList<>(history);
            runs.values().forEach(r -> Optional.ofNullable(r.current()).ifPresent(all::add));
            all.sort(Comparator.comparing(ContainerRun::started));
            return all;
        }
    }

    /** The process of a running pod, for tests that kill a container as a crash would. */
    public Optional<Process> process(String namespace, String pod) {
        return runs.values().stream().filter(r -> r.namespace.equals(namespace) && r.name.equals(pod))
                .map(r -> r.process).filter(Objects::nonNull).filter(Process::isAlive).findFirst();
    }

    /** The log of a pod's container (all its restarts). */
    public Path log(String namespace, String pod) {
        return runs.values().stream().filter(r -> r.namespace.equals(namespace) && r.name.equals(pod))
                .map(r -> r.dir.resolve("container.log")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no pod " + namespace + "/" + pod + " runs here"));
    }

    private void syncSafely() {
        try {
            sync();
        } catch (RuntimeException e) {
            LOG.warn("kubelet sync failed", e);
        }
    }

    private void sync() {
        Map<String, Pod> bound = new HashMap<>();
        for (Pod pod : pods.getStore().list()) {
            if (pod.getSpec() != null && pod.getSpec().getNodeName() != null
                    && kubeNodes.contains(pod.getSpec().getNodeName())) {
                bound.put(pod.getMetadata().getUid(), pod);
            }
        }
        for (Pod pod : bound.values()) {
            runs.computeIfAbsent(pod.getMetadata().getUid(), uid -> new PodRun(pod)).sync(pod);
        }
        for (PodRun run : List.copyOf(runs.values())) {
            if (!bound.containsKey(run.uid)) {
                // Removed from the API (a forced delete, or our own final delete): nothing may keep running.
                run.kill();
                runs.remove(run.uid);
            }
        }
    }

    @Override
    public void close() {
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pods.close();
        runs.values().parallelStream().forEach(PodRun::kill);
        client.close();
    }

    /** One pod on this kubelet: its sandbox (address, folders) and its one container's process. */
    private final class PodRun {
        final String uid;
        final String namespace;
        final String name;
        final String kubeNode;
        final String ip;
        final Path dir;
        Pod pod;
        Process process;
        Instant startedAt;
        int restarts;
        Instant restartAt = Instant.EPOCH;
        Integer lastExitCode;
        Instant lastFinishedAt;
        boolean started;
        boolean ready;
        String waitingReason;
        String waitingMessage;
        boolean terminating;
        /** When a container asked to stop (deletion, a failed liveness probe) gets SIGKILL. */
        Instant killAt;
        boolean killed;
        boolean finalDeleteSent;
        String lastStatusJson = "";
        final Map<String, ProbeState> probes = new HashMap<>();

        PodRun(Pod pod) {
            this.uid = pod.getMetadata().getUid();
            this.namespace = pod.getMetadata().getNamespace();
            this.name = pod.getMetadata().getName();
            this.kubeNode = pod.getSpec().getNodeName();
            this.ip = PodNetwork.address(nextIp.getAndIncrement());
            this.dir = root.resolve("pods").resolve(namespace + "_" + name + "_" + uid.substring(0, 8));
            this.pod = pod;
        }

        Container container() {
            return pod.getSpec().getContainers().getFirst();
        }

        ContainerRun current() {
            return process == null ? null : new ContainerRun(namespace, name, uid, kubeNode, ip, process.pid(),
                    startedAt, null, null, false);
        }

        void sync(Pod latest) {
            this.pod = latest;
            Instant now = Instant.now();
            if (latest.getMetadata().getDeletionTimestamp() != null) {
                terminate(latest, now);
            } else if (process == null || !process.isAlive()) {
                if (process != null) exited(now);
                if (!now.isBefore(restartAt)) start(now);
            } else if (killAt != null) {
                if (!now.isBefore(killAt)) process.destroyForcibly();
            } else {
                probe(now);
            }
            reportStatus();
        }

        private void start(Instant now) {
            Container container = container();
            Image image = images.get(repository(container.getImage()));
            if (image == null) {
                waiting("ErrImagePull", "this kubelet cannot run image " + container.getImage());
                restartAt = now.plusSeconds(5);
                return;
            }
            Map<String, String> env;
            Map<String, Path> mounts;
            try {
                mounts = mountVolumes(container);
                env = environment(container, mounts, image);
            } catch (ContainerConfigException e) {
                waiting("CreateContainerConfigError", e.getMessage());
                restartAt = now.plusSeconds(1);
                return;
            }
            try {
                Files.createDirectories(dir.resolve("cwd"));
                List<String> command = new ArrayList<>();
                command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                command.addAll(image.jvmOptions());
                command.addAll(List.of("-cp", System.getProperty("java.class.path"), image.mainClass()));
                Optional.ofNullable(container.getArgs()).ifPresent(command::addAll);
                ProcessBuilder builder = new ProcessBuilder(Orphans.dieWithThisJvm(command))
                        .directory(dir.resolve("cwd").toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("container.log").toFile()));
                builder.environment().clear();
                builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
                builder.environment().putAll(env);
                process = builder.start();
                startedAt = Instant.now();
                started = false;
                ready = false;
                waitingReason = null;
                probes.clear();
                LOG.info("{}/{} started on {} at {} (pid {}, restart {})", namespace, name, kubeNode, ip,
                        process.pid(), restarts);
            } catch (IOException e) {
                waiting("RunContainerError", e.getMessage());
                restartAt = now.plusSeconds(1);
            }
        }

        private void waiting(String reason, String message) {
            if (!reason.equals(waitingReason)) LOG.warn("{}/{}: {}: {}", namespace, name, reason, message);
            waitingReason = reason;
            waitingMessage = message;
        }

        /** The container ended by itself or after a liveness failure: restartPolicy Always, with a backoff. */
        private void exited(Instant now) {
            lastExitCode = process.exitValue();
            lastFinishedAt = now;
            history.add(new ContainerRun(namespace, name, uid, kubeNode, ip, process.pid(), startedAt, now,
                    lastExitCode, killed));
            LOG.info("{}/{} exited with {}", namespace, name, lastExitCode);
            process = null;
            restarts++;
            started = false;
            ready = false;
            killed = false;
            killAt = null;
            long backoff = Math.min(MAX_RESTART_BACKOFF.toMillis(), 500L << Math.min(restarts, 6));
            restartAt = now.plusMillis(backoff);
            waiting("CrashLoopBackOff", "back-off restarting the container after exit code " + lastExitCode);
        }

        /** Graceful deletion: SIGTERM, the grace period, SIGKILL; then the pod is removed from the API. */
        private void terminate(Pod latest, Instant now) {
            if (!terminating) {
                terminating = true;
                ready = false;
                long grace = Optional.ofNullable(latest.getMetadata().getDeletionGracePeriodSeconds())
                        .orElse(Optional.ofNullable(latest.getSpec().getTerminationGracePeriodSeconds()).orElse(30L));
                killAt = now.plusSeconds(grace);
                if (process != null && process.isAlive()) {
                    LOG.info("{}/{}: SIGTERM, grace {} s", namespace, name, grace);
                    process.destroy();
                }
            }
            if (process != null && process.isAlive() && !now.isBefore(killAt)) {
                LOG.warn("{}/{}: grace period over, SIGKILL", namespace, name);
                killed = true;
                process.destroyForcibly();
            }
            if ((process == null || !process.isAlive()) && !finalDeleteSent) {
                if (process != null) {
                    history.add(new ContainerRun(namespace, name, uid, kubeNode, ip, process.pid(), startedAt, now,
                            process.exitValue(), killed));
                    lastExitCode = process.exitValue();
                    lastFinishedAt = now;
                    process = null;
                }
                finalDeleteSent = true;
                reportStatus();
                try {
                    client.pods().inNamespace(namespace).resource(pod).withGracePeriod(0).delete();
                } catch (KubernetesClientException e) {
                    LOG.warn("{}/{}: final delete failed: {}", namespace, name, e.getMessage());
                    finalDeleteSent = false;
                }
            }
        }

        void kill() {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
                try {
                    process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                history.add(new ContainerRun(namespace, name, uid, kubeNode, ip, process.pid(), startedAt,
                        Instant.now(), process.exitValue(), true));
            }
        }

        // ---- probes ----

        private void probe(Instant now) {
            Container c = container();
            if (!started) {
                if (c.getStartupProbe() == null) {
                    started = true;
                } else {
                    ProbeState startup = probes.computeIfAbsent("startup", k -> new ProbeState(c.getStartupProbe()));
                    startup.maybeRun(now, this);
                    if (startup.succeeded()) {
                        started = true;
                    } else if (startup.failedOut()) {
                        restartForProbe("startup");
                        return;
                    }
                }
            }
            if (!started) return;
            if (c.getLivenessProbe() != null) {
                ProbeState liveness = probes.computeIfAbsent("liveness", k -> new ProbeState(c.getLivenessProbe()));
                liveness.maybeRun(now, this);
                if (liveness.failedOut()) {
                    restartForProbe("liveness");
                    return;
                }
            }
            if (c.getReadinessProbe() == null) {
                ready = true;
            } else {
                ProbeState readiness = probes.computeIfAbsent("readiness", k -> new ProbeState(c.getReadinessProbe()));
                readiness.maybeRun(now, this);
                ready = readiness.succeeded();
            }
        }

        /** SIGTERM now, SIGKILL after the grace period; the exit then restarts the container. */
        private void restartForProbe(String kind) {
            LOG.warn("{}/{}: {} probe failed, restarting the container", namespace, name, kind);
            killed = true;
            ready = false;
            killAt = Instant.now().plusSeconds(
                    Optional.ofNullable(pod.getSpec().getTerminationGracePeriodSeconds()).orElse(30L));
            process.destroy();
        }

        /** One probe attempt: HTTP GET (2xx/3xx pass) or a TCP connect against this pod's address. */
        boolean attempt(Probe probe) {
            int timeout = Optional.ofNullable(probe.getTimeoutSeconds()).orElse(1);
            if (probe.getHttpGet() != null) {
                int port = port(probe.getHttpGet().getPort());
                try {
                    HttpResponse<Void> response = PROBES.send(HttpRequest.newBuilder(
                                    URI.create("http://" + ip + ":" + port + probe.getHttpGet().getPath()))
                            .timeout(Duration.ofSeconds(timeout)).build(), HttpResponse.BodyHandlers.discarding());
                    return response.statusCode() >= 200 && response.statusCode() < 400;
                } catch (IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            if (probe.getTcpSocket() != null) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(ip, port(probe.getTcpSocket().getPort())), timeout * 1000);
                    return true;
                } catch (IOException e) {
                    return false;
                }
            }
            throw new UnsupportedOperationException("this kubelet runs only httpGet and tcpSocket probes: " + probe);
        }

        private int port(IntOrString port) {
            if (port.getIntVal() != null) return port.getIntVal();
            return Optional.ofNullable(container().getPorts()).orElse(List.of()).stream()
                    .filter(p -> port.getStrVal().equals(p.getName())).map(ContainerPort::getContainerPort)
                    .findFirst().orElseThrow(() -> new IllegalStateException("no container port named " + port.getStrVal()));
        }

        // ---- environment and volumes ----

        private Map<String, Path> mountVolumes(Container container) {
            Map<String, Path> byVolume = new HashMap<>();
            for (Volume volume : Optional.ofNullable(pod.getSpec().getVolumes()).orElse(List.of())) {
                byVolume.put(volume.getName(), volumeDir(volume));
            }
            Map<String, Path> mounts = new LinkedHashMap<>();
            for (VolumeMount mount : Optional.ofNullable(container.getVolumeMounts()).orElse(List.of())) {
                Path source = byVolume.get(mount.getName());
                if (source == null) throw new ContainerConfigException("no volume named " + mount.getName());
                mounts.put(mount.getMountPath(), mount.getSubPath() == null || mount.getSubPath().isEmpty()
                        ? source : source.resolve(mount.getSubPath()));
            }
            return mounts;
        }

        private Path volumeDir(Volume volume) {
            try {
                if (volume.getPersistentVolumeClaim() != null) {
                    return Files.createDirectories(root.resolve("volumes").resolve(boundVolume(
                            volume.getPersistentVolumeClaim().getClaimName())));
                }
                Path dir = Files.createDirectories(this.dir.resolve("volumes").resolve(volume.getName()));
                if (volume.getSecret() != null) {
                    secret(volume.getSecret().getSecretName(), Boolean.TRUE.equals(volume.getSecret().getOptional()))
                            .forEach((k, v) -> write(dir.resolve(k), v));
                } else if (volume.getConfigMap() != null) {
                    configMap(volume.getConfigMap().getName(), Boolean.TRUE.equals(volume.getConfigMap().getOptional()))
                            .forEach((k, v) -> write(dir.resolve(k), v));
                } else if (volume.getProjected() != null) {
                    for (VolumeProjection source : volume.getProjected().getSources()) {
                        project(source, dir);
                    }
                }
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The PersistentVolume a claim is bound to: its data is that volume's, whichever pod mounts it. */
        private String boundVolume(String claim) {
            var pvc = client.persistentVolumeClaims().inNamespace(namespace).withName(claim).get();
            if (pvc == null || pvc.getSpec().getVolumeName() == null || pvc.getSpec().getVolumeName().isEmpty()) {
                throw new ContainerConfigException("persistentvolumeclaim \"" + claim + "\" is not bound");
            }
            return pvc.getSpec().getVolumeName();
        }

        /** The service-account volume the admission plugin adds: a bound token, the cluster CA, the namespace. */
        private void project(VolumeProjection source, Path dir) {
            if (source.getServiceAccountToken() != null) {
                long seconds = Optional.ofNullable(source.getServiceAccountToken().getExpirationSeconds()).orElse(3607L);
                String token = client.serviceAccounts().inNamespace(namespace)
                        .withName(pod.getSpec().getServiceAccountName())
                        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(seconds)
                                .withAudiences(source.getServiceAccountToken().getAudience() == null ? List.of()
                                        : List.of(source.getServiceAccountToken().getAudience()))
                                .withNewBoundObjectRef().withKind("Pod").withApiVersion("v1").withName(name).withUid(uid)
                                .endBoundObjectRef().endSpec().build())
                        .getStatus().getToken();
                write(dir.resolve(source.getServiceAccountToken().getPath()), token);
            }
            if (source.getConfigMap() != null) {
                Map<String, String> data = "kube-root-ca.crt".equals(source.getConfigMap().getName())
                        ? Map.of("ca.crt", read(plane.caCertificate()))
                        : configMap(source.getConfigMap().getName(), Boolean.TRUE.equals(source.getConfigMap().getOptional()));
                data.forEach((k, v) -> write(dir.resolve(k), v));
            }
            if (source.getDownwardAPI() != null) {
                source.getDownwardAPI().getItems().forEach(item ->
                        write(dir.resolve(item.getPath()), field(item.getFieldRef().getFieldPath())));
            }
            if (source.getSecret() != null) {
                secret(source.getSecret().getName(), Boolean.TRUE.equals(source.getSecret().getOptional()))
                        .forEach((k, v) -> write(dir.resolve(k), v));
            }
        }

        private Map<String, String> environment(Container container, Map<String, Path> mounts, Image image) {
            Map<String, String> env = new LinkedHashMap<>(image.defaultEnv());
            // The container runtime names the container's host after the pod.
            env.put("HOSTNAME", name);
            // The kubernetes Service, reached directly as kube-proxy would route it.
            env.put("KUBERNETES_SERVICE_HOST", "127.0.0.1");
            env.put("KUBERNETES_SERVICE_PORT", Integer.toString(plane.apiPort()));
            for (EnvFromSource from : Optional.ofNullable(container.getEnvFrom()).orElse(List.of())) {
                String prefix = Optional.ofNullable(from.getPrefix()).orElse("");
                if (from.getConfigMapRef() != null) {
                    configMap(from.getConfigMapRef().getName(), Boolean.TRUE.equals(from.getConfigMapRef().getOptional()))
                            .forEach((k, v) -> env.put(prefix + k, v));
                }
                if (from.getSecretRef() != null) {
                    secret(from.getSecretRef().getName(), Boolean.TRUE.equals(from.getSecretRef().getOptional()))
                            .forEach((k, v) -> env.put(prefix + k, v));
                }
            }
            for (EnvVar var : Optional.ofNullable(container.getEnv()).orElse(List.of())) {
                String value = var.getValueFrom() == null ? expand(Optional.ofNullable(var.getValue()).orElse(""), env)
                        : valueFrom(var.getName(), var.getValueFrom());
                if (value != null) env.put(var.getName(), value);
            }
            env.replaceAll((k, v) -> hostPath(v, mounts));
            // Standing in for the container's file system: the client library finds its in-cluster credentials
            // where the service-account volume is mounted.
            Optional.ofNullable(mounts.get(SERVICE_ACCOUNT_MOUNT)).ifPresent(sa -> {
                env.put("KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN", sa.resolve("token").toString());
                env.put("KUBERNETES_CERTS_CA_FILE", sa.resolve("ca.crt").toString());
                env.put("KUBERNETES_NAMESPACE_FILE", sa.resolve("namespace").toString());
            });
            // Standing in for the pod's network namespace.
            env.put(image.bindAddressVariable(), ip);
            return env;
        }

        /** $(VAR) references to variables defined before, as Kubernetes expands them. */
        private static String expand(String value, Map<String, String> env) {
            String result = value;
            for (var e : env.entrySet()) {
                result = result.replace("$(" + e.getKey() + ")", e.getValue());
            }
            return result;
        }

        private String valueFrom(String name, EnvVarSource from) {
            if (from.getFieldRef() != null) return field(from.getFieldRef().getFieldPath());
            if (from.getSecretKeyRef() != null) {
                var ref = from.getSecretKeyRef();
                return key(secret(ref.getName(), Boolean.TRUE.equals(ref.getOptional())), ref.getKey(),
                        Boolean.TRUE.equals(ref.getOptional()), "secret " + ref.getName(), name);
            }
            if (from.getConfigMapKeyRef() != null) {
                var ref = from.getConfigMapKeyRef();
                return key(configMap(ref.getName(), Boolean.TRUE.equals(ref.getOptional())), ref.getKey(),
                        Boolean.TRUE.equals(ref.getOptional()), "configmap " + ref.getName(), name);
            }
            throw new ContainerConfigException("unsupported valueFrom of " + name);
        }

        private static String key(Map<String, String> data, String key, boolean optional, String what, String var) {
            String value = data.get(key);
            if (value == null && !optional) {
                throw new ContainerConfigException("couldn't find key " + key + " in " + what + " for " + var);
            }
            return value;
        }

        private String field(String path) {
            return switch (path) {
                case "metadata.name" -> name;
                case "metadata.namespace" -> namespace;
                case "metadata.uid" -> uid;
                case "spec.nodeName" -> kubeNode;
                case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
                case "status.podIP" -> ip;
                case "status.hostIP" -> "127.0.0.1";
                default -> {
                    var m = java.util.regex.Pattern.compile("metadata\\.(labels|annotations)\\['(.+)']").matcher(path);
                    if (!m.matches()) throw new ContainerConfigException("unsupported fieldRef " + path);
                    var map = m.group(1).equals("labels") ? pod.getMetadata().getLabels() : pod.getMetadata().getAnnotations();
                    yield map == null ? "" : map.getOrDefault(m.group(2), "");
                }
            };
        }

        private Map<String, String> secret(String secretName, boolean optional) {
            Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
            if (secret == null) {
                if (optional) return Map.of();
                throw new ContainerConfigException("secret \"" + secretName + "\" not found");
            }
            Map<String, String> data = new LinkedHashMap<>();
            Optional.ofNullable(secret.getData()).orElse(Map.of()).forEach((k, v) ->
                    data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
            Optional.ofNullable(secret.getStringData()).ifPresent(data::putAll);
            return data;
        }

        private Map<String, String> configMap(String mapName, boolean optional) {
            ConfigMap map = client.configMaps().inNamespace(namespace).withName(mapName).get();
            if (map == null) {
                if (optional) return Map.of();
                throw new ContainerConfigException("configmap \"" + mapName + "\" not found");
            }
            return Optional.ofNullable(map.getData()).orElse(Map.of());
        }

        /** A path inside the container, as the path of the folder standing in for that mount. */
        private static String hostPath(String value, Map<String, Path> mounts) {
            return mounts.entrySet().stream()
                    .sorted(Comparator.comparingInt((Map.Entry<String, Path> e) -> e.getKey().length()).reversed())
                    .filter(e -> value.equals(e.getKey()) || value.startsWith(e.getKey() + "/"))
                    .findFirst()
                    .map(e -> e.getValue() + value.substring(e.getKey().length()))
                    .orElse(value);
        }

        // ---- status ----

        /** Writes the pod status when it changed (a JSON merge patch of the status subresource). */
        private void reportStatus() {
            String json = Serialization.asJson(Map.of("status", status()));
            if (json.equals(lastStatusJson)) return;
            try {
                client.pods().inNamespace(namespace).withName(name).subresource("status")
                        .patch(PatchContext.of(PatchType.JSON_MERGE), json);
                lastStatusJson = json;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) LOG.warn("{}/{}: status update failed: {}", namespace, name, e.getMessage());
            }
        }

        private Map<String, Object> status() {
            boolean running = process != null && process.isAlive();
            String phase = terminating && !running ? (lastExitCode != null && lastExitCode == 0 ? "Succeeded" : "Failed")
                    : running || restarts > 0 ? "Running" : "Pending";
            Map<String, Object> state = new LinkedHashMap<>();
            if (running) {
                state.put("running", Map.of("startedAt", time(startedAt)));
            } else if (waitingReason != null && !terminating) {
                state.put("waiting", Map.of("reason", waitingReason, "message", waitingMessage));
            } else if (lastExitCode != null) {
                state.put("terminated", Map.of("exitCode", lastExitCode, "finishedAt", time(lastFinishedAt),
                        "reason", lastExitCode == 0 ? "Completed" : "Error"));
            } else {
                state.put("waiting", Map.of("reason", "ContainerCreating"));
            }
            Map<String, Object> container = new LinkedHashMap<>();
            container.put("name", container().getName());
            container.put("image", container().getImage());
            container.put("imageID", "process://" + container().getImage());
            container.put("ready", running && ready);
            container.put("started", running && started);
            container.put("restartCount", restarts);
            container.put("state", state);
            if (lastExitCode != null && running) {
                container.put("lastState", Map.of("terminated", Map.of("exitCode", lastExitCode,
                        "finishedAt", time(lastFinishedAt), "reason", "Error")));
            }
            boolean podReady = running && ready && !terminating;
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("phase", phase);
            status.put("hostIP", "127.0.0.1");
            status.put("hostIPs", List.of(Map.of("ip", "127.0.0.1")));
            status.put("podIP", ip);
            status.put("podIPs", List.of(Map.of("ip", ip)));
            status.put("startTime", time(Instant.parse(Optional.ofNullable(pod.getMetadata().getCreationTimestamp())
                    .orElse(Instant.now().toString()))));
            status.put("conditions", List.of(
                    condition("PodScheduled", true), condition("Initialized", true),
                    condition("ContainersReady", podReady), condition("Ready", podReady)));
            status.put("containerStatuses", List.of(container));
            return status;
        }

        private Map<String, Object> condition(String type, boolean value) {
            // Stable transition times: the condition keeps its previous time while its status stays.
            String previous = Optional.ofNullable(pod.getStatus()).map(s -> s.getConditions()).orElse(List.of()).stream()
                    .filter(c -> c.getType().equals(type) && c.getStatus().equals(value ? "True" : "False"))
                    .map(c -> c.getLastTransitionTime()).filter(Objects::nonNull).findFirst().orElse(null);
            return Map.of("type", type, "status", value ? "True" : "False",
                    "lastTransitionTime", previous != null ? previous : time(Instant.now()));
        }
    }

    private static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String repository(String image) {
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        return colon > slash ? image.substring(0, colon) : image;
    }

    private static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The container cannot be configured yet (a missing Secret or key): retried, as a kubelet does. */
    private static final class ContainerConfigException extends RuntimeException {
        ContainerConfigException(String message) {
            super(message);
        }
    }

    /** A probe's schedule and consecutive results. */
    private static final class ProbeState {
        final Probe probe;
        Instant next;
        int successes;
        int failures;
        boolean everSucceeded;
        final AtomicReference<Boolean> inFlight = new AtomicReference<>();

        ProbeState(Probe probe) {
            this.probe = probe;
            this.next = Instant.now().plusSeconds(Optional.ofNullable(probe.getInitialDelaySeconds()).orElse(0));
        }

        /** Runs an attempt when due, on a virtual thread so that a slow probe never stalls the kubelet. */
        void maybeRun(Instant now, PodRun run) {
            Boolean result = inFlight.getAndSet(null);
            if (result != null) {
                if (result) {
                    successes++;
                    failures = 0;
                } else {
                    failures++;
                    successes = 0;
                }
                next = now.plusSeconds(Optional.ofNullable(probe.getPeriodSeconds()).orElse(10));
            }
            if (next != null && !now.isBefore(next)) {
                next = null;
                Thread.ofVirtual().start(() -> inFlight.set(run.attempt(probe)));
            }
        }

        boolean succeeded() {
            if (successes >= Optional.ofNullable(probe.getSuccessThreshold()).orElse(1)) everSucceeded = true;
            if (failures >= Optional.ofNullable(probe.getFailureThreshold()).orElse(3)) everSucceeded = false;
            return everSucceeded;
        }

        boolean failedOut() {
            return failures >= Optional.ofNullable(probe.getFailureThreshold()).orElse(3);
        }
    }
}
