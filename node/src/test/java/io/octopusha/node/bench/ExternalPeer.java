package io.octopusha.node.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.octopusha.node.local.Programs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A queue from outside the JVM as a baseline: River (Go) or Graphile Worker (Node.js), each run through a small
 * driver program of ours kept in {@code src/bench/river} and {@code src/bench/graphile} (see their heads for the
 * commands). The driver is built (River: {@code go build} with its own go.mod and go.sum) or installed (Graphile
 * Worker: {@code npm ci} from its package-lock.json) into {@code target/bench-peers/}, outside the Maven build, and
 * only again when its sources change. Its workers run as separate processes on a database of their own; between its
 * turns they are stopped with SIGSTOP, so that they cost the machine nothing while another system is measured, and
 * keep what their runtime compiled (V8's JIT, like the JVM's for ours and db-scheduler).
 */
final class ExternalPeer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    enum Kind {
        RIVER("River", "riverqueue/river 0.51.2 (Go, riverpgxv5), FetchCooldown 2 ms, FetchPollInterval 20 ms as in River's own benchmark",
                "SELECT (EXISTS (SELECT 1 FROM river_job WHERE state = 'available') OR EXISTS (SELECT 1 FROM river_job WHERE state = 'running'))::int"),
        GRAPHILE("Graphile Worker", "graphile-worker 0.17.3 (Node.js), local queue 500, completion batching 0, pool concurrency + 1, as its Performance page",
                "SELECT EXISTS (SELECT 1 FROM graphile_worker._private_jobs)::int");

        final String title;
        final String description;
        /**
         * Whether any job is unfinished (1) or not (0), read through an index where there is one: a count of River's
         * unfinished rows read its whole table, 17 ms every 100 ms while River was measured.
         */
        final String unfinished;

        Kind(String title, String description, String unfinished) {
            this.title = title;
            this.description = description;
            this.unfinished = unfinished;
        }
    }

    /** A prepared driver: how to run it. */
    record Driver(Kind kind, List<String> command, Path workingDirectory) {
        List<String> with(String... args) {
            List<String> c = new ArrayList<>(command);
            c.addAll(List.of(args));
            return c;
        }
    }

    /** Per-process figures as the driver reports them (wall clock, microseconds). */
    record Stats(long started, long completed, long firstStartMicros, long lastCompletionMicros, List<Double> latenciesMillis) {
    }

    private final Driver driver;
    private final BenchPostgres postgres;
    private final String jdbcUrl;
    private final String url;
    private final Path logs;
    private final List<Worker> workers = new ArrayList<>();
    private Connection probe;

    /**
     * Builds or installs the driver under {@code cache}; returns null and adds one line to {@code skipped} naming
     * what is missing when the toolchain is not there.
     */
    static Driver prepare(Kind kind, Path sources, Path cache, List<String> skipped) {
        try {
            return switch (kind) {
                case RIVER -> {
                    if (!Programs.find("go").isPresent()) {
                        skipped.add("River skipped: `go` is not on PATH (Go 1.26 builds src/bench/river)");
                        yield null;
                    }
                    Path source = sources.resolve("river");
                    Path dir = Files.createDirectories(cache.resolve("river"));
                    Path binary = dir.resolve("river-bench");
                    String stamp = stamp(source, "go.mod", "go.sum", "main.go");
                    if (!Files.isExecutable(binary) || !stamp.equals(readStamp(dir))) {
                        ProcessBenchmarks.command(source, List.of("go", "build", "-mod=readonly", "-buildvcs=false", "-o", binary.toAbsolutePath().toString(), "."));
                        Files.writeString(dir.resolve("stamp"), stamp);
                    }
                    yield new Driver(kind, List.of(binary.toAbsolutePath().toString()), dir);
                }
                case GRAPHILE -> {
                    if (!Programs.find("node").isPresent() || !Programs.find("npm").isPresent()) {
                        skipped.add("Graphile Worker skipped: `" + (Programs.find("node").isPresent() ? "npm" : "node") + "` is not on PATH (Node.js 20 runs src/bench/graphile)");
                        yield null;
                    }
                    Path source = sources.resolve("graphile");
                    Path dir = Files.createDirectories(cache.resolve("graphile"));
                    String stamp = stamp(source, "package.json", "package-lock.json");
                    for (String file : List.of("package.json", "package-lock.json", "bench.js")) {
                        Files.copy(source.resolve(file), dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                    }
                    if (!Files.isDirectory(dir.resolve("node_modules")) || !stamp.equals(readStamp(dir))) {
                        ProcessBenchmarks.command(dir, List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"));
                        Files.writeString(dir.resolve("stamp"), stamp);
                    }
                    yield new Driver(kind, List.of("node", dir.resolve("bench.js").toAbsolutePath().toString()), dir);
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ExternalPeer(Driver driver, BenchPostgres postgres, Path logs) {
        this.driver = driver;
        this.postgres = postgres;
        this.logs = logs;
        this.jdbcUrl = postgres.freshDatabase(driver.kind() == Kind.RIVER ? "river" : "graphile");
        this.url = postgres.libpqUrl(jdbcUrl);
        ProcessBenchmarks.command(driver.workingDirectory(), driver.with("migrate", url));
    }

    Kind kind() {
        return driver.kind();
    }

    /** Starts {@code processes} worker processes of {@code concurrency} each, waits until each is ready, and pauses them. */
    ExternalPeer start(int processes, int concurrency) {
        // A stopped process outlives a harness that dies: kill the workers then, whatever state they are in.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> workers.forEach(w -> w.process.destroyForcibly())));
        for (int i = 1; i <= processes; i++) workers.add(new Worker(i, concurrency));
        for (Worker w : workers) w.awaitReady();
        pause();
        return this;
    }

    void pause() {
        signal("STOP");
    }

    void resume() {
        signal("CONT");
    }

    /**
     * One burn-down on a clean table: {@code tasks} jobs inserted in one transaction (analyzed in it), timed from the
     * first start to the last completion the workers saw. The workers run only for this.
     */
    double burnDown(int tasks, Duration timeout) {
        return burnDown(tasks, timeout, null);
    }

    /** As {@link #burnDown(int, Duration)}, profiled when {@code profile} is not null. */
    double burnDown(int tasks, Duration timeout, Profile profile) {
        postgres.execute(jdbcUrl, driver.kind() == Kind.RIVER ? "DELETE FROM river_job" : "DELETE FROM graphile_worker._private_jobs");
        postgres.execute(jdbcUrl, driver.kind() == Kind.RIVER ? "VACUUM ANALYZE river_job" : "VACUUM ANALYZE graphile_worker._private_jobs");
        postgres.quiesce();
        resume();
        try {
            workers.forEach(w -> w.command("reset"));
            if (profile != null) profile.begin(jdbcUrl, tasks, workers.stream().map(w -> w.process.pid()).toList());
            ProcessBenchmarks.command(driver.workingDirectory(), driver.with("bulk", url, Integer.toString(tasks)));
            List<Stats> stats = awaitCompleted(tasks, timeout);
            long first = stats.stream().filter(s -> s.started() > 0).mapToLong(Stats::firstStartMicros).min().orElseThrow();
            long last = stats.stream().mapToLong(Stats::lastCompletionMicros).max().orElseThrow();
            double rate = tasks / ((last - first) / 1e6);
            if (profile != null) profile.end(driver.kind().title, rate);
            return rate;
        } finally {
            pause();
        }
    }

    /**
     * A steady stream at {@code rate} from the driver's own enqueueing client (up to {@code clients} calls at once),
     * first for a fifth of {@code period} unmeasured, then for {@code period} measured; returns the rate sent and the
     * start latencies of the measured jobs (from the enqueueing call to the worker's start), in milliseconds. A client
     * that cannot send at the rate stops at 1.1 × its period, so a slow enqueue bounds the run, not the job count.
     */
    Stream stream(double rate, Duration period, int clients, Duration timeout) {
        resume();
        try {
            workers.forEach(w -> w.command("reset"));
            Sent warm = streamOnce(rate, period.dividedBy(5), clients, false);
            awaitCompleted(warm.count(), timeout);
            workers.forEach(w -> w.command("reset"));
            postgres.quiesce();
            Sent measured = streamOnce(rate, period, clients, true);
            List<Double> latencies = new ArrayList<>();
            awaitCompleted(measured.count(), timeout).forEach(s -> latencies.addAll(s.latenciesMillis()));
            if (latencies.size() != measured.count()) {
                throw new IllegalStateException(driver.kind().title + ": " + latencies.size() + " latencies for " + measured.count() + " jobs");
            }
            return new Stream(measured.rate(), measured.count(), latencies);
        } finally {
            pause();
        }
    }

    record Stream(double sent, long count, List<Double> latenciesMillis) {
    }

    private record Sent(double rate, int count) {
    }

    private Sent streamOnce(double rate, Duration period, int clients, boolean measured) {
        int count = (int) Math.round(rate * period.toMillis() / 1000.0);
        String out = ProcessBenchmarks.command(driver.workingDirectory(), driver.with("stream", url, Double.toString(rate), Integer.toString(count),
                Integer.toString(clients), Boolean.toString(measured), Double.toString(period.toMillis() * 1.1 / 1000.0)));
        for (String line : out.lines().toList()) {
            if (line.startsWith("sent ")) {
                String[] f = line.split(" ");
                return new Sent(Double.parseDouble(f[1]), Integer.parseInt(f[2]));
            }
        }
        throw new IllegalStateException(driver.kind().title + " stream printed no rate:\n" + out);
    }

    /** Waits until the table has nothing unfinished and the workers have seen {@code count} completions in all. */
    private List<Stats> awaitCompleted(int count, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> unfinished() == 0);
        List<List<Stats>> last = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            List<Stats> stats = workers.stream().map(Worker::report).toList();
            last.clear();
            last.add(stats);
            return stats.stream().mapToLong(Stats::completed).sum() >= count;
        });
        List<Stats> stats = last.getFirst();
        long completed = stats.stream().mapToLong(Stats::completed).sum();
        long started = stats.stream().mapToLong(Stats::started).sum();
        if (completed != count || started != count) {
            throw new IllegalStateException(driver.kind().title + ": " + started + " starts and " + completed + " completions for " + count + " jobs");
        }
        return stats;
    }

    /** Read on one open connection: a connection per poll would start a server process each time. */
    private long unfinished() throws SQLException {
        if (probe == null) probe = postgres.connect(jdbcUrl);
        try (Statement st = probe.createStatement(); ResultSet rs = st.executeQuery(driver.kind().unfinished)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void signal(String signal) {
        for (Worker w : workers) ProcessBenchmarks.command("kill", "-" + signal, Long.toString(w.process.pid()));
    }

    @Override
    public void close() {
        if (probe != null) {
            try {
                probe.close();
            } catch (SQLException e) {
                // the server is stopped next anyway
            }
        }
        if (workers.isEmpty()) return;
        resume();
        for (Worker w : workers) w.close();
    }

    /** One worker process: commands on its stdin, "stats" lines read from its stdout, the rest to a log file. */
    private final class Worker implements AutoCloseable {
        private final Process process;
        private final Writer commands;
        private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();

        Worker(int number, int concurrency) {
            try {
                Files.createDirectories(logs);
                Path log = logs.resolve(driver.kind().name().toLowerCase() + "-" + number + ".log");
                process = new ProcessBuilder(driver.with("work", url, Integer.toString(concurrency)))
                        .directory(driver.workingDirectory().toFile())
                        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
                commands = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
                Thread.ofPlatform().daemon().name("peer-" + number).start(() -> {
                    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = out.readLine()) != null; ) {
                            if (line.equals("ready") || line.startsWith("stats ")) {
                                replies.add(line);
                            } else {
                                Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                            }
                        }
                    } catch (IOException e) {
                        // the process ended
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void awaitReady() {
            String line = next(Duration.ofSeconds(60));
            if (!"ready".equals(line)) throw new IllegalStateException(driver.kind().title + " worker did not start: " + line);
        }

        void command(String command) {
            try {
                commands.write(command + "\n");
                commands.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Stats report() {
            command("report");
            String line = next(Duration.ofSeconds(30));
            if (line == null || !line.startsWith("stats ")) throw new IllegalStateException(driver.kind().title + " worker answered: " + line);
            try {
                JsonNode s = JSON.readTree(line.substring(6));
                List<Double> latencies = new ArrayList<>();
                s.get("latenciesMicros").forEach(v -> latencies.add(v.asLong() / 1000.0));
                return new Stats(s.get("started").asLong(), s.get("completed").asLong(), s.get("firstStartMicros").asLong(),
                        s.get("lastCompletionMicros").asLong(), latencies);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private String next(Duration timeout) {
            try {
                String line = replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (line == null && !process.isAlive()) throw new IllegalStateException(driver.kind().title + " worker exited with " + process.exitValue());
                return line;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            try {
                commands.close();
                if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
            } catch (IOException e) {
                process.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String stamp(Path dir, String... files) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String f : files) digest.update(Files.readAllBytes(dir.resolve(f)));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String readStamp(Path dir) throws IOException {
        Path stamp = dir.resolve("stamp");
        return Files.exists(stamp) ? Files.readString(stamp) : "";
    }
}
