package io.octopusha.node.cluster;

import io.octopusha.node.storage.SharedStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Checks the node in every heartbeat interval (database clock), refreshing its settings as a backstop to
 * NOTIFY. While the database is away it retries more often, and re-registers once it is back if the
 * node's record was deleted meanwhile. Each beat also checks that the shared directory is writable.
 */
public final class Heartbeat implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);
    private static final Duration RETRY = Duration.ofMillis(500);

    private final NodeRegistry registry;
    private final LocalNode node;
    private final Supplier<?> reRegister;
    private final SharedStorage storage;
    private final ScheduledExecutorService executor =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("heartbeat").factory());
    private volatile boolean failing;

    public Heartbeat(NodeRegistry registry, LocalNode node, Supplier<?> reRegister, SharedStorage storage) {
        this.registry = registry;
        this.node = node;
        this.reRegister = reRegister;
        this.storage = storage;
    }

    public void start() {
        schedule(node.heartbeatInterval());
    }

    private void schedule(Duration delay) {
        if (!executor.isShutdown()) executor.schedule(this::beat, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void beat() {
        Duration next = node.heartbeatInterval();
        checkStorage();
        try {
            node.databaseAttemptStarted();
            var checkIn = registry.checkIn(node.id());
            if (checkIn.isEmpty()) {
                log.warn("node record {} was deleted; registering again", node.id());
                reRegister.get();
                checkIn = registry.checkIn(node.id());
            }
            checkIn.ifPresent(c -> node.checkedIn(c.lastSeen(), c.settings()));
            if (failing) log.info("database reachable again; node {} checked in", node.id());
            failing = false;
        } catch (RuntimeException e) {
            if (!failing) log.warn("check-in failed, retrying every {} ms: {}", RETRY.toMillis(), e.getMessage());
            failing = true;
            next = RETRY.compareTo(next) < 0 ? RETRY : next;
        } finally {
            schedule(next);
        }
    }

    private void checkStorage() {
        String problem = storage.checkWritable();
        if (problem != null && node.storageProblem() == null) log.error("shared directory problem: {}", problem);
        if (problem == null && node.storageProblem() != null) log.info("the shared directory works again");
        node.storageChecked(problem);
    }

    /** Stops the beats and waits for one in flight, so that no check-in follows this. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) log.warn("a check-in was still running when the node stopped");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
