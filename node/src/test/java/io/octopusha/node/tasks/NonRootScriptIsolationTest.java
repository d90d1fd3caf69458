package io.octopusha.node.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import io.octopusha.node.local.NodeProcess;
import io.octopusha.node.storage.FileTrees;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.Ports;
import io.octopusha.node.testing.RuntimeClassPath;
import io.octopusha.node.testing.SystemTool;
import io.octopusha.node.testing.Tasks;
import io.octopusha.node.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The way a node that is not root runs scripts, as the image does in Kubernetes: as its own user, so that only its
 * non-dumpable process and its closed JVM attach socket keep a script from its memory and environment. The test
 * (root) starts the node as user nobody through setpriv, on a copy of its class path nobody can read.
 */
class NonRootScriptIsolationTest {
    private static final int NOBODY = 65534;
    private static final String DB_PASSWORD = "db-password-not-for-scripts";

    private static TestCluster cluster;
    private static Path home;
    private static String classPath;
    private static final List<NodeProcess> nodes = new ArrayList<>();

    @BeforeAll
    static void stageAClassPathNobodyCanRead() throws IOException {
        SystemTool.requireRoot(NonRootScriptIsolationTest.class.getSimpleName(), "starting a node as another user");
        cluster = new TestCluster();
        home = Files.createTempDirectory("octopus-nobody-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        List<String> entries = new ArrayList<>();
        entries.add(link(Path.of("target", "classes").toAbsolutePath(), home.resolve("classes")).toString());
        int i = 0;
        for (Path jar : RuntimeClassPath.jars()) {
            entries.add(link(jar, home.resolve("lib").resolve(i++ + "-" + jar.getFileName())).toString());
        }
        classPath = String.join(":", entries);
    }

    @AfterAll
    static void stop() {
        nodes.forEach(NodeProcess::close);
        if (cluster != null) cluster.close();
        if (home != null) FileTrees.deleteTree(home);
    }

    @Test
    void aScriptOfANodeRunningAsItsOwnUserCanNeitherReadTheNodesEnvironmentNorAttachToIt() {
        NodeProcess node = startAsNobody("own-user", List.of(), Map.of());
        Api admin = new Api(node.baseUrl(), TestCluster.ADMIN_KEY);
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        String id = Tasks.script(admin, String.join("\n",
                "echo \"script uid $(id -u)\"",
                "env | sed 's/^/env: /'",
                "tr '\\0' '\\n' < /proc/" + node.pid() + "/environ || echo 'environ unreadable'",
                "head -c 16 /proc/" + node.pid() + "/mem || echo 'mem unreadable'",
                Files.isExecutable(jcmd) ? "'" + jcmd + "' " + node.pid() + " VM.command_line || echo 'attach refused'" : "echo 'attach refused'",
                "echo 'probes done'"));
        JsonNode task = Tasks.awaitCompleted(admin, id, Duration.ofSeconds(60));
        String log = admin.get("/api/tasks/" + id + "/raw").body();
        assertThat(task.get("State").asText()).as(task.path("ErrorMessage").asText() + "\n" + log).isEqualTo("Success");
        assertThat(log).as("the node and its script share the user").contains("script uid " + NOBODY)
                .contains("environ unreadable", "mem unreadable", "attach refused", "probes done")
                .doesNotContain(TestCluster.ADMIN_KEY, DB_PASSWORD, cluster.dbUrl(), "OCTOPUS_DB_", "OCTOPUS_ADMIN_API_KEY",
                        "jvm_args");
    }

    @Test
    void aNodeRunningAsItsOwnUserWithItsJvmOpenToAttachRunsNoScripts() throws Exception {
        // Cap 0: this node shares the queue with the other test's node and must not claim (and fail) its script.
        NodeProcess node = startAsNobody("attachable", List.of("-XX:-DisableAttachMechanism"), Map.of("OCTOPUS_TASK_CAP", "0"));
        Api admin = new Api(node.baseUrl(), TestCluster.ADMIN_KEY);
        Api.Response refused = admin.post("/api/tasks", "{\"Name\":\"AdHocScript\",\"Arguments\":{\"ScriptBody\":\"true\"}}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("ErrorMessage").asText()).contains("-XX:+DisableAttachMechanism");

        // Why: any process of the node's user attaches to such a JVM, non-dumpable or not, and reads what it likes.
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Assumptions.assumeTrue(Files.isExecutable(jcmd), "jcmd (a JDK) shows the attach");
        Process attach = new ProcessBuilder("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--",
                jcmd.toString(), Long.toString(node.pid()), "VM.system_properties").redirectErrorStream(true).start();
        String output = new String(attach.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(attach.waitFor()).as(output).isZero();
        assertThat(output).contains("java.class.path");
    }

    private static NodeProcess startAsNobody(String name, List<String> jvmOptions, Map<String, String> settings) {
        try {
            Path data = Files.createDirectories(home.resolve(name));
            Files.setAttribute(data, "unix:uid", NOBODY);
            Map<String, String> overrides = new HashMap<>(settings);
            overrides.putAll(Map.of("OCTOPUS_DATA_DIR", data.toString(), "OCTOPUS_SHARED_DIR", data.resolve("shared").toString(),
                    "OCTOPUS_DB_PASSWORD", DB_PASSWORD));
            Map<String, String> env = cluster.environment(name, overrides);
            NodeProcess node = NodeProcess.start(name, Ports.free(), env, cluster.root().resolve("logs/" + name + ".log"),
                    jvmOptions, List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"), classPath);
            nodes.add(node);
            return node.awaitReady(Duration.ofSeconds(60));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A hard link (a copy across file systems) of a file, or of a folder's files, under {@code to}. */
    private static Path link(Path from, Path to) throws IOException {
        if (Files.isDirectory(from)) {
            try (Stream<Path> files = Files.walk(from)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) link(file, to.resolve(from.relativize(file).toString()));
            }
            return to;
        }
        Files.createDirectories(to.getParent());
        try {
            Files.createLink(to, from);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(from, to);
        }
        return to;
    }
}
