package io.octopusha.node.bench;

import io.octopusha.node.storage.FileTrees;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * {@code make bench}: every scenario of issue 8, each beside a baseline measured in the same run on the same
 * machine, printed as one Markdown table and written to {@code target/bench/results.md} and {@code results.csv}.
 * {@code BENCH_QUICK=1} runs one short pass of each scenario.
 */
public final class Benchmarks {
    /** How big each scenario is: the full run, or the quick pass that keeps the harness from rotting. */
    record Settings(String name, int warmUpRounds, int burnDownRounds, int burnDownTasks, Duration latencyPeriod, List<Integer> finishedTaskLevels,
                    int claimSamples, Duration pingWarmup, Duration pingDuration, long uploadBytes, int drainTries, Duration offlineAfter,
                    int startTries, int restartedNodes) {
        static final Settings FULL = new Settings("full", 3, 3, 20_000, Duration.ofSeconds(30), List.of(0, 100_000, 1_000_000), 50,
                Duration.ofSeconds(10), Duration.ofSeconds(15), 1L << 30, 50, Duration.ofSeconds(10), 5, 3);
        // The quick pass restarts one of the three nodes: every step of the rolling restart, a third of its time.
        static final Settings QUICK = new Settings("quick (BENCH_QUICK=1)", 1, 1, 2_000, Duration.ofSeconds(5), List.of(0, 10_000, 100_000), 10,
                Duration.ofSeconds(1), Duration.ofSeconds(3), 64L << 20, 10, Duration.ofSeconds(3), 1, 1);
    }

    private Benchmarks() {
    }

    public static void main(String[] args) {
        Settings settings = "1".equals(System.getenv("BENCH_QUICK")) ? Settings.QUICK : Settings.FULL;
        String only = System.getenv("BENCH_ONLY");
        if (only != null && !List.of("", "queue", "processes", "start").contains(only)) {
            System.err.println("make bench: BENCH_ONLY must be queue, processes or start, not " + only);
            System.exit(2);
        }
        Path output = Path.of("target", "bench");
        boolean profile = "1".equals(System.getenv("BENCH_PROFILE"));
        // Exits explicitly: libraries may leave non-daemon threads behind once everything is closed.
        try {
            if (profile) profile(settings, output);
            else run(settings, output);
            System.out.println();
            System.out.println(Files.readString(output.resolve(profile ? "profile.md" : "results.md")));
            System.exit(0);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    /** Runs every scenario and writes results.md and results.csv into {@code output}. */
    static Results run(Settings settings, Path output) throws Exception {
        Instant began = Instant.now();
        String loadBefore = loadAverage();
        Files.createDirectories(output);
        Path work = Files.createTempDirectory(output.toAbsolutePath(), "work-");
        Results results = new Results();
        String postgresSettings;
        try (BenchPostgres postgres = new BenchPostgres(work.resolve("pg"))) {
            postgresSettings = postgres.describe();
            // BENCH_ONLY=queue runs the burn-downs and start latencies (1-2) alone, BENCH_ONLY=processes skips the queue
            // scenarios (1-3), BENCH_ONLY=start runs the node start (8) alone.
            String only = System.getenv("BENCH_ONLY");
            boolean all = only == null || only.isEmpty();
            if (all || "queue".equals(only)) new QueueBenchmarks(settings, postgres, work.resolve("queue"), results).run(all);
            if (!"queue".equals(only)) {
                Files.createDirectories(work.resolve("processes"));
                ProcessBenchmarks processes = new ProcessBenchmarks(settings, postgres, work.resolve("processes"), results);
                if ("start".equals(only)) processes.runNodeStart();
                else processes.run();
            }
        } finally {
            FileTrees.deleteTree(work);
        }
        Duration took = Duration.between(began, Instant.now());
        results.note("Ratio is Octopus HA ÷ baseline; every baseline ran in the same process, minutes apart, on the same machine.");
        results.note("Start and claim latency: enqueue (queue_time, the inserting transaction's now()) to start (start_time, "
                + "clock_timestamp() in the claim), both PostgreSQL times; burn-down: first start_time to last completed_time.");
        results.note("db-scheduler's burn-down runs from its first start to its last completion as its listener saw them, River's "
                + "from its first worker start to its last completion event, Graphile Worker's from its first task call to its last "
                + "job:complete event; their jobs are no-ops, ours a Delay of 0 ms with state changes, a start count and a log file "
                + "on the shared directory. River's and Graphile Worker's start latencies run from the row's created_at (the "
                + "inserting transaction's now(), as our queue_time) to the worker's start, each stream sent by the system's own "
                + "client (docs/performance.md).");
        results.note("Every queue first runs " + settings.warmUpRounds() + " unmeasured burn-down(s) (JIT warm-up); the measured "
                + "burn-downs then take turns, and each figure is the median of " + settings.burnDownRounds() + ". Every table is "
                + "analyzed after the bulk enqueue, as autovacuum keeps them in a running installation. Before every measured queue "
                + "window the server checkpoints, the kernel writes out its dirty pages (sync), and the harness waits until no "
                + "autovacuum worker is busy.");
        String header = "## Benchmark results (" + settings.name() + " run)\n\n"
                + "Run " + began.truncatedTo(ChronoUnit.SECONDS) + ", took " + took.toSeconds() + " s. "
                + machine() + " Load average (1, 5, 15 min) at the start " + loadBefore + ", at the end " + loadAverage()
                + ": above about 0.5, other work shared the cores.\n\n" + postgresSettings + "\n";
        results.write(output, header);
        return results;
    }

    /** {@code BENCH_PROFILE=1}: the burn-downs only, each profiled, into profile.md (see {@link Profile}). */
    static void profile(Settings settings, Path output) throws Exception {
        Instant began = Instant.now();
        Files.createDirectories(output);
        Path work = Files.createTempDirectory(output.toAbsolutePath(), "work-");
        try (BenchPostgres postgres = new BenchPostgres(work.resolve("pg"), true)) {
            Profile profile = new Profile(postgres);
            new QueueBenchmarks(settings, postgres, work.resolve("queue"), new Results()).profile(profile);
            Files.writeString(output.resolve("profile.md"), profile.markdown() + "\nRun " + began.truncatedTo(ChronoUnit.SECONDS)
                    + " (" + settings.name() + " settings). " + machine() + " Load average at the end " + loadAverage() + ".\n\n"
                    + postgres.describe() + "\n");
        } finally {
            // BENCH_KEEP_WORK=1 leaves the task logs for later: deleting many files slows creating files for minutes (see
            // Troubleshooting in the README), which would reach a profile taken right after this one.
            if (!"1".equals(System.getenv("BENCH_KEEP_WORK"))) FileTrees.deleteTree(work);
        }
    }

    /** The kernel's load averages, as /proc/loadavg gives them. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Cores, memory, CPU, OS and JDK of the machine the figures come from. */
    static String machine() {
        String cpu = "unknown CPU";
        long memoryKiB = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) memoryKiB = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException e) {
            cpu = "(no /proc: " + e.getMessage() + ")";
        }
        return String.format("Machine: %d cores (%s), %.1f GiB memory, %s %s, JDK %s %s.",
                Runtime.getRuntime().availableProcessors(), cpu, memoryKiB / 1024.0 / 1024.0,
                System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("java.vm.vendor"), System.getProperty("java.runtime.version"));
    }
}
