package io.octopusha.node;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.octopusha.node.api.AccessControl;
import io.octopusha.node.api.ApiKeysApi;
import io.octopusha.node.api.ApiServer;
import io.octopusha.node.api.ArtifactsApi;
import io.octopusha.node.api.EventsApi;
import io.octopusha.node.api.FeedsApi;
import io.octopusha.node.api.HealthApi;
import io.octopusha.node.api.LicensesApi;
import io.octopusha.node.api.MetricsApi;
import io.octopusha.node.api.NodesApi;
import io.octopusha.node.api.PackagesApi;
import io.octopusha.node.api.RootApi;
import io.octopusha.node.api.ServerStatusApi;
import io.octopusha.node.api.SpacesApi;
import io.octopusha.node.api.TasksApi;
import io.octopusha.node.api.UsersApi;
import io.octopusha.node.audit.AuditLog;
import io.octopusha.node.auth.ApiKeys;
import io.octopusha.node.auth.FailedSignIns;
import io.octopusha.node.cluster.ClusterHealth;
import io.octopusha.node.cluster.Drain;
import io.octopusha.node.cluster.Heartbeat;
import io.octopusha.node.cluster.LocalNode;
import io.octopusha.node.cluster.NodeRegistry;
import io.octopusha.node.config.NodeConfig;
import io.octopusha.node.db.Database;
import io.octopusha.node.db.EmbeddedDatabase;
import io.octopusha.node.db.Notifications;
import io.octopusha.node.queue.Enqueuer;
import io.octopusha.node.queue.QueueSignal;
import io.octopusha.node.queue.RecurringTasks;
import io.octopusha.node.queue.TaskQueue;
import io.octopusha.node.storage.ArtifactStore;
import io.octopusha.node.storage.PackageStore;
import io.octopusha.node.storage.SharedStorage;
import io.octopusha.node.storage.SpaceStore;
import io.octopusha.node.storage.TaskLogStore;
import io.octopusha.node.tasks.AdHocScriptTask;
import io.octopusha.node.tasks.DelayTask;
import io.octopusha.node.tasks.HealthTask;
import io.octopusha.node.tasks.RetentionTask;
import io.octopusha.node.tasks.ScriptSandbox;
import io.octopusha.node.tasks.SynchronizePackageIndexTask;
import io.octopusha.node.tasks.SystemIntegrityCheckTask;
import io.octopusha.node.tasks.TaskProcessor;
import io.octopusha.node.tasks.TaskTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static io.octopusha.node.db.schema.Tables.INSTALLATION;

/**
 * One node, the composition root: opens the database, joins the cluster, starts the task processor and the HTTP API,
 * and takes them down in the reverse order. See docs/architecture.md for the packages and flows it wires.
 */
public final class OctopusNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OctopusNode.class);
    public static final String VERSION = readVersion();

    private final NodeConfig config;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final NodeRegistry registry;
    private final LocalNode localNode;
    private final Heartbeat heartbeat;
    private final TaskProcessor processor;
    private final ApiServer api;

    /** The database, the shared directory and the stores over them, which most parts of the node use. */
    private record Stores(Database database, SharedStorage shared, TaskQueue queue, PackageStore packages,
                          ArtifactStore artifacts, TaskLogStore taskLogs, SpaceStore spaces) {
        static Stores over(Database database, SharedStorage shared) {
            return new Stores(database, shared, new TaskQueue(database.dsl()), new PackageStore(database.dsl(), shared),
                    new ArtifactStore(database.dsl(), shared), new TaskLogStore(shared), new SpaceStore(database.dsl()));
        }
    }

    private OctopusNode(NodeConfig config) {
        this.config = config;
        try {
            Database database = openDatabase();
            if (database.migrate() == Database.Migration.MIGRATED) log.info("database schema migrated to this node's version");
            registry = new NodeRegistry(database.dsl());
            localNode = joinCluster();
            ApiKeys apiKeys = new ApiKeys(database.dsl());
            apiKeys.bootstrap(config.adminApiKey());
            Notifications notifications = closeLater(new Notifications(database));

            Stores stores = Stores.over(database, new SharedStorage(config.sharedDir()));
            heartbeat = closeLater(new Heartbeat(registry, localNode, this::register, stores.shared()));
            heartbeat.start();

            Path workRoot = config.dataDir().resolve("work");
            ScriptSandbox scripts = closeLater(ScriptSandbox.prepare(config.scriptTasks(), config.scriptUid(), config.scriptGid(),
                    config.secretFiles(), workRoot));
            TaskTypes taskTypes = taskTypes(stores, scripts);
            QueueSignal queueSignal = new QueueSignal(database.dsl());
            processor = closeLater(new TaskProcessor(stores.queue(), taskTypes, localNode, stores.taskLogs(),
                    stores.artifacts(), scripts.workRoot(workRoot), recurringTasks(database, queueSignal), config.queueTimeout()));
            Enqueuer enqueuer = closeLater(new Enqueuer(stores.queue(), () -> {
                processor.wake();
                queueSignal.tasksQueued();
            }));

            listenToTheCluster(notifications, apiKeys);
            notifications.start();
            processor.start();
            scheduleApiKeyRefresh(apiKeys);

            api = closeLater(apiServer(stores, apiKeys, taskTypes, enqueuer));
            api.start(config.bindAddress(), config.httpPort());
            log.info("node {} ({}) listening on port {}", config.nodeName(), VERSION, api.port());
        } catch (RuntimeException e) {
            closeResources();
            throw e;
        }
    }

    /** Starts a node; any failure releases what was started so far. */
    public static OctopusNode start(NodeConfig config) {
        return new OctopusNode(config);
    }

    private Database openDatabase() {
        if (config.dbUrl() != null) {
            return closeLater(new Database(config.dbUrl(), config.dbUser(), config.dbPassword(), config.nodeName()));
        }
        log.warn("OCTOPUS_DB_URL is not set: running an embedded PostgreSQL in {}. This is for a single machine only; "
                + "nodes on other machines cannot join it.", config.dataDir().resolve("pg"));
        EmbeddedDatabase embedded = EmbeddedDatabase.start(config.dataDir().resolve("pg"), 0);
        closeLater(embedded);
        return closeLater(new Database(embedded.jdbcUrl("postgres"), embedded.user(), null, config.nodeName()));
    }

    /** Registers this node (within the node limit) and returns its own state, as registered. */
    private LocalNode joinCluster() {
        NodeRegistry.CheckIn registration = register();
        return new LocalNode(config.nodeId(), config.nodeName(), VERSION, config.heartbeatInterval(),
                config.offlineAfter(), registration.settings(), registration.lastSeen());
    }

    private NodeRegistry.CheckIn register() {
        return registry.register(config.nodeId(), config.nodeName(), config.taskCap(), config.offlineAfter(), VERSION,
                config.nodeLimit());
    }

    private TaskTypes taskTypes(Stores stores, ScriptSandbox scripts) {
        Database database = stores.database();
        return new TaskTypes(List.of(
                new AdHocScriptTask(scripts),
                new DelayTask(),
                new HealthTask(database.dsl(), stores.shared(), registry),
                new RetentionTask(database.dsl(), stores.shared(), config.retentionMaxAge()),
                new SystemIntegrityCheckTask(database, stores.shared(), stores.packages()),
                new SynchronizePackageIndexTask(stores.packages())));
    }

    private RecurringTasks recurringTasks(Database database, QueueSignal queueSignal) {
        RecurringTasks recurring = new RecurringTasks(database.dsl(), queueSignal);
        recurring.schedule(Map.of(
                "Retention", Duration.ofDays(1),
                "Health", config.healthCheckInterval(),
                "SystemIntegrityCheck", config.integrityCheckInterval()));
        return recurring;
    }

    /**
     * What this node hears from the others through NOTIFY: drains and cap changes, API key changes, queued tasks and
     * cancels. After a lost connection everything is read again and the claim loop woken, as notifications were missed.
     */
    private void listenToTheCluster(Notifications notifications, ApiKeys apiKeys) {
        new Drain(registry, localNode).listenOn(notifications);
        notifications.listen(ApiKeys.CHANNEL, ignored -> apiKeys.reload());
        notifications.onReconnect(apiKeys::reload);
        notifications.listen(QueueSignal.CHANNEL, ignored -> processor.wake());
        notifications.listen(TaskQueue.CANCELLING_CHANNEL, number -> processor.cancelRequested(Long.parseLong(number)));
        notifications.onReconnect(processor::wake);
        localNode.onChange(processor::wake);
    }

    /** Backstop for missed notifications: no node keeps a revoked key for more than 30 s. */
    private void scheduleApiKeyRefresh(ApiKeys apiKeys) {
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("housekeeping").factory());
        closeLater(housekeeping::shutdownNow);
        housekeeping.scheduleWithFixedDelay(() -> runLogged("API key refresh", () -> {
            apiKeys.reload();
            apiKeys.flushLastUsed();
        }), 30, 30, TimeUnit.SECONDS);
    }

    private PrometheusMeterRegistry meters() {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Heap and non-heap use per pool (jvm_memory_used_bytes), e.g. to watch a large upload keep the heap flat.
        new JvmMemoryMetrics().bindTo(meters);
        Gauge.builder("octopus_node_task_cap", localNode, n -> n.settings().maxConcurrentTasks())
                .description("Tasks this node may run at once").register(meters);
        Gauge.builder("octopus_node_running_tasks", processor, TaskProcessor::runningCount)
                .description("Tasks this node runs now").register(meters);
        Gauge.builder("octopus_node_draining", localNode, n -> n.draining() ? 1 : 0)
                .description("1 while the node starts no new tasks").register(meters);
        Gauge.builder("octopus_node_heartbeat_lag_seconds", localNode,
                        n -> (System.currentTimeMillis() - n.lastSeen().toInstant().toEpochMilli()) / 1000.0)
                .description("Seconds since the node last checked in").register(meters);
        Gauge.builder("octopus_node_database_reachable", localNode, n -> n.databaseUnreachable() ? 0 : 1)
                .description("0 when the node has not reached the database for over a heartbeat").register(meters);
        return meters;
    }

    private ApiServer apiServer(Stores stores, ApiKeys apiKeys, TaskTypes taskTypes, Enqueuer enqueuer) {
        PrometheusMeterRegistry meters = meters();
        AuditLog audit = closeLater(new AuditLog(stores.database().dsl(), config.nodeName()));
        ClusterHealth clusterHealth = new ClusterHealth(registry, config.nodeLimit());
        UUID installationId = stores.database().dsl().select(INSTALLATION.INSTALLATION_ID).from(INSTALLATION)
                .fetchSingle().value1();
        TaskQueue queue = stores.queue();
        AccessControl accessControl = new AccessControl(apiKeys,
                new FailedSignIns(config.authFailureLimit(), Duration.ofMinutes(1)), audit);
        return new ApiServer(config.nodeName(), accessControl, meters, List.of(
                new RootApi(VERSION, installationId),
                new HealthApi(localNode),
                new NodesApi(registry, nodeId -> queue.runningOn(nodeId).stream().map(TasksApi::resource).toList(), audit),
                new SpacesApi(stores.spaces()),
                new TasksApi(queue, taskTypes, stores.spaces(), stores.taskLogs(), config.queueTimeout(), enqueuer, audit),
                new PackagesApi(stores.packages(), stores.spaces(), audit),
                new FeedsApi(stores.packages(), stores.spaces()),
                new ArtifactsApi(stores.artifacts(), queue, stores.spaces(), audit),
                new ApiKeysApi(apiKeys, audit),
                new UsersApi(apiKeys, audit),
                new EventsApi(audit),
                new ServerStatusApi(VERSION, config.nodeName(), clusterHealth),
                new LicensesApi(clusterHealth),
                new MetricsApi(meters)));
    }

    public int port() {
        return api.port();
    }

    public LocalNode localNode() {
        return localNode;
    }

    public ApiServer api() {
        return api;
    }

    public TaskProcessor processor() {
        return processor;
    }

    /**
     * SIGTERM: the ping answers 418 at once and the node starts nothing new; running tasks get up to
     * OCTOPUS_SHUTDOWN_GRACE to finish, what is left is canceled, then the node marks itself offline.
     */
    public void shutdownGracefully() {
        log.info("shutting down: starting no new task, waiting up to {} for {} running task(s)", config.shutdownGrace(),
                processor.runningCount());
        localNode.beginShutdown();
        runLogged("marking the node as shutting down", () -> registry.markShuttingDown(localNode.id()));
        processor.shutdown(config.shutdownGrace());
        close();
        log.info("node {} stopped", localNode.name());
    }

    /** Ends the node: it leaves the load balancer, marks itself offline, and releases everything in reverse order. */
    @Override
    public void close() {
        localNode.stopping();
        // A check-in clears the offline mark: none may run or start once it is set.
        heartbeat.close();
        runLogged("marking the node offline", () -> registry.markStopped(localNode.id()));
        closeResources();
    }

    private void closeResources() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            AutoCloseable resource = resources.get(i);
            runLogged("closing " + resource.getClass().getSimpleName(), () -> {
                try {
                    resource.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        resources.add(resource);
        return resource;
    }

    private static void runLogged(String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            log.warn("{} failed: {}", what, e.getMessage());
        }
    }

    private static String readVersion() {
        try (InputStream in = OctopusNode.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
