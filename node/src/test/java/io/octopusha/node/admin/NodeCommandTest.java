package io.octopusha.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.octopusha.node.OctopusNode;
import io.octopusha.node.local.NodeProcess;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.Ports;
import io.octopusha.node.testing.Tasks;
import io.octopusha.node.testing.TcpProxy;
import io.octopusha.node.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.octopusha.node.db.schema.Tables.OCTOPUS_SERVER_NODE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The {@code node} command of the node's entry point against real node processes: it drains, waits, cancels and sets
 * task caps through the database, also while the node's HTTP API cannot be reached, and refuses bad input with one line.
 */
class NodeCommandTest {
    private static TestCluster cluster;
    private static Api observer;

    @BeforeAll
    static void start() {
        cluster = new TestCluster();
        // Takes no tasks: every task of these tests runs on the node process under test.
        OctopusNode node = cluster.start("observer", Map.of("OCTOPUS_TASK_CAP", "0"));
        observer = cluster.api(node);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    /** A node process with cap 2: closed (SIGTERM) at the end of its test, so no other test's task runs on it. */
    private static NodeProcess target(String name) {
        return NodeProcess.start(name, Ports.free(), cluster.environment(name, Map.of("OCTOPUS_TASK_CAP", "2")),
                cluster.root().resolve("logs/" + name + ".log"), List.of("-Xmx128m")).awaitReady(Duration.ofSeconds(90));
    }

    record Result(int exitCode, String out, String err) {
    }

    /** A node command running as its own process; {@link #finish} waits for it. */
    record Started(Process process, Path out, Path err) {
        String outSoFar() {
            try {
                return Files.readString(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Result finish() {
            try {
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("the node command did not end within 120 s");
                }
                return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** {@code java ... io.octopusha.node.Main node <args>} as its own process, with these OCTOPUS_* variables only. */
    private static Started startCommandProcess(Map<String, String> environment, String... args) {
        try {
            Path out = Files.createTempFile(cluster.root(), "command-", ".out");
            Path err = Files.createTempFile(cluster.root(), "command-", ".err");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx96m", "-cp", System.getProperty("java.class.path"), "io.octopusha.node.Main", "node"));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith("OCTOPUS_"));
            builder.environment().putAll(environment);
            return new Started(builder.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Result commandProcess(Map<String, String> environment, String... args) {
        return startCommandProcess(environment, args).finish();
    }

    /** The command in this JVM, for the cases that need no separate process. */
    private static Result command(Map<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = NodeCommand.run(args, environment, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** What `kubectl exec` into a node's pod has: that node's own settings (its name, the database). */
    private static Map<String, String> environmentOf(String nodeName) {
        return cluster.environment(nodeName, Map.of());
    }

    private static boolean drainedInTheDatabase(String nodeName) {
        return cluster.dsl().select(OCTOPUS_SERVER_NODE.IS_IN_MAINTENANCE_MODE).from(OCTOPUS_SERVER_NODE)
                .where(OCTOPUS_SERVER_NODE.NAME.eq(nodeName)).fetchSingle().value1();
    }

    @Test
    void drainsANodeWhoseHttpApiIsUnreachableAndWaitsForItsRunningTask() throws IOException {
        try (NodeProcess node = target("cut-off"); TcpProxy firewall = new TcpProxy(node.port())) {
            Api throughFirewall = new Api("http://127.0.0.1:" + firewall.port(), TestCluster.ADMIN_KEY);
            assertThat(throughFirewall.withKey(null).get("/api/octopusservernodes/ping").status()).isEqualTo(200);
            // A task that runs until the test opens its gate, so the command's wait is seen whatever the machine's speed.
            Path gate = cluster.scriptExchange().resolve("cut-off-gate");
            String task = Tasks.script(observer, "while [ ! -e " + gate + " ]; do sleep 0.05; done; echo through the gate");
            Tasks.awaitState(observer, task, "Executing", Duration.ofSeconds(30));
            assertThat(Tasks.get(observer, task).get("ServerNode").asText()).isEqualTo("cut-off");

            firewall.cut();
            assertThatThrownBy(() -> throughFirewall.get("/api/octopusservernodes/ping")).as("the node's API is out of reach")
                    .isInstanceOf(UncheckedIOException.class);

            Started started = startCommandProcess(environmentOf("cut-off"), "--drain=true", "--wait=120");
            await().atMost(Duration.ofSeconds(60)).until(() -> started.outSoFar().contains("node cut-off: waiting for 1 running task(s)"));
            assertThat(started.process().isAlive()).as("it waits for the running task").isTrue();
            assertThat(Tasks.state(observer, task)).isEqualTo("Executing");
            Files.writeString(gate, "open");
            Result result = started.finish();
            assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
            assertThat(result.out()).contains("node cut-off: drained, task cap 2, 1 running task(s)")
                    .contains("node cut-off is drained and runs no tasks");
            assertThat(result.err()).isEmpty();
            assertThat(Tasks.get(observer, task).get("State").asText()).as("the wait waited for it").isEqualTo("Success");
            assertThat(drainedInTheDatabase("cut-off")).isTrue();

            // The node applied the drain by itself, without its API: once reachable, its ping (from memory) says so.
            firewall.restore();
            await().atMost(Duration.ofSeconds(5)).ignoreExceptions()
                    .until(() -> throughFirewall.withKey(null).get("/api/octopusservernodes/ping").status() == 418);
            JsonNode event = observer.get("/api/events?regarding=OctopusServerNodes-cut-off").json().get("Items").get(0);
            assertThat(event.get("Message").asText()).isEqualTo("Drained node cut-off with the node command");
            assertThat(event.get("Username").asText()).startsWith("node command (");
            assertThat(observer.get("/api/octopusservernodes/OctopusServerNodes-cut-off").json().get("LastModifiedBy").asText())
                    .startsWith("node command (");

            Result undrain = commandProcess(environmentOf("cut-off"), "--drain=false");
            assertThat(undrain.exitCode()).as(undrain.err()).isZero();
            await().atMost(Duration.ofSeconds(5)).ignoreExceptions()
                    .until(() -> throughFirewall.withKey(null).get("/api/octopusservernodes/ping").status() == 200);
        }
    }

    @Test
    void cancelsTheTasksStillRunningWhenTheWaitIsOverAndOtherwiseSaysTheyStillRun() {
        try (NodeProcess node = target("long-runner")) {
            cancelsTheTasksStillRunningOn(node);
        }
    }

    private void cancelsTheTasksStillRunningOn(NodeProcess node) {
        String task = Tasks.delay(observer, 600_000);
        Tasks.awaitState(observer, task, "Executing", Duration.ofSeconds(30));

        Result withoutCancel = command(environmentOf("observer"), "--drain=true", "--wait=1", "--name=long-runner");
        assertThat(withoutCancel.exitCode()).isEqualTo(NodeCommand.FAILED);
        assertThat(withoutCancel.err().strip()).isEqualTo("octopus-node node: node long-runner still runs 1 task(s) after 1 s; "
                + "they go on running (add --cancel-tasks to cancel them)");
        assertThat(Tasks.state(observer, task)).isEqualTo("Executing");

        Result canceling = command(environmentOf("observer"), "--drain", "true", "--cancel-tasks", "--name", node.nodeId());
        assertThat(canceling.exitCode()).as(canceling.out() + canceling.err()).isZero();
        assertThat(canceling.out()).contains("node long-runner: canceled 1 task(s): " + task)
                .contains("node long-runner is drained and runs no tasks");
        assertThat(Tasks.state(observer, task)).isEqualTo("Canceled");
        assertThat(observer.get("/api/events?regarding=" + task).json().get("Items").get(0).get("Message").asText())
                .contains("at the end of its drain");
    }

    @Test
    void setsTheTaskCapUnderEitherSpellingAndTheNodeAppliesIt() {
        try (NodeProcess node = target("capped")) {
            setsTheTaskCapOf(node);
        }
    }

    private void setsTheTaskCapOf(NodeProcess node) {
        Api direct = new Api(node.baseUrl(), null);
        Result octopusSpelling = command(environmentOf("capped"), "--taskCap=7");
        assertThat(octopusSpelling.exitCode()).as(octopusSpelling.err()).isZero();
        assertThat(octopusSpelling.out()).contains("node capped: not drained, task cap 7");
        await().atMost(Duration.ofSeconds(5)).until(() -> direct.get("/api/octopusservernodes/ping").json().get("MaxConcurrentTasks").asInt() == 7);
        Result again = command(environmentOf("capped"), "--task-cap", "3");
        assertThat(again.exitCode()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> direct.get("/api/octopusservernodes/ping").json().get("MaxConcurrentTasks").asInt() == 3);
        assertThat(command(environmentOf("capped"), "--task-cap=3").out()).contains("(no change)");
    }

    /** A node without OCTOPUS_DB_URL runs its own PostgreSQL; the command, with the same settings, finds it. */
    @Test
    void findsTheEmbeddedDatabaseOfANodeWithoutADatabaseUrl() {
        Map<String, String> alone = new HashMap<>(cluster.environment("single", Map.of()));
        alone.remove("OCTOPUS_DB_URL");
        alone.remove("OCTOPUS_DB_USER");
        alone.put("OCTOPUS_SHARED_DIR", cluster.root().resolve("single-shared").toString());
        try (NodeProcess node = NodeProcess.start("single", Ports.free(), alone, cluster.root().resolve("logs/single.log"),
                List.of("-Xmx128m")).awaitReady(Duration.ofSeconds(120))) {
            Api direct = new Api(node.baseUrl(), null);
            assertThat(direct.get("/api/octopusservernodes/ping").status()).isEqualTo(200);
            Result result = command(alone, "--drain=true");
            assertThat(result.exitCode()).as(result.err()).isZero();
            assertThat(result.out()).contains("node single: drained");
            await().atMost(Duration.ofSeconds(5)).until(() -> direct.get("/api/octopusservernodes/ping").status() == 418);
        }
        Map<String, String> nothingRunning = new HashMap<>(alone);
        nothingRunning.put("OCTOPUS_DATA_DIR", cluster.root().resolve("no-such-node").toString());
        Result none = command(nothingRunning, "--drain=true");
        assertThat(none.exitCode()).isEqualTo(NodeCommand.BAD_INPUT);
        assertThat(none.err()).startsWith("octopus-node node: OCTOPUS_DB_URL is not set and no embedded PostgreSQL runs in");
    }

    @Test
    void readsTheNodesSettingsIncludingFileSecrets() throws IOException {
        Path password = cluster.root().resolve("db-password");
        Files.writeString(password, "not-needed-by-the-test-database\n");
        Map<String, String> withFile = new HashMap<>(environmentOf("observer"));
        withFile.put("OCTOPUS_DB_PASSWORD_FILE", password.toString());
        assertThat(command(withFile, "--task-cap=0").exitCode()).isZero();

        withFile.put("OCTOPUS_DB_PASSWORD_FILE", cluster.root().resolve("missing").toString());
        Result missing = command(withFile, "--task-cap=0");
        assertThat(missing.exitCode()).isEqualTo(NodeCommand.BAD_INPUT);
        assertThat(missing.err()).startsWith("octopus-node node: configuration error: OCTOPUS_DB_PASSWORD_FILE cannot be read");

        Map<String, String> unreachable = new HashMap<>(environmentOf("observer"));
        unreachable.put("OCTOPUS_DB_URL", "jdbc:postgresql://127.0.0.1:" + Ports.free() + "/nothing");
        Result noDatabase = command(unreachable, "--drain=true");
        assertThat(noDatabase.exitCode()).isEqualTo(NodeCommand.FAILED);
        assertThat(noDatabase.err()).startsWith("octopus-node node: the database cannot be reached");
        assertThat(noDatabase.err().strip().lines()).hasSize(1);
    }

    @Test
    void badInputIsRefusedWithOneLine() {
        Map<String, String> env = environmentOf("observer");
        Map<String[], String> cases = new java.util.LinkedHashMap<>();
        cases.put(new String[]{}, "nothing to do");
        cases.put(new String[]{"--drain=maybe"}, "--drain must be true or false, got 'maybe'");
        cases.put(new String[]{"--wait=5"}, "--wait and --cancel-tasks can only be given with --drain=true");
        cases.put(new String[]{"--drain=false", "--cancel-tasks"}, "--wait and --cancel-tasks can only be given with --drain=true");
        cases.put(new String[]{"--drain=true", "--wait=-1"}, "--wait must be a whole number from 0 to");
        cases.put(new String[]{"--task-cap=1001"}, "--task-cap must be a whole number from 0 to 1000, got '1001'");
        cases.put(new String[]{"--taskCap=lots"}, "--taskCap must be a whole number from 0 to 1000, got 'lots'");
        cases.put(new String[]{"--drain"}, "--drain needs a value");
        cases.put(new String[]{"--drain=true", "--name=../etc"}, "--name must be a node name or Id");
        cases.put(new String[]{"--drain=true", "--cancel-tasks=yes"}, "--cancel-tasks takes no value");
        cases.put(new String[]{"drain"}, "unexpected argument 'drain'");
        cases.put(new String[]{"--drain=true", "--bogus=1"}, "configuration error: unknown flag --bogus");
        for (var c : cases.entrySet()) {
            Result result = command(env, c.getKey());
            assertThat(result.exitCode()).as(String.join(" ", c.getKey())).isEqualTo(NodeCommand.BAD_INPUT);
            assertThat(result.err().strip().lines()).as(String.join(" ", c.getKey())).hasSize(1);
            assertThat(result.err()).as(String.join(" ", c.getKey())).startsWith("octopus-node node: ").contains(c.getValue());
            assertThat(result.out()).isEmpty();
        }
        Result unknown = command(env, "--drain=true", "--name=nobody-here");
        assertThat(unknown.exitCode()).isEqualTo(NodeCommand.NO_SUCH_NODE);
        assertThat(unknown.err().strip()).isEqualTo("octopus-node node: there is no node OctopusServerNodes-nobody-here in the cluster's database");

        // From the real entry point: one line on stderr, nothing else, exit code 2.
        Map<String, String> badConfig = new HashMap<>(env);
        badConfig.put("OCTOPUS_TASK_CAP", "lots");
        Result process = commandProcess(badConfig, "--drain=true");
        assertThat(process.exitCode()).isEqualTo(NodeCommand.BAD_INPUT);
        assertThat(process.out()).isEmpty();
        assertThat(process.err().strip()).isEqualTo("octopus-node node: configuration error: OCTOPUS_TASK_CAP must be an integer from 0 to 1000, got 'lots'");
        assertThat(command(env, "--help").out()).contains("--drain=true|false", "--task-cap=N", "--cancel-tasks");
    }
}
