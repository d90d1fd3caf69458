package io.octopusha.node.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.octopusha.node.local.Haproxy;
import io.octopusha.node.local.NodeProcess;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.Ports;
import io.octopusha.node.testing.RuntimeClassPath;
import io.octopusha.node.testing.TestCluster;
import io.octopusha.node.testing.Uploads;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static io.octopusha.node.bench.Results.Better.HIGHER;
import static io.octopusha.node.bench.Results.Better.LOWER;
import static org.awaitility.Awaitility.await;

/**
 * Scenarios 4-10, against node processes (each its own JVM, -Xmx128m) on one PostgreSQL: ping under wrk, a large
 * upload, drain propagation between two nodes, failover after kill -9, and what users of a cluster wait for: a node's
 * start, a drain until idle, and a rolling restart behind HAProxy.
 */
final class ProcessBenchmarks {
    private static final List<String> JVM_OPTIONS = List.of("-Xmx128m");
    /**
     * Nodes run on the class path the image ships (the node's classes, then its runtime dependencies), not on this
     * harness's, whose test libraries (JUnit, Selenium, ArchUnit, db-scheduler and theirs: 114 entries against 71)
     * every failed class lookup and every service lookup reads through. The bare Javalin app runs on the same jars,
     * with its own class and the node's logging configuration.
     */
    private static final String NODE_CLASS_PATH = shippedClassPath("target/classes");
    private static final String BARE_CLASS_PATH = shippedClassPath("target/test-classes:target/classes");
    private static final String PING = "/api/octopusservernodes/ping";
    private static final int PING_ROUNDS = 3;
    private static final String NODES = "/api/octopusservernodes/";
    private static final double MIB = 1024 * 1024;
    private static final Pattern WRK_RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern WRK_P99 = Pattern.compile("\\s99%\\s+([\\d.]+)(us|ms|s)");
    /** How often a start is polled: the figure is at most this late. */
    private static final Duration START_POLL = Duration.ofMillis(5);
    /** Task creations per second sent through HAProxy during the rolling restart. */
    private static final double ROLLING_RATE = 20;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Benchmarks.Settings settings;
    private final BenchPostgres postgres;
    private final Path root;
    private final Results results;
    private final String url;
    private final List<AutoCloseable> started = new ArrayList<>();

    ProcessBenchmarks(Benchmarks.Settings settings, BenchPostgres postgres, Path root, Results results) {
        this.settings = settings;
        this.postgres = postgres;
        this.root = root;
        this.results = results;
        this.url = postgres.freshDatabase("processes");
    }

    void run() throws Exception {
        try {
            NodeProcess alpha = startNode("alpha", 5);
            NodeProcess bravo = startNode("bravo", 5);
            ping(alpha);
            upload(alpha);
            drainPropagation(alpha, bravo);
            failover(api(alpha), List.of(alpha, bravo));
            double startSeconds = nodeStart();
            drainToIdle(api(alpha));
            rollingRestart(startSeconds);
        } finally {
            stopStarted();
        }
    }

    /** Scenario 8 alone ({@code BENCH_ONLY=start}): a first node migrates the database and gives the ping's bytes. */
    void runNodeStart() throws Exception {
        try {
            writePingBody(startNode("alpha", 5));
            nodeStart();
        } finally {
            stopStarted();
        }
    }

    private void stopStarted() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) started.get(i).close();
    }

    /** The bytes of {@code node}'s ping, which the bare Javalin baselines answer with. */
    private Path writePingBody(NodeProcess node) throws IOException {
        Api.Response ping = api(node).get(PING);
        if (ping.status() != 200) throw new IllegalStateException("ping answered " + ping.status());
        return Files.writeString(root.resolve("ping-body.json"), ping.body());
    }

    /**
     * Scenario 4: wrk on a node's ping and on a bare Javalin route answering the same bytes, each warmed up and then
     * measured three times in turns; the medians are reported. Measured once each, the ratio ranged from 0.78 to
     * 1.04 over seven runs, with the bare route alone between 41,000 and 57,000 requests/s.
     */
    private void ping(NodeProcess node) throws Exception {
        Path body = writePingBody(node);
        int barePort = Ports.free();
        Process bare = new ProcessBuilder(bareCommand(Integer.toString(barePort), body.toString()))
                .redirectErrorStream(true).redirectOutput(root.resolve("bare-ping.log").toFile()).start();
        started.add(bare::destroyForcibly);
        String bareUrl = "http://127.0.0.1:" + barePort + PING;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> HTTP.send(HttpRequest.newBuilder(URI.create(bareUrl)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);

        String nodeUrl = node.baseUrl() + PING;
        runWrk(nodeUrl, settings.pingWarmup());
        runWrk(bareUrl, settings.pingWarmup());
        List<Double> nodeRates = new ArrayList<>();
        List<Double> nodeP99s = new ArrayList<>();
        List<Double> bareRates = new ArrayList<>();
        List<Double> bareP99s = new ArrayList<>();
        for (int i = 0; i < PING_ROUNDS; i++) {
            double[] ours = wrk(nodeUrl);
            nodeRates.add(ours[0]);
            nodeP99s.add(ours[1]);
            double[] bares = wrk(bareUrl);
            bareRates.add(bares[0]);
            bareP99s.add(bares[1]);
        }
        String load = "wrk " + settings.pingDuration().toSeconds() + " s, 64 connections, median of " + PING_ROUNDS;
        String baseline = "bare Javalin route, same bytes, own JVM -Xmx128m";
        results.add(new Results.Row("4 ping", "requests/s, " + load, median(nodeRates), "req/s", median(bareRates), baseline, HIGHER, 0.8, null));
        results.add(new Results.Row("4 ping", "p99 latency, " + load, median(nodeP99s), "ms", median(bareP99s), baseline, LOWER, null, null));
    }

    /** Requests per second and p99 in ms of one measured wrk run. */
    private double[] wrk(String target) throws Exception {
        String out = runWrk(target, settings.pingDuration());
        if (out.contains("Non-2xx")) throw new IllegalStateException("wrk saw errors:\n" + out);
        Matcher rate = WRK_RATE.matcher(out);
        Matcher p99 = WRK_P99.matcher(out);
        if (!rate.find() || !p99.find()) throw new IllegalStateException("unexpected wrk output:\n" + out);
        double latency = Double.parseDouble(p99.group(1)) * switch (p99.group(2)) {
            case "us" -> 0.001;
            case "ms" -> 1.0;
            default -> 1000.0;
        };
        return new double[]{Double.parseDouble(rate.group(1)), latency};
    }

    private static String runWrk(String target, Duration duration) throws Exception {
        return command("wrk", "-t2", "-c64", "-d" + duration.toSeconds() + "s", "--latency", target);
    }

    /**
     * Scenario 5: a package upload through the API with curl (the client the README shows) against cp of the
     * same file into the shared directory, after unmeasured uploads. Each is run three times, alternating, and the
     * median is reported. Each starts with no dirty pages and is timed until its file is on disk (syncfs of the
     * shared directory): timed into the page cache, a copy ran at 333 MiB/s in one run and 2,511 MiB/s in the next,
     * depending on whether the kernel was still writing out what came before, and the ratio swung from 0.92 to 0.12.
     */
    private void upload(NodeProcess node) throws Exception {
        long size = settings.uploadBytes();
        Path file = root.resolve("upload").resolve("BenchUpload.1.0.0.zip");
        Files.createDirectories(file.getParent());
        try (InputStream in = new Uploads.Content(size, 42).open(); OutputStream out = Files.newOutputStream(file)) {
            in.transferTo(out);
        }

        double heapBefore = heapUsedMiB(node);
        double rssBefore = procStatusMiB(node.pid(), "VmRSS");
        AtomicLong peakHeapBytes = new AtomicLong((long) (heapBefore * MIB));
        Thread sampler = Thread.ofPlatform().daemon().name("heap-sampler").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    peakHeapBytes.accumulateAndGet((long) (heapUsedMiB(node) * MIB), Math::max);
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // one missed sample
                }
            }
        });
        List<Double> copySeconds = new ArrayList<>();
        List<Double> uploadSeconds = new ArrayList<>();
        Path shared = root.resolve("shared");
        Step uploadUntilOnDisk = () -> {
            String status = command("curl", "-sS", "--max-time", "1800", "-o", "/dev/null", "-w", "%{http_code}",
                    "-H", "X-Octopus-ApiKey: " + TestCluster.ADMIN_KEY, "-F", "file=@" + file,
                    node.baseUrl() + "/api/Spaces-1/packages/raw?overwriteMode=OverwriteExisting");
            if (!status.equals("201") && !status.equals("200")) throw new IllegalStateException("upload answered " + status);
            command("sync", "-f", shared.toString());
        };
        try {
            // Unmeasured first, as the queues are: the first 1 GiB upload to a new node took twice as long as the
            // third (4.7 and 2.3 s), while the JIT compiled the parsing and hashing; cp has nothing to compile.
            for (int i = 0; i < settings.warmUpRounds(); i++) uploadUntilOnDisk.run();
            for (int i = 0; i < 3; i++) {
                Path copy = shared.resolve("cp-baseline.zip");
                command("sync");
                copySeconds.add(seconds(() -> {
                    command("cp", file.toString(), copy.toString());
                    command("sync", "-f", shared.toString());
                }));
                Files.delete(copy);
                command("sync");
                uploadSeconds.add(seconds(uploadUntilOnDisk));
            }
        } finally {
            sampler.interrupt();
            sampler.join();
        }
        Files.delete(file);

        double mib = size / MIB;
        String what = String.format("%.0f MiB package until on disk, node -Xmx128m, median of 3", mib);
        results.add(new Results.Row("5 upload", "upload speed, " + what, mib / median(uploadSeconds), "MiB/s", mib / median(copySeconds),
                "cp of the same file into the shared directory, each until on disk", HIGHER, 0.5, null));
        results.add(new Results.Row("5 upload", "peak heap used during the uploads", peakHeapBytes.get() / MIB, "MiB", heapBefore,
                "heap used before them", LOWER, null, 128.0));
        results.add(new Results.Row("5 upload", "peak RSS (VmHWM) after the uploads", procStatusMiB(node.pid(), "VmHWM"), "MiB", rssBefore,
                "RSS before them", LOWER, null, null));
    }

    private interface Step {
        void run() throws Exception;
    }

    private static double seconds(Step step) throws Exception {
        long start = System.nanoTime();
        step.run();
        return (System.nanoTime() - start) / 1e9;
    }

    /** The middle value of an odd number of runs. */
    static double median(List<Double> values) {
        return values.stream().sorted().toList().get(values.size() / 2);
    }

    /**
     * Runs a command to its end (each one here bounds its own run time) and returns what it printed; anything but
     * exit 0 is an error that carries that output.
     */
    static String command(String... command) {
        return command(Path.of("").toAbsolutePath(), List.of(command));
    }

    /** As {@link #command(String...)}, run in {@code dir}. */
    static String command(Path dir, List<String> command) {
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (process.waitFor() != 0) throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Heap in use (all heap pools), from the node's Prometheus metrics. */
    private static double heapUsedMiB(NodeProcess node) {
        double bytes = 0;
        for (String line : new Api(node.baseUrl(), TestCluster.ADMIN_KEY).get("/metrics").body().split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                bytes += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        if (bytes == 0) throw new IllegalStateException("the node's /metrics has no jvm_memory_used_bytes for the heap");
        return bytes / MIB;
    }

    private static double procStatusMiB(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IllegalStateException(field + " not in /proc/" + pid + "/status");
    }

    /**
     * Scenario 6: drain a node through another node's API and time until its own ping answers 418; the
     * baseline sends the same call to the drained node itself, so nothing has to cross between nodes.
     */
    private void drainPropagation(NodeProcess a, NodeProcess b) {
        List<Double> remote = new ArrayList<>();
        List<Double> local = new ArrayList<>();
        for (int i = 0; i < settings.drainTries(); i++) {
            remote.add(drainMillis(api(a), b));
            local.add(drainMillis(api(b), b));
        }
        double[] r = QueueBenchmarks.percentiles(remote);
        double[] l = QueueBenchmarks.percentiles(local);
        String baseline = "PUT sent to the drained node itself";
        String what = "PUT drain on A → B's ping 418, " + settings.drainTries() + " tries";
        results.add(new Results.Row("6 drain propagation", "p50, " + what, r[0], "ms", l[0], baseline, LOWER, null, null));
        results.add(new Results.Row("6 drain propagation", "p99, " + what, r[1], "ms", l[1], baseline, LOWER, null, 100.0));
    }

    private static double drainMillis(Api via, NodeProcess target) {
        Api targetApi = api(target);
        long start = System.nanoTime();
        Api.Response put = via.put(NODES + target.nodeId(), "{\"IsInMaintenanceMode\":true}");
        if (put.status() != 200) throw new IllegalStateException("drain answered " + put.status() + ": " + put.body());
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1)).until(() -> targetApi.get(PING).status() == 418);
        double millis = (System.nanoTime() - start) / 1e6;
        via.put(NODES + target.nodeId(), "{\"IsInMaintenanceMode\":false}");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> targetApi.get(PING).status() == 200);
        return millis;
    }

    /**
     * Scenario 7: a third node runs 10 long tasks (the others are drained so it takes them all) and is killed
     * with SIGKILL; timed until a surviving node shows all 10 Failed and the node Offline.
     */
    private void failover(Api survivor, List<NodeProcess> others) {
        NodeProcess victim = startNode("charlie", 10);
        for (NodeProcess other : others) {
            survivor.put(NODES + other.nodeId(), "{\"IsInMaintenanceMode\":true}");
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> api(other).get(PING).status() == 418);
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Api.Response created = survivor.post("/api/tasks", "{\"Name\":\"Delay\",\"Arguments\":{\"Milliseconds\":600000}}");
            if (created.status() != 201) throw new IllegalStateException("task not created: " + created.body());
            ids.add(created.json().get("Id").asText());
        }
        String tasks = "/api/tasks?take=100&ids=" + String.join(",", ids);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> allTasks(survivor, tasks, "Executing", victim.name()));
        long killedAt = System.nanoTime();
        victim.kill();
        Duration offlineAfter = settings.offlineAfter();
        await().atMost(offlineAfter.multipliedBy(4)).pollInterval(Duration.ofMillis(20))
                .until(() -> allTasks(survivor, tasks, "Failed", victim.name()) && offline(survivor, victim));
        double seconds = (System.nanoTime() - killedAt) / 1e9;
        results.add(new Results.Row("7 failover", "kill -9 of a node running 10 tasks → all Failed and node Offline", seconds, "s",
                offlineAfter.toMillis() / 1000.0, "configured OCTOPUS_OFFLINE_AFTER", LOWER, null, null));
    }

    /**
     * Scenario 8: from starting a node's JVM to its ping's first 200, on the database the other nodes use and on a
     * new one (which the node migrates first), against a bare Javalin app's start to its first 200 with the same JVM
     * options; taken in turns, medians reported. Returns the node's median on the existing database, in seconds.
     */
    private double nodeStart() throws Exception {
        Path body = root.resolve("ping-body.json");
        List<Double> bare = new ArrayList<>();
        List<Double> existing = new ArrayList<>();
        List<Double> fresh = new ArrayList<>();
        for (int i = 0; i < settings.startTries(); i++) {
            int barePort = Ports.free();
            long began = System.nanoTime();
            Process process = new ProcessBuilder(bareCommand(Integer.toString(barePort), body.toString()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("bare-start.log").toFile())).start();
            try {
                bare.add(millisUntilPing(began, "http://127.0.0.1:" + barePort, process::isAlive));
            } finally {
                process.destroy();
                process.waitFor();
            }
            existing.add(startMillis("echo", url, root.resolve("shared")));
            Path freshCluster = root.resolve("fresh-" + i);
            fresh.add(startMillis("foxtrot", postgres.freshDatabase("fresh_start"), freshCluster.resolve("shared")));
        }
        String tries = ", median of " + settings.startTries();
        String baseline = "bare Javalin app (one route), own JVM -Xmx128m, start to first 200";
        results.add(new Results.Row("8 node start", "JVM start → ping 200, existing database" + tries, median(existing), "ms",
                median(bare), baseline, LOWER, 2.0, null));
        results.add(new Results.Row("8 node start", "JVM start → ping 200, new database (migrations)" + tries, median(fresh), "ms",
                median(bare), baseline, LOWER, null, null));
        return median(existing) / 1000;
    }

    /** Starts a node (cap 5), times it to its ping's first 200, and stops it with SIGTERM. */
    private double startMillis(String name, String database, Path shared) throws Exception {
        Map<String, String> env = nodeEnvironment(database, root.resolve("start-" + name), shared, 5);
        long began = System.nanoTime();
        NodeProcess node = NodeProcess.start(name, Ports.free(), env, root.resolve("logs").resolve(name + ".log"), JVM_OPTIONS, List.of(), NODE_CLASS_PATH);
        try {
            return millisUntilPing(began, node.baseUrl(), node::isAlive);
        } finally {
            node.close();
        }
    }

    private static double millisUntilPing(long began, String baseUrl, java.util.function.BooleanSupplier alive) throws Exception {
        HttpRequest ping = HttpRequest.newBuilder(URI.create(baseUrl + PING)).timeout(Duration.ofSeconds(2)).build();
        long deadline = began + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!alive.getAsBoolean()) throw new IllegalStateException(baseUrl + ": the process exited before its ping answered 200");
            try {
                if (HTTP.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return (System.nanoTime() - began) / 1e6;
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(START_POLL.toMillis());
        }
        throw new IllegalStateException(baseUrl + ": no 200 from the ping within 120 s");
    }

    /**
     * Scenario 9: a node with cap 32 runs 32 Delay 1000 ms tasks (the other nodes are drained or gone); from the PUT
     * that drains it to the summary's {@code Drained}. The baseline is the tasks' own second: the PUT comes once all
     * 32 run, so a drain that adds nothing ends within it.
     */
    private void drainToIdle(Api via) {
        NodeProcess node = startNode("golf", 32);
        Api own = api(node);
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < settings.startTries(); i++) {
            // Queued while the node is drained and then taken in one claim, so that all 32 run at once: created one by
            // one on a busy machine, the first had finished before the last started.
            setDrained(via, node, true);
            List<String> ids = new ArrayList<>();
            for (int t = 0; t < 32; t++) {
                Api.Response created = own.post("/api/tasks", "{\"Name\":\"Delay\",\"Arguments\":{\"Milliseconds\":1000}}");
                if (created.status() != 201) throw new IllegalStateException("task not created: " + created.body());
                ids.add(created.json().get("Id").asText());
            }
            String tasks = "/api/tasks?take=100&ids=" + String.join(",", ids);
            setDrained(via, node, false);
            try {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                        .until(() -> countTasks(own, tasks, "Queued", null) == 0);
            } catch (RuntimeException e) {
                throw new IllegalStateException("drain to idle: the 32 tasks did not all start on " + node.name() + ": "
                        + own.get(tasks).body() + "\nsummary: " + own.get(NODES + "summary").body(), e);
            }
            String started = own.get(tasks).body();
            if (started.split("\"ServerNode\":\"" + node.name() + "\"", -1).length - 1 != 32) {
                throw new IllegalStateException("drain to idle: not all 32 tasks ran on " + node.name() + ": " + started);
            }
            long began = System.nanoTime();
            Api.Response put = via.put(NODES + node.nodeId(), "{\"IsInMaintenanceMode\":true}");
            if (put.status() != 200) throw new IllegalStateException("drain answered " + put.status() + ": " + put.body());
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> "Drained".equals(status(via, node)));
            millis.add((System.nanoTime() - began) / 1e6);
            if (countTasks(own, tasks, "Success", node.name()) != 32) throw new IllegalStateException("drain to idle: not all 32 tasks succeeded");
            setDrained(via, node, false);
        }
        node.close();
        results.add(new Results.Row("9 drain to idle", "PUT IsInMaintenanceMode on a node running 32 Delay 1000 ms tasks → Drained in the summary, median of "
                + settings.startTries(), median(millis), "ms", 1000, "the tasks' own 1 s", LOWER, null, null));
    }

    /** Tasks of the query in {@code state}, on {@code nodeName} (null: on any node or none). */
    private static int countTasks(Api api, String query, String state, String nodeName) {
        int n = 0;
        for (JsonNode task : api.get(query).json().get("Items")) {
            if (task.get("State").asText().equals(state) && (nodeName == null || nodeName.equals(task.get("ServerNode").asText()))) n++;
        }
        return n;
    }

    /** Drains or undrains {@code node} through {@code via} and waits until its ping says so (418 or 200). */
    private static void setDrained(Api via, NodeProcess node, boolean drained) {
        Api.Response put = via.put(NODES + node.nodeId(), "{\"IsInMaintenanceMode\":" + drained + "}");
        if (put.status() != 200) throw new IllegalStateException("drain answered " + put.status() + ": " + put.body());
        Api own = api(node);
        int expected = drained ? 418 : 200;
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> own.get(PING).status() == expected);
    }

    private static String status(Api api, NodeProcess node) {
        for (JsonNode n : api.get(NODES + "summary").json().get("Nodes")) {
            if (n.get("Id").asText().equals(node.nodeId())) return n.get("Status").asText();
        }
        return "missing";
    }

    /**
     * Scenario 10: three nodes behind a real HAProxy (the configuration {@code make run} uses) take a steady stream of
     * task creations through it while each node in turn is drained, left to finish its tasks, stopped with SIGTERM,
     * started again, and undrained once ready (and back in HAProxy's rotation before the next). Counted: requests
     * that failed, and tasks that did not succeed (or started more than once). The time is set beside three node starts.
     */
    private void rollingRestart(double startSeconds) throws Exception {
        if (!Haproxy.installed()) {
            String line = "10 rolling restart skipped: `haproxy` is not installed (apt-get install haproxy)";
            System.out.println("bench: " + line);
            results.note(line);
            return;
        }
        String database = postgres.freshDatabase("rolling");
        Path cluster = root.resolve("rolling");
        List<NodeProcess> nodes = new ArrayList<>();
        List<Haproxy.Backend> backends = new ArrayList<>();
        for (String name : List.of("r1", "r2", "r3")) {
            int port = Ports.free();
            nodes.add(startRolling(name, port, database, cluster));
            backends.add(new Haproxy.Backend(name, port));
        }
        int port = Ports.free();
        try (Haproxy haproxy = Haproxy.start(cluster.resolve("haproxy"), port, Ports.free(), backends)) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> haproxy.serverStates().values().stream().filter("UP"::equals).count() == 3);
            Api front = new Api("http://127.0.0.1:" + port, TestCluster.ADMIN_KEY);
            TaskStream stream = new TaskStream(front, ROLLING_RATE);
            Thread sender = Thread.ofPlatform().name("rolling-stream").start(stream);
            long began = System.nanoTime();
            Thread.sleep(1000);
            for (int i = 0; i < settings.restartedNodes(); i++) {
                NodeProcess node = nodes.get(i);
                Api control = api(nodes.get((i + 1) % nodes.size()));
                control.put(NODES + node.nodeId(), "{\"IsInMaintenanceMode\":true}");
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                        .until(() -> "Drained".equals(status(control, node)) && haproxy.serverStates().get(node.name()).startsWith("DOWN"));
                node.terminate();
                if (node.waitForExit(Duration.ofSeconds(60)) != 0) throw new IllegalStateException(node.name() + " did not exit cleanly:\n" + node.logTail());
                NodeProcess again = startRolling(node.name(), node.port(), database, cluster);
                nodes.set(i, again);
                control.put(NODES + again.nodeId(), "{\"IsInMaintenanceMode\":false}");
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                        .until(() -> "UP".equals(haproxy.serverStates().get(again.name())));
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            Thread.sleep(1000);
            stream.stop();
            sender.join();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                    .until(() -> queryLong(database, "SELECT count(*) FROM server_task WHERE name = 'Delay' AND state IN ('Queued', 'Executing', 'Cancelling')") == 0);
            long created = stream.created.get();
            long succeededOnce = queryLong(database, "SELECT count(*) FROM server_task WHERE name = 'Delay' AND state = 'Success' AND start_count = 1");
            long rows = queryLong(database, "SELECT count(*) FROM server_task WHERE name = 'Delay'");
            if (rows != created) throw new IllegalStateException("rolling restart: " + created + " tasks created (201) but " + rows + " in the table");
            int restarted = settings.restartedNodes();
            String what = String.format("%d of 3 nodes, one at a time: drain, idle, SIGTERM, start, ready, undrain, back in HAProxy; "
                    + "%.0f task creations/s through HAProxy", restarted, ROLLING_RATE);
            results.add(new Results.Row("10 rolling restart", what + ": total time", seconds, "s", restarted * startSeconds,
                    restarted + " × a node's start to ping 200 (scenario 8)", LOWER, null, null));
            results.add(new Results.Row("10 rolling restart", "failed requests, of those sent through HAProxy", stream.failed.get(), "requests",
                    stream.sent.get(), "requests sent", LOWER, null, 0.0));
            results.add(new Results.Row("10 rolling restart", "tasks not succeeded (or started twice), of those created", created - succeededOnce, "tasks",
                    created, "tasks created", LOWER, null, 0.0));
            if (stream.failed.get() > 0) System.out.println("bench: rolling restart, first failed request: " + stream.firstFailure);
        } finally {
            for (NodeProcess node : nodes) node.close();
        }
    }

    private NodeProcess startRolling(String name, int port, String database, Path cluster) {
        Map<String, String> env = nodeEnvironment(database, cluster.resolve(name), cluster.resolve("shared"), 5);
        env.put("OCTOPUS_SHUTDOWN_GRACE", "PT60S");
        NodeProcess node = NodeProcess.start(name, port, env, root.resolve("logs").resolve(name + ".log"), JVM_OPTIONS, List.of(), NODE_CLASS_PATH);
        started.add(node::kill);
        return node.awaitReady(Duration.ofSeconds(90));
    }

    private long queryLong(String database, String sql) throws java.sql.SQLException {
        try (java.sql.Connection c = postgres.connect(database); java.sql.Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Creates Delay 100 ms tasks at a steady rate, one request at a time, counting what was sent, created and failed. */
    private static final class TaskStream implements Runnable {
        private final Api api;
        private final double rate;
        private volatile boolean running = true;
        final AtomicLong sent = new AtomicLong();
        final AtomicLong created = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        volatile String firstFailure;

        TaskStream(Api api, double rate) {
            this.api = api;
            this.rate = rate;
        }

        void stop() {
            running = false;
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            // Bounded: at most ten minutes of requests, whatever happens to the restart.
            for (long i = 0; running && i < rate * 600; i++) {
                long wait = start + (long) (i * 1e9 / rate) - System.nanoTime();
                if (wait > 0) {
                    try {
                        Thread.sleep(Duration.ofNanos(wait));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                sent.incrementAndGet();
                try {
                    Api.Response r = api.post("/api/tasks", "{\"Name\":\"Delay\",\"Arguments\":{\"Milliseconds\":100}}");
                    if (r.status() == 201) {
                        created.incrementAndGet();
                        continue;
                    }
                    fail(r.status() + " " + r.body());
                } catch (RuntimeException e) {
                    fail(e.toString());
                }
            }
        }

        private void fail(String what) {
            if (failed.incrementAndGet() == 1) firstFailure = what;
        }
    }

    private static boolean allTasks(Api api, String query, String state, String nodeName) {
        JsonNode items = api.get(query).json().get("Items");
        if (items.size() != 10) return false;
        for (JsonNode task : items) {
            if (!task.get("State").asText().equals(state) || !nodeName.equals(task.get("ServerNode").asText())) return false;
        }
        return true;
    }

    private static boolean offline(Api api, NodeProcess node) {
        for (JsonNode n : api.get(NODES + "summary").json().get("Nodes")) {
            if (n.get("Id").asText().equals(node.nodeId())) return n.get("Status").asText().equals("Offline");
        }
        return false;
    }

    private Map<String, String> nodeEnvironment(String database, Path data, Path shared, int cap) {
        Map<String, String> env = new HashMap<>();
        env.put("OCTOPUS_DB_URL", database);
        env.put("OCTOPUS_DB_USER", postgres.user());
        env.put("OCTOPUS_DATA_DIR", data.toString());
        env.put("OCTOPUS_SHARED_DIR", shared.toString());
        env.put("OCTOPUS_TASK_CAP", Integer.toString(cap));
        env.put("OCTOPUS_HEARTBEAT_INTERVAL", settings.offlineAfter().dividedBy(5).toString());
        env.put("OCTOPUS_OFFLINE_AFTER", settings.offlineAfter().toString());
        env.put("OCTOPUS_SHUTDOWN_GRACE", "PT5S");
        env.put("OCTOPUS_ADMIN_API_KEY", TestCluster.ADMIN_KEY);
        return env;
    }

    private NodeProcess startNode(String name, int cap) {
        Map<String, String> env = nodeEnvironment(url, root.resolve(name), root.resolve("shared"), cap);
        NodeProcess node = NodeProcess.start(name, Ports.free(), env, root.resolve("logs").resolve(name + ".log"), JVM_OPTIONS, List.of(), NODE_CLASS_PATH);
        started.add(node::kill);
        return node.awaitReady(Duration.ofSeconds(90));
    }

    private static Api api(NodeProcess node) {
        return new Api(node.baseUrl(), TestCluster.ADMIN_KEY);
    }

    private static List<String> bareCommand(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of("-cp", BARE_CLASS_PATH, BarePingServer.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** {@code first}, then the node's runtime dependencies. */
    private static String shippedClassPath(String first) {
        return first + ":" + RuntimeClassPath.jars().stream().map(Path::toString).collect(Collectors.joining(":"));
    }
}
