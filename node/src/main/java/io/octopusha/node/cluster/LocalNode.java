package io.octopusha.node.cluster;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * This node's own state, in memory: what it may run, when it last reached the database, whether it is
 * shutting down. The ping and the task loop read it without touching the database.
 */
public final class LocalNode {
    private final String id;
    private final String name;
    private final String version;
    private final Duration heartbeatInterval;
    private final Duration offlineAfter;
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();

    private volatile NodeSettings settings;
    private volatile OffsetDateTime lastSeen;
    private volatile long lastCheckInNanos;
    /** Start of the first database attempt not yet followed by a success; 0 while all is well. */
    private volatile long troubleSinceNanos;
    private volatile String storageProblem;
    private volatile boolean shuttingDown;
    private volatile boolean stopping;

    public LocalNode(String id, String name, String version, Duration heartbeatInterval, Duration offlineAfter,
                     NodeSettings settings, OffsetDateTime registeredAt) {
        this.id = id;
        this.name = name;
        this.version = version;
        this.heartbeatInterval = heartbeatInterval;
        this.offlineAfter = offlineAfter;
        this.settings = settings;
        this.lastSeen = registeredAt;
        this.lastCheckInNanos = System.nanoTime();
    }

    public String id() { return id; }
    public String name() { return name; }
    public String version() { return version; }
    public NodeSettings settings() { return settings; }
    public OffsetDateTime lastSeen() { return lastSeen; }
    public Duration heartbeatInterval() { return heartbeatInterval; }
    public Duration offlineAfter() { return offlineAfter; }

    /** Whether this node should start no new task: drained by an administrator, or shutting down. */
    public boolean draining() {
        return settings.inMaintenanceMode() || shuttingDown || stopping;
    }

    /** No database for longer than one heartbeat interval (SPEC: ping 503). */
    public boolean databaseUnreachable() {
        long since = troubleSinceNanos;
        return since != 0 && System.nanoTime() - since > heartbeatInterval.toNanos();
    }

    /** Others will soon declare this node offline: it must stop its own tasks first (self-fencing). */
    public boolean mustFence() {
        return System.nanoTime() - lastCheckInNanos > offlineAfter.toNanos() / 2;
    }

    /** What the node's own view says: offline once others would see it so. */
    public boolean offline() {
        return stopping || System.nanoTime() - lastCheckInNanos > offlineAfter.toNanos();
    }

    public void databaseAttemptStarted() {
        if (troubleSinceNanos == 0) troubleSinceNanos = System.nanoTime();
    }

    public void checkedIn(OffsetDateTime seenAt, NodeSettings current) {
        lastCheckInNanos = System.nanoTime();
        troubleSinceNanos = 0;
        lastSeen = seenAt;
        settings = current;
        changed();
    }

    public void settingsChanged(NodeSettings current) {
        if (!current.equals(settings)) {
            settings = current;
            changed();
        }
    }

    /** Null while the shared directory works; otherwise what is wrong with it (ping 503, no new tasks). */
    public String storageProblem() {
        return storageProblem;
    }

    public void storageChecked(String problem) {
        if (!java.util.Objects.equals(problem, storageProblem)) {
            storageProblem = problem;
            changed();
        }
    }

    public void beginShutdown() {
        shuttingDown = true;
        changed();
    }

    /** The shutdown wait is over and the node is about to exit: the load balancer must stop sending to it. */
    public void stopping() {
        stopping = true;
        changed();
    }

    public boolean isStopping() {
        return stopping;
    }

    /** SIGTERM came: the node is shutting down, starting no new task while its running ones finish. */
    public boolean isShuttingDown() {
        return shuttingDown || stopping;
    }

    /** Called on every change of what the ping shows. */
    public void onChange(Runnable listener) {
        changeListeners.add(listener);
    }

    private void changed() {
        changeListeners.forEach(Runnable::run);
    }
}
