package io.octopusha.node.bench;

import io.octopusha.node.OctopusNode;
import io.octopusha.node.config.ConfigLoader;
import io.octopusha.node.db.Database;
import io.octopusha.node.queue.Enqueuer;
import io.octopusha.node.queue.QueueSignal;
import io.octopusha.node.queue.TaskQueue;
import io.octopusha.node.testing.Tasks;
import io.octopusha.node.testing.TestCluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.stream.Stream;

import static io.octopusha.node.bench.Results.Better.HIGHER;
import static io.octopusha.node.bench.Results.Better.LOWER;
import static org.awaitility.Awaitility.await;

/**
 * Scenarios 1-3: the queue. Nodes run in this JVM (as db-scheduler's schedulers do), each with its own pool,
 * task processor and HTTP server, on one PostgreSQL; every figure is taken from database times.
 */
final class QueueBenchmarks {
    private static final int CAP = 32;
    /**
     * Concurrent enqueueing clients for the steady streams, the same for both systems. Each waits for its commit, so
     * too few cap the rate sent: 32 sent only 5,419 of 5,813 tasks/s once a write could wait for the next shared one.
     */
    private static final int CLIENTS = 64;
    private static final Duration PACING_TICK = Duration.ofMillis(1);
    private static final String DELAY_0 = "{\"Milliseconds\":0}";
    private static final Duration BURN_DOWN_TIMEOUT = Duration.ofMinutes(5);
    /** The peers' driver programs (relative to node/, where make bench and the tests run), and where they are built. */
    private static final Path PEER_SOURCES = Path.of("src", "bench");
    private static final Path PEER_CACHE = Path.of("target", "bench-peers");
    /** Whether any Delay task is unfinished, read through the queued and running partial indexes, so polling costs little. */
    private static final String UNFINISHED_DELAYS = "SELECT (EXISTS (SELECT 1 FROM server_task WHERE state = 'Queued' AND name = 'Delay')"
            + " OR EXISTS (SELECT 1 FROM server_task WHERE state IN ('Executing', 'Cancelling') AND name = 'Delay'))::int";

    private final Benchmarks.Settings settings;
    private final BenchPostgres postgres;
    private final Path root;
    private final Results results;
    /** One open connection per database for the harness's own reads: a new connection per poll would load the machine being measured. */
    private final Map<String, Connection> probes = new HashMap<>();
    private final AtomicInteger directories = new AtomicInteger();

    QueueBenchmarks(Benchmarks.Settings settings, BenchPostgres postgres, Path root, Results results) {
        this.settings = settings;
        this.postgres = postgres;
        this.root = root;
        this.results = results;
    }

    /** Scenarios 1 and 2, and with {@code withScaling} scenario 3. */
    void run(boolean withScaling) {
        try {
            runScenarios(withScaling);
        } finally {
            for (Connection c : probes.values()) {
                try {
                    c.close();
                } catch (SQLException e) {
                    // the server is stopped next anyway
                }
            }
        }
    }

    private void runScenarios(boolean withScaling) {
        int tasks = settings.burnDownTasks();
        double filesBefore = fileCreationRate(tasks / 4);
        List<ExternalPeer> peers = startPeers();
        try {
            queueScenarios(tasks, filesBefore, peers, withScaling);
        } finally {
            peers.forEach(ExternalPeer::close);
        }
    }

    /**
     * River and Graphile Worker, each with 3 worker processes of 32 (paused until their turns), or one line each in the
     * notes saying which toolchain is missing.
     */
    private List<ExternalPeer> startPeers() {
        List<String> skipped = new ArrayList<>();
        List<ExternalPeer> peers = new ArrayList<>();
        // BENCH_PEERS=none leaves River and Graphile Worker out, for work on the queue itself.
        if ("none".equals(System.getenv("BENCH_PEERS"))) skipped.add("River and Graphile Worker skipped: BENCH_PEERS=none");
        else for (ExternalPeer.Kind kind : ExternalPeer.Kind.values()) {
            ExternalPeer.Driver driver = ExternalPeer.prepare(kind, PEER_SOURCES, PEER_CACHE, skipped);
            if (driver == null) continue;
            ExternalPeer peer = new ExternalPeer(driver, postgres, root.resolve("peer-logs"));
            peers.add(peer);
            peer.start(3, CAP);
        }
        for (String line : skipped) {
            System.out.println("bench: " + line);
            results.note(line);
        }
        return peers;
    }

    private void queueScenarios(int tasks, double filesBefore, List<ExternalPeer> peers, boolean withScaling) {
        // Every queue first runs unmeasured, so that none is timed while the JIT is still compiling it: after one short
        // pass each, ours and db-scheduler still ran 30 to 50% below the rates they reached a few burn-downs later, and
        // with each task creating its log file ours went from 8,500 to 9,300, 11,000 and 12,000 tasks/s over its second
        // to fifth burn-down while C2 compiled for 2.8, 1.7, 0.6 and 0.6 s of each. (Graphile Worker's V8 compiles too.)
        for (int i = 0; i < settings.warmUpRounds(); i++) {
            burnDown(3, tasks);
            peerBurnDown(tasks);
            for (ExternalPeer peer : peers) peer.burnDown(tasks, BURN_DOWN_TIMEOUT);
        }
        // Taken in turns, so that drift on the shared machine reaches all alike; each figure is the median.
        List<Double> ours = new ArrayList<>();
        List<Double> theirs = new ArrayList<>();
        Map<ExternalPeer, List<Double>> external = new HashMap<>();
        for (int i = 0; i < settings.burnDownRounds(); i++) {
            ours.add(burnDown(3, tasks));
            theirs.add(peerBurnDown(tasks));
            for (ExternalPeer peer : peers) external.computeIfAbsent(peer, p -> new ArrayList<>()).add(peer.burnDown(tasks, BURN_DOWN_TIMEOUT));
        }
        double three = ProcessBenchmarks.median(ours);
        double dbScheduler = ProcessBenchmarks.median(theirs);
        String rounds = settings.burnDownRounds() == 1 ? "" : ", median of " + settings.burnDownRounds();
        String measure = tasks + " Delay 0 ms tasks, 3 nodes × cap 32" + rounds;
        results.add(new Results.Row("1 queue burn-down", measure, three, "tasks/s",
                dbScheduler, "db-scheduler, 3 × 32 threads, " + DbSchedulerPeer.Polling.LOCK_AND_FETCH.description + "; no-op task", HIGHER, 1.0, null));
        Map<ExternalPeer, Double> peerRates = new HashMap<>();
        for (ExternalPeer peer : peers) {
            double rate = ProcessBenchmarks.median(external.get(peer));
            peerRates.put(peer, rate);
            results.add(new Results.Row("1 queue burn-down", measure, three, "tasks/s", rate,
                    peer.kind().title + ", 3 processes × 32 workers, " + peer.kind().description + "; no-op job", HIGHER, 1.0, null));
        }

        double filesThen = fileCreationRate(tasks / 4);
        results.note(String.format("Every queue measurement has a new shared directory, so each of its tasks creates its log file. "
                + "Creating files there (one thread, %,d files of one line): %,.0f/s before the burn-downs, %,.0f/s before the "
                + "start-latency streams; see Troubleshooting in the README if it is far below 10,000/s.", tasks / 4, filesBefore, filesThen));
        double[] oursAtHalf = startLatency(three * 0.5, dbScheduler * 0.5, "50%", true);
        for (ExternalPeer peer : peers) externalStartLatency(peer, three * 0.5, peerRates.get(peer) * 0.5, oursAtHalf);
        startLatency(three * 0.25, dbScheduler * 0.25, "25%", false);
        if (!withScaling) return;

        List<Double> ones = new ArrayList<>();
        List<Double> twos = new ArrayList<>();
        for (int i = 0; i < settings.burnDownRounds(); i++) {
            ones.add(burnDown(1, tasks));
            twos.add(burnDown(2, tasks));
        }
        double one = ProcessBenchmarks.median(ones);
        results.add(new Results.Row("3 scaling", "burn-down, 2 nodes × cap 32" + rounds, ProcessBenchmarks.median(twos), "tasks/s", one, "1 node × cap 32", HIGHER, null, null));
        results.add(new Results.Row("3 scaling", "burn-down, 3 nodes × cap 32" + rounds, three, "tasks/s", one, "1 node × cap 32", HIGHER, null, null));
        claimLatencyWithHistory();
    }

    /**
     * Starts {@code nodes} idle nodes, fills the queue in one INSERT (whose transaction's NOTIFY wakes them all at once), and
     * times the burn-down. The table is analyzed in the same transaction, as autovacuum keeps it in a running
     * installation (the peer's table too).
     */
    private double burnDown(int nodes, int tasks) {
        return burnDown(nodes, tasks, null);
    }

    private double burnDown(int nodes, int tasks, Profile profile) {
        String url = postgres.freshDatabase("burn" + nodes);
        Path cluster = freshDirectory("burn-down-" + nodes + "-nodes");
        List<OctopusNode> started = startNodes(url, cluster, nodes);
        try {
            postgres.quiesce();
            if (profile != null) profile.begin(url, tasks, List.of());
            postgres.executeTogether(url, "INSERT INTO server_task (space_id, name, arguments, state, queue_time_expiry) "
                    + "SELECT 'Spaces-1', 'Delay', '" + DELAY_0 + "', 'Queued', now() + interval '1 day' FROM generate_series(1, " + tasks + ")",
                    "ANALYZE server_task", "NOTIFY " + QueueSignal.CHANNEL);
            await().atMost(BURN_DOWN_TIMEOUT).pollInterval(Duration.ofMillis(100))
                    .until(() -> single(url, UNFINISHED_DELAYS) == 0);
            long succeeded = (long) single(url, "SELECT count(*) FROM server_task WHERE name = 'Delay' AND state = 'Success'");
            long logs = countFiles(cluster.resolve("shared").resolve("tasklogs"));
            if (succeeded != tasks || logs != tasks) {
                throw new IllegalStateException("burn-down on " + nodes + " node(s): " + succeeded + " of " + tasks
                        + " succeeded, " + logs + " task logs written");
            }
            double seconds = single(url, "SELECT extract(epoch FROM max(completed_time) - min(start_time)) FROM server_task WHERE name = 'Delay'");
            if (profile != null) profile.end("Octopus HA, " + nodes + " nodes", tasks / seconds);
            return tasks / seconds;
        } finally {
            started.forEach(OctopusNode::close);
        }
    }

    private double peerBurnDown(int tasks) {
        return peerBurnDown(tasks, null);
    }

    /** Profiled, the insert follows the quiet moment, so that it is counted as it is for the others. */
    private double peerBurnDown(int tasks, Profile profile) {
        try (DbSchedulerPeer peer = new DbSchedulerPeer(postgres).build(3, CAP, DbSchedulerPeer.Polling.LOCK_AND_FETCH)) {
            if (profile == null) {
                peer.enqueueAll(tasks);
                postgres.quiesce();
            } else {
                postgres.quiesce();
                profile.begin(peer.url(), tasks, List.of());
                peer.enqueueAll(tasks);
            }
            peer.start();
            double rate = peer.awaitBurnDown(tasks, BURN_DOWN_TIMEOUT);
            if (profile != null) profile.end("db-scheduler", rate);
            return rate;
        }
    }

    /**
     * {@code BENCH_PROFILE=1}: the warm-ups, then the measured burn-downs of the 3-node queue and of each peer, each
     * profiled ({@link Profile}); no other scenario.
     */
    void profile(Profile profile) {
        int tasks = settings.burnDownTasks();
        List<ExternalPeer> peers = startPeers();
        try {
            for (int i = 0; i < settings.warmUpRounds(); i++) {
                burnDown(3, tasks);
                peerBurnDown(tasks);
                for (ExternalPeer peer : peers) peer.burnDown(tasks, BURN_DOWN_TIMEOUT);
            }
            for (int i = 0; i < settings.burnDownRounds(); i++) {
                burnDown(3, tasks, profile);
                peerBurnDown(tasks, profile);
                for (ExternalPeer peer : peers) peer.burnDown(tasks, BURN_DOWN_TIMEOUT, profile);
            }
        } finally {
            peers.forEach(ExternalPeer::close);
            for (Connection c : probes.values()) {
                try {
                    c.close();
                } catch (SQLException e) {
                    // the server is stopped next anyway
                }
            }
        }
    }

    /**
     * Scenario 2: a steady stream at a share of each system's own burn-down rate (the target is for half of
     * it; a quarter shows where the knee is); enqueue to start, from database times. Each system first takes the same
     * stream for a shorter, unmeasured period, so that the enqueueing code is compiled. Returns ours: p50, p99, max,
     * the rate sent, and the rate asked.
     */
    private double[] startLatency(double rate, double dbSchedulerRate, String shareOfCapacity, boolean withTarget) {
        Duration period = settings.latencyPeriod();
        int count = (int) (rate * period.toSeconds());
        int warmUp = (int) (rate * period.dividedBy(5).toSeconds());
        String url = postgres.freshDatabase("latency");
        List<OctopusNode> started = startNodes(url, freshDirectory("start-latency"), 3);
        double[] ours;
        double oursSent;
        try (Database db = new Database(url, postgres.user(), null, "bench-enqueue");
             Enqueuer enqueuer = new Enqueuer(new TaskQueue(db.dsl()), new QueueSignal(db.dsl())::tasksQueued)) {
            IntConsumer enqueue = i -> enqueuer.enqueue(Tasks.zeroDelay("Spaces-1", ""));
            steadily(rate, warmUp, enqueue);
            await().atMost(BURN_DOWN_TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> single(url, UNFINISHED_DELAYS) == 0);
            long measuredAfter = (long) single(url, "SELECT max(number) FROM server_task");
            postgres.quiesce();
            oursSent = steadily(rate, count, enqueue);
            await().atMost(BURN_DOWN_TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> single(url, UNFINISHED_DELAYS) == 0);
            ours = percentiles(url, "SELECT extract(epoch FROM start_time - queue_time) * 1000 FROM server_task WHERE name = 'Delay' AND number > " + measuredAfter);
        } finally {
            started.forEach(OctopusNode::close);
        }
        String load = Math.round(rate) + " tasks/s (" + shareOfCapacity + " of our burn-down) for " + period.toSeconds() + " s"
                + String.format(", sent at %,.0f/s", oursSent);
        int peerCount = (int) (dbSchedulerRate * period.toSeconds());
        int peerWarmUp = (int) (dbSchedulerRate * period.dividedBy(5).toSeconds());
        for (DbSchedulerPeer.Polling polling : List.of(DbSchedulerPeer.Polling.DEFAULT, DbSchedulerPeer.Polling.FASTEST)) {
            double[] peer;
            double peerSent;
            try (DbSchedulerPeer scheduler = new DbSchedulerPeer(postgres).build(3, CAP, polling)) {
                scheduler.start();
                steadily(dbSchedulerRate, peerWarmUp, scheduler::enqueueOne);
                scheduler.awaitStartLatencies(peerWarmUp, BURN_DOWN_TIMEOUT);
                scheduler.forgetExecutions();
                postgres.quiesce();
                peerSent = steadily(dbSchedulerRate, peerCount, i -> scheduler.enqueueOne(peerWarmUp + i));
                peer = percentiles(scheduler.awaitStartLatencies(peerCount, BURN_DOWN_TIMEOUT));
            }
            String baseline = "db-scheduler " + polling.description + String.format(", asked %,.0f/s (%s of its burn-down), sent at %,.0f/s",
                    dbSchedulerRate, shareOfCapacity, peerSent);
            boolean headline = withTarget && polling == DbSchedulerPeer.Polling.FASTEST;
            results.add(new Results.Row("2 start latency", "p50, " + load, ours[0], "ms", peer[0], baseline, LOWER, null, null));
            results.add(new Results.Row("2 start latency", "p99, " + load, ours[1], "ms", peer[1], baseline, LOWER, headline ? 1.0 : null, headline ? 10.0 : null));
            results.add(new Results.Row("2 start latency", "max, " + load, ours[2], "ms", peer[2], baseline, LOWER, null, null));
        }
        return new double[]{ours[0], ours[1], ours[2], oursSent, rate};
    }

    /** Scenario 2 against River or Graphile Worker: its own stream at half its own burn-down rate, beside ours at half of ours. */
    private void externalStartLatency(ExternalPeer peer, double ourRate, double peerRate, double[] ours) {
        Duration period = settings.latencyPeriod();
        ExternalPeer.Stream stream = peer.stream(peerRate, period, CLIENTS, BURN_DOWN_TIMEOUT);
        double[] theirs = percentiles(stream.latenciesMillis());
        String load = Math.round(ourRate) + " tasks/s (50% of our burn-down) for " + period.toSeconds() + " s"
                + String.format(", sent at %,.0f/s", ours[3]);
        String baseline = peer.kind().title + String.format(", asked %,.0f/s (50%% of its burn-down), sent at %,.0f/s by its own client (%,d jobs)",
                peerRate, stream.sent(), stream.count());
        results.add(new Results.Row("2 start latency", "p50, " + load, ours[0], "ms", theirs[0], baseline, LOWER, null, null));
        results.add(new Results.Row("2 start latency", "p99, " + load, ours[1], "ms", theirs[1], baseline, LOWER, 1.0, 10.0));
        results.add(new Results.Row("2 start latency", "max, " + load, ours[2], "ms", theirs[2], baseline, LOWER, null, null));
    }

    /**
     * Scenario 3b: one idle node; tasks enqueued one at a time, each timed from enqueue to start, first on an
     * empty table and then with more and more finished tasks in it (inserted with generate_series).
     */
    private void claimLatencyWithHistory() {
        String url = postgres.freshDatabase("history");
        List<OctopusNode> node = startNodes(url, freshDirectory("claim-latency"), 1);
        try (Database db = new Database(url, postgres.user(), null, "bench-claims");
             Enqueuer enqueuer = new Enqueuer(new TaskQueue(db.dsl()), new QueueSignal(db.dsl())::tasksQueued)) {
            double[] empty = null;
            int finished = 0;
            for (int level : settings.finishedTaskLevels()) {
                insertFinished(url, level - finished);
                finished = level;
                List<Double> latencies = new ArrayList<>();
                for (int i = 0; i < settings.claimSamples(); i++) {
                    long number = enqueuer.enqueue(Tasks.zeroDelay("Spaces-1", "")).number();
                    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(2))
                            .until(() -> single(url, "SELECT count(*) FROM server_task WHERE number = " + number + " AND start_time IS NOT NULL") == 1);
                    latencies.add(single(url, "SELECT extract(epoch FROM start_time - queue_time) * 1000 FROM server_task WHERE number = " + number));
                }
                double[] p = percentiles(latencies);
                if (empty == null) {
                    empty = p;
                    continue;
                }
                String with = String.format("%,d", level) + " finished tasks in the table";
                results.add(new Results.Row("3 scaling", "claim latency p50, " + with, p[0], "ms", empty[0], "empty table", LOWER, 1.5, null));
                results.add(new Results.Row("3 scaling", "claim latency p99, " + with, p[1], "ms", empty[1], "empty table", LOWER, null, null));
            }
        } finally {
            node.forEach(OctopusNode::close);
        }
    }

    private void insertFinished(String url, int count) {
        if (count <= 0) return;
        postgres.execute(url, "INSERT INTO server_task (space_id, name, arguments, state, queue_time, queue_time_expiry, "
                + "start_time, completed_time, last_updated_time, server_node) "
                + "SELECT 'Spaces-1', 'Delay', '" + DELAY_0 + "', 'Success', t, t + interval '1 day', t, t, t, 'OctopusServerNodes-history' "
                + "FROM (SELECT now() - interval '30 days' + g * interval '1 millisecond' AS t FROM generate_series(1, " + count + ") g) s");
        postgres.execute(url, "ANALYZE server_task");
    }

    private List<OctopusNode> startNodes(String url, Path cluster, int count) {
        List<OctopusNode> nodes = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            Map<String, String> env = new HashMap<>();
            env.put("OCTOPUS_NODE_NAME", "bench" + i);
            env.put("OCTOPUS_HTTP_PORT", "0");
            env.put("OCTOPUS_DB_URL", url);
            env.put("OCTOPUS_DB_USER", postgres.user());
            env.put("OCTOPUS_DATA_DIR", cluster.resolve("bench" + i).toString());
            env.put("OCTOPUS_SHARED_DIR", cluster.resolve("shared").toString());
            env.put("OCTOPUS_TASK_CAP", Integer.toString(CAP));
            env.put("OCTOPUS_ADMIN_API_KEY", TestCluster.ADMIN_KEY);
            nodes.add(OctopusNode.start(ConfigLoader.load(env, new String[0])));
        }
        return nodes;
    }

    /**
     * Calls {@code enqueue} {@code count} times at {@code rate} per second, each call on a virtual thread, at most
     * {@link #CLIENTS} at once as that many clients would, and returns the rate it managed: a call waits for its
     * commit, so too few clients would send less than the rate asked for without the latencies showing it. Calls due
     * in the same millisecond go out together. The generator shares the machine with what it measures, so it must
     * cost little: a platform-thread pool and a sleep per call took 108 µs of JVM CPU per task at 5,800 tasks/s, most
     * of it in the kernel switching threads; this takes 52 µs, the enqueueing itself included.
     */
    private static double steadily(double rate, int count, IntConsumer enqueue) {
        Semaphore clients = new Semaphore(CLIENTS);
        long start = System.nanoTime();
        try (ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                long due = start + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(Math.max(wait, PACING_TICK.toNanos()));
                clients.acquire();
                int sequence = i;
                calls.submit(() -> {
                    try {
                        enqueue.accept(sequence);
                    } finally {
                        clients.release();
                    }
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    /** p50, p99 and max of the values a query returns. */
    private double[] percentiles(String url, String query) {
        List<Double> values = new ArrayList<>();
        try (Statement st = probe(url).createStatement(); ResultSet rs = st.executeQuery(query)) {
            while (rs.next()) values.add(rs.getDouble(1));
        } catch (SQLException e) {
            throw new IllegalStateException(query, e);
        }
        return percentiles(values);
    }

    static double[] percentiles(List<Double> values) {
        if (values.isEmpty()) throw new IllegalStateException("no samples");
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new double[]{rank(sorted, 0.50), rank(sorted, 0.99), sorted[sorted.length - 1]};
    }

    private static double rank(double[] sorted, double quantile) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)];
    }

    private double single(String url, String query) {
        try (PreparedStatement st = probe(url).prepareStatement(query); ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getDouble(1);
        } catch (SQLException e) {
            throw new IllegalStateException(query, e);
        }
    }

    private Connection probe(String url) throws SQLException {
        Connection c = probes.get(url);
        if (c == null) {
            c = postgres.connect(url);
            probes.put(url, c);
        }
        return c;
    }

    /**
     * Files are created per measurement, like databases: task numbers restart in every database, and in a directory
     * used before, a task's log file already existed and was only appended to, which made the burn-downs after the
     * first skip the cost of creating 20,000 files.
     */
    private Path freshDirectory(String purpose) {
        try {
            return Files.createDirectories(root.resolve(directories.incrementAndGet() + "-" + purpose));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Files of one line created per second in a new directory beside the measured ones. It is what the file system
     * gives a task log at that moment: on ext4 without a journal, the kernel will not reuse an inode freed in the last
     * minute (six while its inode table block is unwritten) and scans past each one, so right after a run's 300,000
     * files were deleted, creating files fell from about 30,000 to 2,000 per second (and the 50% stream with it).
     */
    private double fileCreationRate(int files) {
        Path dir = freshDirectory("file-creation");
        long start = System.nanoTime();
        for (int i = 0; i < files; i++) {
            try {
                Files.writeString(dir.resolve("f" + i + ".log"), "created\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files / ((System.nanoTime() - start) / 1e9);
    }

    private static long countFiles(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
