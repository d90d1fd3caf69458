package io.octopusha.node.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.octopusha.node.api.HealthApi;
import io.octopusha.node.testing.Ports;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code make run} survives its own crash: after a kill -9 of its JVM none of the processes it started keeps running,
 * and the next one comes up clean on the same state folder, with its own nodes answering.
 */
class LocalClusterCrashTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aKilledMakeRunLeavesNothingRunningAndTheNextOneComesUpClean() throws Exception {
        Path state = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "local-cluster-");
        int port = freeBlock();
        int statsPort = Ports.free();

        LocalRun first = LocalRun.start(state, port, statsPort, "first");
        first.awaitRunning();
        Set<Long> firstProcesses = first.everythingItStarted();
        // The reaper, three nodes and PostgreSQL, and HAProxy where it is installed.
        assertThat(firstProcesses).hasSizeGreaterThanOrEqualTo(Haproxy.installed() ? 6 : 5);

        first.process.destroyForcibly();
        await().atMost(Duration.ofSeconds(60)).until(() -> firstProcesses.stream().noneMatch(LocalClusterCrashTest::running));

        LocalRun second = LocalRun.start(state, port, statsPort, "second");
        second.awaitRunning();
        Set<Long> secondNodes = second.process.descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
        for (int i = 1; i <= 3; i++) {
            assertThat(nodeNameOn(port + i)).isEqualTo("node" + i);
        }
        assertThat(secondNodes).doesNotContainAnyElementsOf(firstProcesses);

        Set<Long> secondProcesses = second.everythingItStarted();
        second.process.destroy();
        assertThat(second.process.waitFor(90, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> secondProcesses.stream().noneMatch(LocalClusterCrashTest::running));
        assertThat(state.resolve("processes")).doesNotExist();
    }

    @Test
    void aPortTakenByAnotherProgramIsRefusedInOneLineNamingIt() throws Exception {
        Path state = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "local-cluster-");
        int port = freeBlock();
        try (ServerSocket taken = new ServerSocket(port + 2)) {
            LocalRun run = LocalRun.start(state, port, Ports.free(), "refused");
            assertThat(run.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(run.process.exitValue()).isEqualTo(1);
            assertThat(Files.readString(run.output)).contains("port " + (port + 2) + " is in use by another program")
                    .doesNotContain("running");
            assertThat(state.resolve("pg")).doesNotExist();
        }
    }

    private record LocalRun(Process process, Path state, Path output) {
        static LocalRun start(Path state, int port, int statsPort, String name) throws IOException {
            Path output = state.resolve(name + ".out");
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dlocal.state=" + state, "-Dlocal.port=" + port, "-Dlocal.statsPort=" + statsPort,
                    "-cp", System.getProperty("java.class.path"), LocalCluster.class.getName())
                    .redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith("OCTOPUS_"));
            builder.environment().putAll(Map.of("OCTOPUS_HEARTBEAT_INTERVAL", "PT1S", "OCTOPUS_SHUTDOWN_GRACE", "PT5S"));
            return new LocalRun(builder.start(), state, output);
        }

        void awaitRunning() {
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).until(() -> {
                assertThat(process.isAlive()).as("make run exited:\n%s", Files.readString(output)).isTrue();
                return Files.readString(output).contains("Octopus HA local cluster is running");
            });
        }

        /** Its descendants (reaper, nodes, HAProxy) and the PostgreSQL postmaster, which pg_ctl detached from it. */
        Set<Long> everythingItStarted() throws IOException {
            long postmaster = Long.parseLong(Files.readAllLines(state.resolve("pg").resolve("postmaster.pid")).getFirst().strip());
            return Stream.concat(process.descendants().map(ProcessHandle::pid), Stream.of(postmaster))
                    .collect(Collectors.toSet());
        }
    }

    /** Alive and not a zombie waiting for a parent that is gone. */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return false;
        }
    }

    private static String nodeNameOn(int port) throws Exception {
        HttpResponse<String> ping = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + HealthApi.PING))
                .build(), HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(ping.body()).path("Name").asText();
    }

    /** A port whose next three are free too: HAProxy's and the nodes'. */
    private static int freeBlock() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = Ports.free();
            if (port > 65000) continue;
            if (List.of(1, 2, 3).stream().allMatch(i -> isFree(port + i))) return port;
        }
        throw new IllegalStateException("no four free ports in a row");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port)) {
            return socket.isBound();
        } catch (IOException e) {
            return false;
        }
    }
}
