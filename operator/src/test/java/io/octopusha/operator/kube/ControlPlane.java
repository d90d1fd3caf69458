package io.octopusha.operator.kube;

import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.octopusha.node.testing.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kubernetes control plane on loopback: etcd, kube-apiserver (RBAC, the default admission plugins including
 * PodSecurity, service-account tokens, an audit log of every write), kube-controller-manager (the StatefulSet,
 * Deployment, EndpointSlice, disruption, garbage-collector, namespace and volume-binding controllers) and
 * kube-scheduler, all built from Go modules by {@code operator/kube/build.sh}. Nothing else of a cluster exists: pods
 * are run by {@link ProcessKubelet}. One per test JVM (see {@link KubeTier}).
 */
public final class ControlPlane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    /** Controllers this tier needs; the node lifecycle controller lifts a new Node's not-ready taint and adds cordons'. */
    private static final List<String> CONTROLLERS = List.of("node-lifecycle-controller", "statefulset-controller",
            "deployment-controller",
            "replicaset-controller", "endpointslice-controller", "disruption-controller", "garbage-collector-controller",
            "namespace-controller", "serviceaccount-controller", "persistentvolume-binder-controller",
            "persistentvolumeclaim-protection-controller", "persistentvolume-protection-controller");

    private final Path binaries;
    private final Path root;
    private final String version;
    private final String adminToken = "admin-" + UUID.randomUUID();
    private final List<Process> processes = new ArrayList<>();
    private int apiPort;
    private KubernetesClient admin;

    private ControlPlane(Path binaries, Path root, String version) {
        this.binaries = binaries;
        this.root = root;
        this.version = version;
    }

    /** Starts every component and waits until the API server is ready and the default namespace exists. */
    public static ControlPlane start(Path binaries, Path root) {
        ControlPlane plane = new ControlPlane(binaries, root, KubeBinaries.version(binaries));
        try {
            plane.startAll();
            return plane;
        } catch (RuntimeException | Error e) {
            plane.close();
            throw e;
        } catch (IOException e) {
            plane.close();
            throw new UncheckedIOException(e);
        }
    }

    private void startAll() throws IOException {
        Files.createDirectories(root);
        long started = System.nanoTime();
        int etcdPort = Ports.free();
        startProcess("etcd", List.of(bin("etcd"), "--name=default", "--data-dir=" + root.resolve("etcd"),
                "--listen-client-urls=http://127.0.0.1:" + etcdPort, "--advertise-client-urls=http://127.0.0.1:" + etcdPort,
                "--listen-peer-urls=http://127.0.0.1:" + Ports.free(), "--listen-metrics-urls=http://127.0.0.1:" + Ports.free(),
                // A test cluster loses nothing by not syncing to disk, and the 2-core machine gains a lot.
                "--unsafe-no-fsync=true", "--log-level=warn"));

        Path serviceAccountKey = writeServiceAccountKey();
        Files.writeString(root.resolve("tokens.csv"), adminToken + ",admin,admin-uid,\"system:masters\"\n");
        Files.writeString(root.resolve("audit-policy.yaml"), """
                apiVersion: audit.k8s.io/v1
                kind: Policy
                omitStages: [RequestReceived]
                rules:
                  # Every write, by whom: the steady-state test counts the operator's.
                  - level: Metadata
                    verbs: [create, update, patch, delete, deletecollection]
                  - level: None
                """);
        apiPort = Ports.free();
        startProcess("kube-apiserver", List.of(bin("kube-apiserver"),
                "--etcd-servers=http://127.0.0.1:" + etcdPort,
                "--bind-address=127.0.0.1", "--advertise-address=" + PodNetwork.API_SERVER_ADDRESS,
                "--secure-port=" + apiPort,
                "--cert-dir=" + root.resolve("apiserver-certs"),
                "--service-cluster-ip-range=10.96.0.0/24",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                "--service-account-key-file=" + serviceAccountKey,
                "--service-account-signing-key-file=" + serviceAccountKey,
                "--token-auth-file=" + root.resolve("tokens.csv"),
                "--authorization-mode=RBAC",
                "--audit-policy-file=" + root.resolve("audit-policy.yaml"),
                "--audit-log-path=" + auditLog(), "--audit-log-format=json", "--audit-log-mode=blocking",
                "--enable-priority-and-fairness=false"));
        awaitApiServer();
        Path kubeconfig = writeKubeconfig(root.resolve("admin.kubeconfig"), adminToken);
        startProcess("kube-controller-manager", List.of(bin("kube-controller-manager"),
                "--kubeconfig=" + kubeconfig, "--leader-elect=false", "--secure-port=0",
                "--controllers=" + String.join(",", CONTROLLERS),
                "--concurrent-statefulset-syncs=2", "--concurrent-gc-syncs=5"));
        startProcess("kube-scheduler", List.of(bin("kube-scheduler"),
                "--kubeconfig=" + kubeconfig, "--leader-elect=false", "--secure-port=0"));
        admin = client(adminToken);
        LOG.info("Kubernetes {} control plane on https://127.0.0.1:{} in {} ms", version, apiPort,
                Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    private String bin(String name) {
        return binaries.resolve(name).toString();
    }

    private void startProcess(String name, List<String> command) throws IOException {
        Path log = root.resolve("logs").resolve(name + ".log");
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(Orphans.dieWithThisJvm(command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        processes.add(process);
    }

    /** The service-account signing key; the API server also verifies with it (a private key holds the public one). */
    private Path writeServiceAccountKey() throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            byte[] pkcs8 = generator.generateKeyPair().getPrivate().getEncoded();
            Path key = root.resolve("service-account.pem");
            Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs8) + "\n-----END PRIVATE KEY-----\n");
            return key;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void awaitApiServer() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Path ca = caCertificate();
        while (System.nanoTime() < deadline) {
            processes.forEach(p -> {
                if (!p.isAlive()) {
                    throw new IllegalStateException("a control-plane process exited with " + p.exitValue()
                            + "; see " + root.resolve("logs"));
                }
            });
            if (Files.exists(ca)) {
                try {
                    HttpResponse<String> ready = httpsClient(ca).send(HttpRequest.newBuilder(
                                    URI.create(apiUrl() + "/readyz"))
                            .header("Authorization", "Bearer " + adminToken).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (ready.statusCode() == 200) return;
                } catch (IOException notYet) {
                    // still starting
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            try {
                processes.getLast().waitFor(200, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("kube-apiserver not ready after " + START_TIMEOUT + "; see " + root.resolve("logs"));
    }

    private static HttpClient httpsClient(Path ca) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            try (var in = Files.newInputStream(ca)) {
                for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    trust.setCertificateEntry("ca" + i++, (X509Certificate) cert);
                }
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, factory.getTrustManagers(), null);
            return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(1)).build();
        } catch (Exception e) {
            throw new IllegalStateException("cannot trust " + ca, e);
        }
    }

    /** A kubeconfig for kubectl and the controllers, authenticated by a bearer token. */
    public Path writeKubeconfig(Path file, String token) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: test
                    cluster:
                      server: %s
                      certificate-authority: %s
                users:
                  - name: user
                    user:
                      token: %s
                contexts:
                  - name: test
                    context: {cluster: test, user: user}
                current-context: test
                """.formatted(apiUrl(), caCertificate(), token));
        return file;
    }

    /** The API server's self-signed serving certificate and its CA, which clients trust. */
    public Path caCertificate() {
        return root.resolve("apiserver-certs").resolve("apiserver.crt");
    }

    public String apiUrl() {
        return "https://127.0.0.1:" + apiPort;
    }

    public int apiPort() {
        return apiPort;
    }

    public String version() {
        return version;
    }

    public Path binaries() {
        return binaries;
    }

    public Path root() {
        return root;
    }

    /** The API server's audit log: one JSON line per write (see the audit policy above). */
    public Path auditLog() {
        return root.resolve("audit.log");
    }

    /** A client with every permission (system:masters), for set-up and for acting as the user. */
    public KubernetesClient admin() {
        return admin;
    }

    public Path adminKubeconfig() {
        return root.resolve("admin.kubeconfig");
    }

    /** A token of a ServiceAccount, from the TokenRequest API as a kubelet would get one. */
    public String serviceAccountToken(String namespace, String serviceAccount, Duration lifetime) {
        return admin.serviceAccounts().inNamespace(namespace).withName(serviceAccount)
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(lifetime.toSeconds())
                        .endSpec().build())
                .getStatus().getToken();
    }

    /** A client acting as a ServiceAccount: RBAC decides what it may do. */
    public KubernetesClient clientAs(String namespace, String serviceAccount) {
        return client(serviceAccountToken(namespace, serviceAccount, Duration.ofHours(2)));
    }

    /** A new admin client with connections of its own (the kubelet's, say), closed by whoever asked for it. */
    public KubernetesClient newAdminClient() {
        return client(adminToken);
    }

    private KubernetesClient client(String token) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(apiUrl()).withOauthToken(token)
                .withCaCertFile(caCertificate().toString()).withRequestTimeout(30_000)
                .withConnectionTimeout(5_000).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    @Override
    public void close() {
        if (admin != null) admin.close();
        // Reverse order: the controllers and scheduler first, etcd last.
        for (Process process : processes.reversed()) {
            process.destroy();
        }
        for (Process process : processes.reversed()) {
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
