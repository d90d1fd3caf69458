package io.octopusha.node.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.octopusha.node.api.ApiServer;
import io.octopusha.node.db.Database;
import io.octopusha.node.db.EmbeddedDatabase;
import io.octopusha.node.local.Haproxy;
import io.octopusha.node.local.NodeProcess;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.Ports;
import io.octopusha.node.testing.Tasks;
import io.octopusha.node.testing.TestCluster;
import org.jooq.DSLContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.octopusha.node.db.schema.Tables.SERVER_TASK;
import static org.awaitility.Awaitility.await;

/**
 * Three node processes behind a real HAProxy on one PostgreSQL, with tasks enqueued through HAProxy while a
 * bounded, seeded fault schedule runs: kill -9 and restart of a node, SIGTERM of a node, a PostgreSQL stop and
 * start, a node whose shared directory stops working, drain/undrain storms. Afterwards the database, the HTTP
 * log and each node are checked against the guarantees in the README. Loopback only; every loop is bounded.
 */
public final class ChaosSuite {
    public record Settings(int tasks, Duration faultPeriod, long seed) {
    }

    public record Result(Map<String, Integer> faults, int tasksCreated, Map<String, Integer> terminalStates,
                         int requests, List<String> violations, String table) {
    }

    private enum Fault { KILL, SIGTERM, DATABASE_RESTART, SHARED_DIR_BROKEN, DRAIN_STORM }

    /**
     * {@code atNanos} to {@code endNanos}: sent to answered. {@code answeredBy}: the node's name header, or null
     * when HAProxy itself answered (or nothing did).
     */
    private record Request(long atNanos, long endNanos, int status, String what, String answeredBy, String body) {
    }

    /** One fault of the schedule, from its start until it was undone (a restart, a repaired mount). */
    private record InjectedFault(Fault fault, String node, long fromNanos, long toNanos) {
        /** A request in flight when the fault began may fail too, not only one sent while it lasted. */
        boolean overlaps(Request r, long marginNanos) {
            return r.endNanos() >= fromNanos && r.atNanos() <= toNanos + marginNanos;
        }
    }

    private static final int NODES = 3;
    private static final Duration HEARTBEAT = Duration.ofMillis(500);
    private static final Duration OFFLINE_AFTER = Duration.ofSeconds(3);
    /**
     * 503s allowed after PostgreSQL is back: a node reconnects within about a second (its pool is replaced
     * if it still waits out its backoff), checks in within a heartbeat, and HAProxy needs two good checks.
     */
    private static final long OUTAGE_MARGIN = Duration.ofSeconds(5).toNanos();

    private final Settings settings;
    private final Path root;
    private final Random random;
    private final int dbPort = Ports.free();
    private final Map<String, Integer> nodePorts = new HashMap<>();
    private final Map<String, NodeProcess> nodes = new ConcurrentHashMap<>();
    /** Written and read only by the thread that runs the schedule and then the checks. */
    private final List<InjectedFault> timeline = new ArrayList<>();
    private final long startNanos = System.nanoTime();
    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
    private final Set<Long> created = ConcurrentHashMap.newKeySet();
    private EmbeddedDatabase database;
    private Haproxy haproxy;
    private Api viaHaproxy;

    public ChaosSuite(Settings settings, Path root) {
        this.settings = settings;
        this.root = root.toAbsolutePath();
        this.random = new Random(settings.seed());
    }

    public Result run() throws Exception {
        try {
            start();
            Thread load = Thread.ofPlatform().name("chaos-load").start(this::enqueueAll);
            long faultsEnd = System.nanoTime() + settings.faultPeriod().toNanos();
            while (System.nanoTime() < faultsEnd) injectOne();
            load.join(Duration.ofMinutes(5));
            for (String name : nodePorts.keySet()) ensureRunning(name);
            settleAllTasks();
            return check();
        } finally {
            stop();
        }
    }

    private void start() throws IOException {
        Files.createDirectories(root);
        database = EmbeddedDatabase.start(root.resolve("pg"), dbPort);
        Files.createDirectories(root.resolve("shared"));
        Path broken = Files.createDirectories(root.resolve("broken"));
        for (String part : List.of("tmp", "tasklogs", "packages", "artifacts")) Files.writeString(broken.resolve(part), "not a directory");
        for (int i = 1; i <= NODES; i++) {
            String name = "chaos" + i;
            nodePorts.put(name, Ports.free());
            pointSharedDir(name, root.resolve("shared"));
            startNode(name);
        }
        nodes.values().forEach(n -> n.awaitReady(Duration.ofSeconds(90)));
        int port = Ports.free();
        haproxy = Haproxy.start(root.resolve("haproxy"), port, Ports.free(),
                nodePorts.entrySet().stream().map(e -> new Haproxy.Backend(e.getKey(), e.getValue())).toList());
        viaHaproxy = new Api("http://127.0.0.1:" + port, TestCluster.ADMIN_KEY);
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions()
                .until(() -> haproxy.serverStates().values().stream().filter("UP"::equals).count() == NODES);
    }

    private void startNode(String name) {
        Map<String, String> env = new HashMap<>();
        env.put("OCTOPUS_DB_URL", database.jdbcUrl("postgres"));
        env.put("OCTOPUS_DB_USER", database.user());
        env.put("OCTOPUS_DATA_DIR", root.resolve("data-" + name).toString());
        env.put("OCTOPUS_SHARED_DIR", root.resolve("shared-" + name).toString());
        env.put("OCTOPUS_HEARTBEAT_INTERVAL", HEARTBEAT.toString());
        env.put("OCTOPUS_OFFLINE_AFTER", OFFLINE_AFTER.toString());
        env.put("OCTOPUS_SHUTDOWN_GRACE", "PT5S");
        env.put("OCTOPUS_TASK_CAP", "8");
        env.put("OCTOPUS_ADMIN_API_KEY", TestCluster.ADMIN_KEY);
        nodes.put(name, NodeProcess.start(name, nodePorts.get(name), env, root.resolve("logs/" + name + ".log"), List.of("-Xmx192m")));
    }

    /** Each node reaches the shared directory through its own symlink, so one node's mount can fail alone. */
    private void pointSharedDir(String name, Path target) throws IOException {
        Path link = root.resolve("shared-" + name);
        Path next = root.resolve("shared-" + name + ".next");
        Files.deleteIfExists(next);
        Files.createSymbolicLink(next, target);
        Files.move(next, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void enqueueAll() {
        long interval = settings.faultPeriod().toNanos() / settings.tasks();
        long next = System.nanoTime();
        Random load = new Random(settings.seed() + 1);
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < settings.tasks(); i++) {
                long wait = next - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                next += interval;
                String body = load.nextInt(10) < 7
                        ? "{\"Name\":\"Delay\",\"Arguments\":{\"Milliseconds\":" + (10 + load.nextInt(191)) + "}}"
                        : "{\"Name\":\"AdHocScript\",\"Arguments\":{\"ScriptBody\":\"echo chaos " + i + "; sleep 0.0" + load.nextInt(10) + "\"}}";
                clients.submit(() -> createTask(body));
                if (i % 10 == 0) clients.submit(() -> record("GET summary", () -> viaHaproxy.get("/api/octopusservernodes/summary")));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A client that retries what the cluster asks it to retry (503), as a deployment tool would. */
    private void createTask(String body) {
        for (int attempt = 0; attempt < 30; attempt++) {
            Api.Response response = record("POST task", () -> viaHaproxy.post("/api/tasks", body));
            if (response != null && response.status() == 201) {
                created.add(Long.parseLong(response.json().get("Id").asText().substring("ServerTasks-".length())));
                return;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Api.Response record(String what, java.util.function.Supplier<Api.Response> call) {
        long at = System.nanoTime();
        try {
            Api.Response response = call.get();
            requests.add(new Request(at, System.nanoTime(), response.status(), what,
                    response.headers().firstValue(ApiServer.NODE_HEADER).orElse(null), response.body()));
            return response;
        } catch (UncheckedIOException e) {
            requests.add(new Request(at, System.nanoTime(), -1, what + ": " + e.getCause(), null, ""));
            return null;
        }
    }

    private void injectOne() throws Exception {
        Fault fault = Fault.values()[random.nextInt(Fault.values().length)];
        String name = "chaos" + (1 + random.nextInt(NODES));
        long from = System.nanoTime();
        switch (fault) {
            case KILL -> {
                nodes.get(name).kill();
                pause(1_000 + random.nextInt(2_000));
                ensureRunning(name);
            }
            case SIGTERM -> {
                NodeProcess node = nodes.get(name);
                node.terminate();
                node.waitForExit(Duration.ofSeconds(30));
                ensureRunning(name);
            }
            case DATABASE_RESTART -> {
                database.close();
                pause(2_000 + random.nextInt(2_000));
                database = EmbeddedDatabase.start(root.resolve("pg"), dbPort);
            }
            case SHARED_DIR_BROKEN -> {
                pointSharedDir(name, root.resolve("broken"));
                pause(2_000 + random.nextInt(2_000));
                pointSharedDir(name, root.resolve("shared"));
            }
            case DRAIN_STORM -> {
                for (int i = 0; i < 10; i++) {
                    record("PUT drain", () -> viaHaproxy.put("/api/octopusservernodes/OctopusServerNodes-" + name,
                            "{\"IsInMaintenanceMode\":" + (random.nextBoolean() ? "true" : "false") + "}"));
                }
                record("PUT undrain", () -> viaHaproxy.put("/api/octopusservernodes/OctopusServerNodes-" + name,
                        "{\"IsInMaintenanceMode\":false}"));
            }
        }
        timeline.add(new InjectedFault(fault, name, from, System.nanoTime()));
        // Let the load balancer see every node healthy again before the next fault.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> haproxy.serverStates().values().stream().filter("UP"::equals).count() == NODES);
        pause(1_000 + random.nextInt(2_000));
    }

    private void ensureRunning(String name) {
        NodeProcess node = nodes.get(name);
        if (!node.isAlive()) {
            startNode(name);
            nodes.get(name).awaitReady(Duration.ofSeconds(90));
        }
    }

    private void settleAllTasks() {
        try (Database db = new Database(database.jdbcUrl("postgres"), database.user(), null, "chaos-check")) {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> db.dsl().fetchCount(SERVER_TASK, SERVER_TASK.STATE.in("Queued", "Executing", "Cancelling")) == 0);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // reported as a violation by check()
        }
    }

    private Result check() throws Exception {
        List<String> violations = new ArrayList<>();
        Map<String, Integer> states;
        try (Database db = new Database(database.jdbcUrl("postgres"), database.user(), null, "chaos-check")) {
            DSLContext dsl = db.dsl();
            var tasks = dsl.selectFrom(SERVER_TASK).where(SERVER_TASK.NAME.in("Delay", "AdHocScript")).fetch();
            states = tasks.stream().collect(Collectors.groupingBy(t -> t.getState(), java.util.TreeMap::new,
                    Collectors.summingInt(t -> 1)));
            Set<Long> stored = tasks.stream().map(t -> t.getNumber()).collect(Collectors.toSet());
            for (long n : created) if (!stored.contains(n)) violations.add("ServerTasks-" + n + " was created (201) but vanished");
            Map<Long, Integer> starts = Tasks.startsPerTask(dsl);
            for (var t : tasks) {
                String id = "ServerTasks-" + t.getNumber();
                int runs = starts.getOrDefault(t.getNumber(), 0);
                if (!Set.of("Success", "Failed", "Canceled", "TimedOut").contains(t.getState())) {
                    violations.add(id + " is still " + t.getState());
                }
                if (runs > 1) violations.add(id + " was started " + runs + " times");
                if ((t.getStartTime() != null) != (runs == 1)) violations.add(id + " has start time " + t.getStartTime() + " but " + runs + " starts");
                String explanation = explain(t.getState(), t.getErrorMessage(), t.getServerNode());
                if (explanation != null) violations.add(id + " " + t.getState() + " (" + t.getErrorMessage() + "): " + explanation);
            }
        }
        for (Request r : requests) {
            boolean inOutage = databaseOutages().anyMatch(w -> w.overlaps(r, OUTAGE_MARGIN));
            boolean ok = r.status() >= 200 && r.status() < 300;
            if (!ok && !(inOutage && r.status() == 503)) violations.add("HTTP " + r.what() + " answered " + r.status()
                    + (inOutage ? " during the database outage" : "") + describe(r));
        }
        checkNodesAgree(violations);
        String table = table(states, violations);
        return new Result(faultCounts(), created.size(), states, requests.size(), violations, table);
    }

    /** Who answered a failed request, what it said, and the fault nearest to it, to make a violation traceable. */
    private String describe(Request r) {
        String body = r.body().length() > 200 ? r.body().substring(0, 200) + "…" : r.body();
        StringBuilder d = new StringBuilder(" at %.1f s, from %s: %s".formatted((r.atNanos() - startNanos) / 1e9,
                r.answeredBy() == null ? "HAProxy (no node header)" : r.answeredBy(), body.strip()));
        timeline.stream().min(Comparator.comparingLong(f -> Math.abs(r.atNanos() - (f.fromNanos() + f.toNanos()) / 2)))
                .ifPresent(f -> d.append("; nearest fault: %s of %s from %.1f to %.1f s".formatted(f.fault(), f.node(),
                        (f.fromNanos() - startNanos) / 1e9, (f.toNanos() - startNanos) / 1e9)));
        return d.toString();
    }

    private Map<String, Integer> faultCounts() {
        return timeline.stream().collect(Collectors.groupingBy(f -> f.fault().name(), java.util.TreeMap::new,
                Collectors.summingInt(f -> 1)));
    }

    private boolean injected(Fault fault, String node) {
        return timeline.stream().anyMatch(f -> f.fault() == fault && f.node().equals(node));
    }

    private Stream<InjectedFault> databaseOutages() {
        return timeline.stream().filter(f -> f.fault() == Fault.DATABASE_RESTART);
    }

    /** Null when a task's end is what the guarantees promise under the faults injected; otherwise why not. */
    private String explain(String state, String error, String nodeId) {
        if (state.equals("Success")) return null;
        String node = nodeId == null ? "" : nodeId.substring("OctopusServerNodes-".length());
        String message = error == null ? "" : error;
        if (state.equals("Failed") && (message.contains("went offline") || message.contains("restarted while running"))) {
            return injected(Fault.KILL, node) || databaseOutages().findAny().isPresent() ? null : "failed as offline, but " + node + " was never killed or cut off";
        }
        if (state.equals("Failed") && message.contains("lost its database connection")) {
            return databaseOutages().findAny().isPresent() ? null : "fenced without a database outage";
        }
        if (state.equals("Canceled") && message.contains("OCTOPUS_SHUTDOWN_GRACE")) {
            return injected(Fault.SIGTERM, node) ? null : "canceled for a shutdown of " + node + " that never happened";
        }
        if (state.equals("Failed") && message.contains("shared directory")) {
            return injected(Fault.SHARED_DIR_BROKEN, node) ? null : "storage failure on " + node + " whose storage never broke";
        }
        return "no injected fault explains it";
    }

    private void checkNodesAgree(List<String> violations) {
        JsonNode summary = viaHaproxy.get("/api/octopusservernodes/summary").json().get("Nodes");
        for (var entry : nodePorts.entrySet()) {
            Api direct = new Api("http://127.0.0.1:" + entry.getValue(), TestCluster.ADMIN_KEY);
            JsonNode row = null;
            for (JsonNode n : summary) if (n.get("Name").asText().equals(entry.getKey())) row = n;
            int ping = direct.get("/api/octopusservernodes/ping").status();
            String metrics = direct.get("/metrics").body();
            if (row == null) {
                violations.add(entry.getKey() + " is missing from the summary");
                continue;
            }
            if (ping != 200 || !row.get("Status").asText().equals("Running")) {
                violations.add(entry.getKey() + ": ping " + ping + " but summary says " + row.get("Status").asText());
            }
            if (!metrics.contains("octopus_node_task_cap " + row.get("MaxConcurrentTasks").asInt() + ".0")) {
                violations.add(entry.getKey() + ": metrics task cap disagrees with the summary's " + row.get("MaxConcurrentTasks"));
            }
            if (!metrics.contains("octopus_node_running_tasks " + row.get("RunningTaskCount").asInt() + ".0")) {
                violations.add(entry.getKey() + ": metrics running tasks disagree with the summary's " + row.get("RunningTaskCount"));
            }
        }
    }

    private String table(Map<String, Integer> states, List<String> violations) {
        StringBuilder t = new StringBuilder("| measure | value |\n|---|---|\n");
        t.append("| seed | ").append(settings.seed()).append(" |\n");
        faultCounts().forEach((k, v) -> t.append("| fault ").append(k).append(" | ").append(v).append(" |\n"));
        t.append("| tasks created (201) | ").append(created.size()).append(" |\n");
        states.forEach((k, v) -> t.append("| tasks ").append(k).append(" | ").append(v).append(" |\n"));
        t.append("| HTTP requests | ").append(requests.size()).append(" |\n");
        t.append("| HTTP 503 answers (allowed only during database outages) | ").append(requests.stream().filter(r -> r.status() == 503).count()).append(" |\n");
        t.append("| latest 503 after PostgreSQL was back (allowed: %.1f s) | %.1f s |\n"
                .formatted(OUTAGE_MARGIN / 1e9, latest503AfterAnOutage() / 1e9));
        t.append("| violations | ").append(violations.size()).append(" |\n");
        return t.toString();
    }

    /** How long after a database outage ended a request that overlapped it was sent and still answered 503, in nanoseconds. */
    private long latest503AfterAnOutage() {
        long latest = 0;
        for (Request r : requests) {
            if (r.status() != 503) continue;
            long sinceOutage = databaseOutages().filter(w -> w.overlaps(r, OUTAGE_MARGIN))
                    .mapToLong(w -> Math.max(0, r.atNanos() - w.toNanos())).min().orElse(0);
            latest = Math.max(latest, sinceOutage);
        }
        return latest;
    }

    private void stop() {
        if (haproxy != null) haproxy.close();
        nodes.values().forEach(NodeProcess::kill);
        if (database != null) database.close();
    }

    /** How long a fault lasts: part of the schedule, not a wait for something to happen. */
    private static void pause(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }
}
