package io.octopusha.node.tasks;

import io.octopusha.node.cluster.LocalNode;
import io.octopusha.node.queue.RecurringTasks;
import io.octopusha.node.queue.TaskFilter;
import io.octopusha.node.queue.TaskOutcome;
import io.octopusha.node.queue.TaskQueue;
import io.octopusha.node.queue.TaskRecord;
import io.octopusha.node.queue.TaskState;
import io.octopusha.node.storage.ArtifactStore;
import io.octopusha.node.storage.FileTrees;
import io.octopusha.node.storage.SharedStorage;
import io.octopusha.node.storage.TaskLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Runs this node's share of the queue with two threads. The claim loop, whenever it is woken (a task was
 * queued, a slot freed, the cap or drain changed) and at least once a second, claims tasks up to the node's
 * cap in one statement; each claimed task runs on its own virtual thread. The recorder records every run that
 * has finished since it last looked in one statement and then frees their slots. Under load each wake finds
 * many tasks, so the database sees a statement per batch rather than several per task, and a claim never
 * waits behind a recording. A third thread does, once a second, the cluster's housekeeping that any node may
 * do (expiring queued tasks, failing tasks of offline nodes, enqueueing recurring tasks) and checks this node's
 * running tasks against the database.
 */
public final class TaskProcessor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TaskProcessor.class);
    private static final Duration POLL = Duration.ofSeconds(1);
    /** How often a node looks for running tasks whose node record is gone, which reads the whole running-task index. */
    private static final Duration DELETED_NODES_SWEEP = Duration.ofMinutes(1);
    private static final Duration RECORD_RETRY = Duration.ofMillis(250);
    /**
     * After a claim that took the last queued tasks, n of them, the next claim waits n ms (at most 10): an idle node
     * claims at once, a node that keeps up with a stream in batches that grow with it. Without it, every signal and
     * every freed slot was a claim of its own, and at a steady 3,700 tasks/s claims of three or four tasks each
     * took the CPU the queue needed. A claim that filled every free slot left tasks queued, so the next waits only
     * 2 ms, for the slots that free meanwhile: 10 ms would idle a node whose short tasks finish sooner (one node's
     * burn-down fell from 8,500 to 3,200 tasks/s), and no wait at all made a backlog slow to clear.
     */
    private static final Duration SPACING_PER_CLAIMED_TASK = Duration.ofMillis(1);
    private static final Duration MAX_SPACING = Duration.ofMillis(10);
    private static final Duration SPACING_WHEN_FULL = Duration.ofMillis(2);
    /**
     * After a claim that filled every free slot (a backlog), the next waits at least {@link #SPACING_WHEN_FULL} and until
     * half the cap is free again, but no longer than this: a claim costs the database about as much for 3 tasks as for
     * 30 and holds the cluster's claim lock while it runs, and claiming whatever a 2 ms wait had freed made claims of
     * 8 to 10 tasks on average in a 3-node burn-down of Delay 0 tasks with cap 32.
     */
    private static final Duration MAX_BACKLOG_WAIT = Duration.ofMillis(5);

    /**
     * A claim reads the queue from this long before the queue time of the newest task this node claimed, not from the
     * start, where the index entries of claimed tasks pile up until vacuum (migration V8). Claims take tasks in queue
     * order, so an older queued task is one whose enqueueing transaction committed late, its queue time being the
     * transaction's start; one later than this is found by the claim that reads the whole queue, at least once a
     * {@link #POLL}.
     */
    private static final Duration LATE_COMMIT_MARGIN = Duration.ofSeconds(1);

    private final TaskQueue queue;
    private final TaskTypes types;
    private final LocalNode node;
    private final SharedStorage storage;
    private final ArtifactStore artifacts;
    private final Path workRoot;
    private final RecurringTasks recurring;
    private final Duration queueTimeout;
    private final Map<Long, Running> running = new ConcurrentHashMap<>();
    /** Runs that have ended but are not yet recorded; they keep their slot in {@code running} until they are. */
    private final Queue<TaskQueue.Completion> finished = new ConcurrentLinkedQueue<>();
    private final Semaphore wake = new Semaphore(0);
    private final Object idle = new Object();
    private final Thread loop;
    private final Semaphore recordWake = new Semaphore(0);
    private final Thread recorder;
    /** Recording a run and freeing its slot is one step as far as {@link #adoptLostClaims} can tell. */
    private final Object recording = new Object();
    /** Fencing must not wait for a database call to return, so it has its own thread reading only memory. */
    private final ScheduledExecutorService fenceWatch =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("fence-watch").factory());
    private volatile boolean claiming = true;
    private volatile boolean closed;
    private final ScheduledExecutorService housekeeping =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("queue-housekeeping").factory());
    /** A claim failed, perhaps after it committed: look for lost claims before claiming again (and every second). */
    private boolean claimReplyLost;
    private long lastAdoptionNanos;
    /** Queue time of the newest task of this node's last claim that took any; null until then. */
    private OffsetDateTime claimedUpTo;
    private long lastWholeQueueClaimNanos;
    private long lastDeletedNodesSweepNanos = System.nanoTime();
    private boolean failing;
    private boolean housekeepingFails;

    private record Running(TaskRecord task, Cancellation cancellation) {
    }

    public TaskProcessor(TaskQueue queue, TaskTypes types, LocalNode node, SharedStorage storage, ArtifactStore artifacts,
                         Path workRoot, RecurringTasks recurring, Duration queueTimeout) {
        this.queue = queue;
        this.types = types;
        this.node = node;
        this.storage = storage;
        this.artifacts = artifacts;
        this.workRoot = workRoot;
        this.recurring = recurring;
        this.queueTimeout = queueTimeout;
        this.loop = Thread.ofPlatform().daemon().name("task-claims").unstarted(this::loop);
        this.recorder = Thread.ofPlatform().daemon().name("task-records").unstarted(this::recordLoop);
    }

    public void start() {
        int lost = queue.failLeftoversOf(node.id());
        if (lost > 0) log.warn("{} task(s) this node was running before it restarted are marked Failed", lost);
        loop.start();
        recorder.start();
        long everyMillis = Math.max(50, node.offlineAfter().toMillis() / 20);
        fenceWatch.scheduleWithFixedDelay(() -> {
            if (node.mustFence()) fence();
        }, everyMillis, everyMillis, TimeUnit.MILLISECONDS);
        housekeeping.scheduleWithFixedDelay(this::housekeep, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Look at the queue now rather than at the next poll. */
    public void wake() {
        wake.release();
    }

    public int runningCount() {
        return running.size();
    }

    public List<TaskRecord> runningTasks() {
        return running.values().stream().map(Running::task).sorted(Comparator.comparingLong(TaskRecord::number)).toList();
    }

    /** A cancel requested anywhere in the cluster, for a task this node may be running. */
    public void cancelRequested(long number) {
        Running r = running.get(number);
        if (r != null) r.cancellation().cancel(TaskOutcome.canceled("The task was canceled."));
    }

    private void loop() {
        while (!closed) {
            try {
                wake.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
            try {
                long began = System.nanoTime();
                long rest = tick().toNanos() - (System.nanoTime() - began);
                if (rest > 0) TimeUnit.NANOSECONDS.sleep(rest);
                if (failing) log.info("task processing works again");
                failing = false;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!failing && !closed) log.warn("task processing failed, retrying: {}", e.getMessage());
                failing = true;
            }
        }
    }

    /** Claims what the node has room for; returns how long to wait before the next claim. */
    private Duration tick() {
        if (node.mustFence()) return Duration.ZERO;
        if (claimReplyLost || System.nanoTime() - lastAdoptionNanos >= POLL.toNanos()) {
            adoptLostClaims();
            claimReplyLost = false;
            lastAdoptionNanos = System.nanoTime();
        }
        if (!claiming || node.draining() || node.storageProblem() != null) return Duration.ZERO;
        int free = node.settings().maxConcurrentTasks() - running.size();
        if (free <= 0) return Duration.ZERO;
        boolean wholeQueue = claimedUpTo == null || System.nanoTime() - lastWholeQueueClaimNanos >= POLL.toNanos();
        List<TaskRecord> claimed;
        try {
            claimed = queue.claim(node.id(), free, wholeQueue ? null : claimedUpTo.minus(LATE_COMMIT_MARGIN));
        } catch (RuntimeException e) {
            claimReplyLost = true;
            throw e;
        }
        if (wholeQueue) lastWholeQueueClaimNanos = System.nanoTime();
        if (!claimed.isEmpty()) claimedUpTo = claimed.getLast().queueTime();
        for (TaskRecord task : claimed) start(task);
        if (claimed.size() == free) {
            awaitFreeSlots(Math.max(1, node.settings().maxConcurrentTasks() / 2), MAX_BACKLOG_WAIT);
            return SPACING_WHEN_FULL;
        }
        Duration spacing = SPACING_PER_CLAIMED_TASK.multipliedBy(claimed.size());
        return spacing.compareTo(MAX_SPACING) < 0 ? spacing : MAX_SPACING;
    }

    private void housekeep() {
        if (closed || node.mustFence()) return;
        try {
            queue.expireQueued();
            queue.failTasksOfOfflineNodes();
            if (System.nanoTime() - lastDeletedNodesSweepNanos >= DELETED_NODES_SWEEP.toNanos()) {
                queue.failTasksOfDeletedNodes();
                lastDeletedNodesSweepNanos = System.nanoTime();
            }
            recurring.enqueueDue(queueTimeout);
            reconcileRunning();
            if (housekeepingFails) log.info("queue housekeeping works again");
            housekeepingFails = false;
        } catch (RuntimeException e) {
            if (!housekeepingFails && !closed) log.warn("queue housekeeping failed, retrying: {}", e.getMessage());
            housekeepingFails = true;
        }
    }

    private void start(TaskRecord task) {
        Cancellation cancellation = new Cancellation();
        running.put(task.number(), new Running(task, cancellation));
        Thread.ofVirtual().name("task-" + task.id()).start(() -> execute(task, cancellation));
    }

    private void execute(TaskRecord task, Cancellation cancellation) {
        TaskOutcome outcome;
        boolean warnings = false;
        Path work = workRoot.resolve(task.id());
        try (TaskLog taskLog = new TaskLog(storage.taskLog(task.id()))) {
            taskLog.info("Task " + task.id() + " (" + task.name() + ") started on node " + node.name());
            TaskContext context = new TaskContext(task, taskLog, cancellation, work);
            outcome = runSafely(task, context);
            try {
                artifacts.collect(task, context.artifactsDirectory(), taskLog);
            } catch (RuntimeException e) {
                taskLog.error("Artifacts could not be stored: " + e.getMessage());
            }
            if (outcome.state() == TaskState.Success) taskLog.info("Task finished: Success");
            else taskLog.error("Task finished: " + outcome.state() + ": " + outcome.errorMessage());
            warnings = taskLog.hasWarningsOrErrors();
        } catch (RuntimeException e) {
            outcome = TaskOutcome.failed("The task log cannot be written on the shared directory: " + e.getMessage());
        } finally {
            try {
                FileTrees.deleteTree(work);
            } catch (RuntimeException e) {
                log.warn("could not remove the working directory {}: {}", work, e.getMessage());
            }
        }
        finished.add(new TaskQueue.Completion(task.number(), outcome, warnings));
        recordWake.release();
    }

    private TaskOutcome runSafely(TaskRecord task, TaskContext context) {
        try {
            return types.get(task.name()).run(context);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return context.cancellation().isCancelled() ? context.cancellation().outcome()
                    : TaskOutcome.failed("The task was interrupted.");
        } catch (Exception e) {
            if (context.cancellation().isCancelled()) return context.cancellation().outcome();
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            context.log().error(message);
            return TaskOutcome.failed(message);
        }
    }

    private void recordLoop() {
        boolean recordingFails = false;
        while (!closed) {
            try {
                recordWake.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS);
                recordWake.drainPermits();
                if (finished.isEmpty() || node.mustFence()) continue;
                recordFinished();
                if (recordingFails) log.info("recording finished tasks works again");
                recordingFails = false;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!recordingFails && !closed) log.warn("recording finished tasks failed, retrying: {}", e.getMessage());
                recordingFails = true;
                try {
                    Thread.sleep(RECORD_RETRY.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /**
     * Records every finished run in one statement and frees their slots. If the database is away the runs
     * stay pending and are tried again, so an outcome is never lost while this node lives.
     */
    private void recordFinished() {
        List<TaskQueue.Completion> batch = new ArrayList<>();
        for (TaskQueue.Completion c = finished.poll(); c != null; c = finished.poll()) batch.add(c);
        if (batch.isEmpty()) return;
        synchronized (recording) {
            Set<Long> recorded;
            try {
                recorded = queue.complete(node.id(), batch);
            } catch (RuntimeException e) {
                finished.addAll(batch);
                throw e;
            }
            for (TaskQueue.Completion c : batch) {
                if (!recorded.contains(c.number())) {
                    log.warn("{}{} ended as {} but was no longer running on this node: another node had failed it, or an earlier attempt that lost its reply had recorded it",
                            TaskRecord.ID_PREFIX, c.number(), c.outcome().state());
                }
                running.remove(c.number());
            }
        }
        synchronized (idle) {
            idle.notifyAll();
        }
        wake();
    }

    /** Backstop for notifications: stop tasks canceled elsewhere, and tasks another node failed meanwhile. */
    private void reconcileRunning() {
        List<Long> numbers = List.copyOf(running.keySet());
        if (numbers.isEmpty()) return;
        Map<Long, TaskRecord> stored = queue.list(new TaskFilter(numbers, null, null, null, null), 0, Integer.MAX_VALUE)
                .stream().collect(Collectors.toMap(TaskRecord::number, Function.identity()));
        // Only tasks that were running before the read: a task claimed since then is not in it.
        for (Long number : numbers) {
            Running r = running.get(number);
            if (r == null) continue;
            TaskRecord now = stored.get(number);
            if (now == null || !node.id().equals(now.serverNode()) || now.state().isCompleted()) {
                r.cancellation().cancel(TaskOutcome.failed("The task was taken away from node " + node.name() + "."));
            } else if (now.state() == TaskState.Cancelling) {
                r.cancellation().cancel(TaskOutcome.canceled("The task was canceled."));
            }
        }
    }

    /**
     * A claim commits in the statement that makes it, so a connection lost during that statement may have lost
     * only the reply: the database then says this node runs tasks it never started. They were claimed once and
     * their start is recorded, so they run here now rather than being lost or claimed a second time.
     */
    private void adoptLostClaims() {
        synchronized (recording) {
            for (TaskRecord task : queue.runningOn(node.id())) {
                if (running.containsKey(task.number())) continue;
                log.warn("{} was claimed by this node but the reply was lost with the database connection: starting it now", task.id());
                start(task);
                if (task.state() == TaskState.Cancelling) cancelRequested(task.number());
            }
        }
    }

    /** The database has been away for half of OFFLINE_AFTER: stop everything before others declare us offline. */
    private void fence() {
        if (running.isEmpty()) return;
        List<Running> unfenced = running.values().stream().filter(r -> !r.cancellation().isCancelled()).toList();
        if (unfenced.isEmpty()) return;
        log.warn("no database for half of OCTOPUS_OFFLINE_AFTER: stopping {} running task(s)", unfenced.size());
        unfenced.forEach(r -> r.cancellation().cancel(TaskOutcome.failed("Node " + node.name()
                + " lost its database connection and stopped this task, so that it could never run on two nodes.")));
    }

    /**
     * For SIGTERM: starts nothing new, waits up to {@code grace} for running tasks, then cancels what is
     * left and waits for those cancellations to be recorded.
     */
    public void drain(Duration grace) {
        claiming = false;
        if (!awaitIdle(grace)) {
            log.warn("{} task(s) still running after OCTOPUS_SHUTDOWN_GRACE ({}): canceling them", running.size(), grace);
            running.values().forEach(r -> r.cancellation().cancel(TaskOutcome.canceled(
                    "Node " + node.name() + " shut down before the task finished (OCTOPUS_SHUTDOWN_GRACE " + grace + ").")));
            awaitIdle(Duration.ofSeconds(30));
        }
    }

    /** Waits until {@code slots} are free or {@code timeout} has passed; recordings notify {@link #idle}. */
    private void awaitFreeSlots(int slots, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (node.settings().maxConcurrentTasks() - running.size() < slots && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return;
                try {
                    TimeUnit.NANOSECONDS.timedWait(idle, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (!running.isEmpty()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) return false;
                try {
                    idle.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    @Override
    public void close() {
        claiming = false;
        fenceWatch.shutdownNow();
        housekeeping.shutdownNow();
        running.values().forEach(r -> r.cancellation().cancel(TaskOutcome.canceled("Node " + node.name() + " stopped.")));
        awaitIdle(Duration.ofSeconds(10));
        closed = true;
        loop.interrupt();
        recorder.interrupt();
    }
}
