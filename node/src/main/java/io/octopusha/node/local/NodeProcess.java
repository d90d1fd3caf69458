package io.octopusha.node.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.octopusha.node.api.HealthApi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A node in its own JVM, so that it can be killed like a real server: used by {@code make run} and by the
 * tests that kill, terminate or load-balance nodes. Output goes to a log file.
 */
public final class NodeProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final int port;
    private final Path log;
    private final Process process;

    private NodeProcess(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts {@code io.octopusha.node.Main} with the given OCTOPUS_* environment (plus name and port), on the
     * class path of this JVM, and returns at once; see {@link #awaitReady}.
     */
    public static NodeProcess start(String name, int port, Map<String, String> environment, Path log, List<String> jvmOptions) {
        return start(name, port, environment, log, jvmOptions, List.of(), System.getProperty("java.class.path"));
    }

    /**
     * As {@link #start(String, int, Map, Path, List)}, with {@code launcher} before the java command (setpriv, to run
     * the node as another user) and the class path given.
     */
    public static NodeProcess start(String name, int port, Map<String, String> environment, Path log, List<String> jvmOptions,
                                    List<String> launcher, String classPath) {
        try {
            Files.createDirectories(log.getParent());
            var command = new java.util.ArrayList<String>(launcher);
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            // As in the image: a script running as the node's own user could otherwise attach to its JVM.
            command.add("-XX:+DisableAttachMechanism");
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp", classPath, "io.octopusha.node.Main"));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(k -> k.startsWith("OCTOPUS_"));
            env.putAll(environment);
            env.put("OCTOPUS_NODE_NAME", name);
            env.put("OCTOPUS_HTTP_PORT", Integer.toString(port));
            return new NodeProcess(name, port, log, builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("node " + name + " did not start", e);
        }
    }

    public String name() { return name; }
    public int port() { return port; }
    public String nodeId() { return "OctopusServerNodes-" + name; }
    public String baseUrl() { return "http://127.0.0.1:" + port; }
    public Path log() { return log; }
    public long pid() { return process.pid(); }
    public boolean isAlive() { return process.isAlive(); }

    /**
     * Waits until this node answers its liveness route, and its ping gives this node's name (another program on the port
     * is not mistaken for it); fails with the end of its log if it exits or takes too long.
     */
    public NodeProcess awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest live = HttpRequest.newBuilder(URI.create(baseUrl() + "/api/health/live"))
                .timeout(Duration.ofSeconds(1)).build();
        HttpRequest ping = HttpRequest.newBuilder(URI.create(baseUrl() + HealthApi.PING)).timeout(Duration.ofSeconds(1)).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("node " + name + " exited with " + process.exitValue() + ":\n" + logTail());
            }
            try {
                if (HTTP.send(live, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    String answeredAs = JSON.readTree(HTTP.send(ping, HttpResponse.BodyHandlers.ofString()).body())
                            .path("Name").asText();
                    if (!answeredAs.equals(name)) {
                        throw new IllegalStateException("port " + port + " answers as node '" + answeredAs + "', not " + name);
                    }
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                process.waitFor(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("node " + name + " not ready after " + timeout + ":\n" + logTail());
    }

    /** SIGKILL: the node gets no chance to clean up, like a crashed machine. */
    public void kill() {
        process.destroyForcibly();
        waitForExit(Duration.ofSeconds(10));
    }

    /** SIGTERM: the node drains and exits by itself. */
    public void terminate() {
        process.destroy();
    }

    /** Exit code, or -1 if still running after the timeout. */
    public int waitForExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Terminates the node, and kills it if it has not exited within 30 s. */
    @Override
    public void close() {
        if (!process.isAlive()) return;
        terminate();
        if (waitForExit(Duration.ofSeconds(30)) == -1) kill();
    }
}
