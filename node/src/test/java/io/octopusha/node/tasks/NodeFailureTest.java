package io.octopusha.node.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.octopusha.node.OctopusNode;
import io.octopusha.node.local.NodeProcess;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.Ports;
import io.octopusha.node.testing.TestCluster;
import io.octopusha.node.testing.Tasks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.octopusha.node.db.schema.Tables.SERVER_TASK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real node processes killed with SIGKILL or stopped with SIGTERM while they run tasks. */
class NodeFailureTest {
    private TestCluster cluster;
    private OctopusNode survivor;
    private Api api;
    private final List<NodeProcess> processes = new ArrayList<>();

    @BeforeEach
    void start() {
        cluster = new TestCluster();
        survivor = cluster.start("survivor", Map.of("OCTOPUS_TASK_CAP", "0"));
        api = cluster.api(survivor);
    }

    @AfterEach
    void stop() {
        processes.forEach(NodeProcess::close);
        cluster.close();
    }

    private NodeProcess process(String name, Map<String, String> overrides) {
        NodeProcess p = NodeProcess.start(name, Ports.free(), cluster.environment(name, overrides),
                cluster.root().resolve("logs/" + name + ".log"), List.of("-Xmx128m"));
        processes.add(p);
        return p.awaitReady(Duration.ofSeconds(60));
    }

    @Test
    void tasksOfAKilledNodeFailNamingItWithinOfflineAfterAndTheRestFinishElsewhere() {
        NodeProcess victim = process("victim", Map.of("OCTOPUS_TASK_CAP", "4"));
        List<String> doomed = new ArrayList<>();
        for (int i = 0; i < 4; i++) doomed.add(Tasks.delay(api, 60_000));
        for (String id : doomed) Tasks.awaitState(api, id, "Executing", Duration.ofSeconds(5));
        List<String> later = new ArrayList<>();
        for (int i = 0; i < 6; i++) later.add(Tasks.delay(api, 100));

        Map<Long, Integer> maxExecutingRowsPerTask = new ConcurrentHashMap<>();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> cluster.dsl().select(SERVER_TASK.NUMBER).from(SERVER_TASK)
                .where(SERVER_TASK.STATE.eq("Executing")).fetch(SERVER_TASK.NUMBER)
                .forEach(n -> maxExecutingRowsPerTask.merge(n, 1, Math::max)), 0, 20, TimeUnit.MILLISECONDS);

        victim.kill();
        long killedAt = System.nanoTime();
        api.put("/api/octopusservernodes/OctopusServerNodes-survivor", "{\"MaxConcurrentTasks\":5}");
        Duration limit = Duration.parse(TestCluster.OFFLINE_AFTER).plus(Duration.parse(TestCluster.HEARTBEAT)).plusSeconds(1);
        try {
            for (String id : doomed) {
                JsonNode failed = Tasks.awaitState(api, id, "Failed", limit);
                assertThat(failed.get("ErrorMessage").asText()).contains("OctopusServerNodes-victim").contains("offline");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(limit);
            for (String id : later) {
                assertThat(Tasks.awaitCompleted(api, id, Duration.ofSeconds(10)).get("State").asText()).isEqualTo("Success");
            }
        } finally {
            sampler.shutdownNow();
        }
        assertThat(Tasks.startsPerTask(cluster.dsl()).values()).containsOnly(1);
        assertThat(maxExecutingRowsPerTask.values()).containsOnly(1);
    }

    @Test
    void sigtermLetsARunningTaskFinishAnswers418MeanwhileAndExitsZero() {
        NodeProcess leaving = process("leaving", Map.of("OCTOPUS_TASK_CAP", "2"));
        Api direct = new Api(leaving.baseUrl(), TestCluster.ADMIN_KEY);
        String task = Tasks.delay(api, 5_000);
        Tasks.awaitState(api, task, "Executing", Duration.ofSeconds(5));

        leaving.terminate();
        await().atMost(Duration.ofSeconds(2)).until(() -> direct.get("/api/octopusservernodes/ping").status() == 418);
        assertThat(direct.get("/api/health/ready").status()).isEqualTo(503);
        String queuedMeanwhile = Tasks.delay(api, 10);
        assertThat(summaryStatus("leaving")).isEqualTo("Draining");
        assertThat(leaving.waitForExit(Duration.ofSeconds(15))).isZero();

        assertThat(Tasks.get(api, task).get("State").asText()).isEqualTo("Success");
        assertThat(summaryStatus("leaving")).isEqualTo("Offline");
        assertThat(Tasks.state(api, queuedMeanwhile)).isEqualTo("Queued");
    }

    @Test
    void sigtermCancelsWhatIsStillRunningAfterTheGrace() {
        NodeProcess leaving = process("impatient", Map.of("OCTOPUS_SHUTDOWN_GRACE", "PT1S"));
        String task = Tasks.delay(api, 60_000);
        Tasks.awaitState(api, task, "Executing", Duration.ofSeconds(5));
        leaving.terminate();
        assertThat(leaving.waitForExit(Duration.ofSeconds(15))).isZero();
        JsonNode canceled = Tasks.get(api, task);
        assertThat(canceled.get("State").asText()).isEqualTo("Canceled");
        assertThat(canceled.get("ErrorMessage").asText()).contains("OCTOPUS_SHUTDOWN_GRACE");
    }

    @Test
    void sigtermLetsARequestInFlightFinishWhileNewConnectionsAreRefused() throws Exception {
        NodeProcess leaving = process("leaving", Map.of());
        // A slow client: the body starts with whitespace sent a byte at a time until the node stops serving.
        int padding = 1_000;
        String task = "{\"Name\":\"Delay\",\"Arguments\":{\"Milliseconds\":10}}";
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), leaving.port())) {
            socket.setSoTimeout((int) Duration.ofSeconds(20).toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/tasks HTTP/1.1\r\nHost: x\r\nX-Octopus-ApiKey: " + TestCluster.ADMIN_KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + (padding + task.length()) + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            AtomicInteger sent = new AtomicInteger();

            leaving.terminate();
            // Nothing runs on the node, so it stops serving at once: it has begun once it refuses connections.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
                out.write(' ');
                out.flush();
                sent.incrementAndGet();
                return refusesConnections(leaving.port());
            });
            out.write((" ".repeat(padding - sent.get()) + task).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

            assertThat(response).startsWith("HTTP/1.1 201").containsIgnoringCase("Connection: close");
            String id = new ObjectMapper().readTree(response.substring(response.indexOf("\r\n\r\n"))).get("Id").asText();
            assertThat(Tasks.state(api, id)).isEqualTo("Queued");
        }
        assertThat(leaving.waitForExit(Duration.ofSeconds(15))).isZero();
    }

    private static boolean refusesConnections(int port) {
        try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return false;
        } catch (IOException refused) {
            return true;
        }
    }

    private String summaryStatus(String name) {
        for (var n : api.get("/api/octopusservernodes/summary").json().get("Nodes")) {
            if (n.get("Name").asText().equals(name)) return n.get("Status").asText();
        }
        throw new AssertionError("no node " + name);
    }
}
