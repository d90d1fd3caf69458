package io.octopusha.node.tasks;

import io.octopusha.node.cluster.LocalNode;
import io.octopusha.node.queue.TaskQueue;
import io.octopusha.node.queue.TaskRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The claim loop: whenever it is woken (a task was queued, a slot freed, the cap or drain changed) and at least once a
 * {@link #POLL}, it claims tasks up to the node's free slots in one statement and starts each. A drained, shutting-down
 * or fenced node, or one whose shared directory fails, claims nothing.
 */
final class ClaimLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClaimLoop.class);
    private static final Duration POLL = Duration.ofSeconds(1);
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
    private final LocalNode node;
    private final RunningTasks running;
    private final TaskRunner runner;
    private final LostClaimAdoption adoption;
    private final Semaphore wake = new Semaphore(0);
    private final Thread thread;
    private volatile boolean claiming = true;
    private volatile boolean closed;
    /** A claim failed, perhaps after it committed: look for lost claims before claiming again (and every second). */
    private boolean claimReplyLost;
    private long lastAdoptionNanos;
    /** Queue time of the newest task of this node's last claim that took any; null until then. */
    private OffsetDateTime claimedUpTo;
    private long lastWholeQueueClaimNanos;
    private boolean failing;

    ClaimLoop(TaskQueue queue, LocalNode node, RunningTasks running, TaskRunner runner, LostClaimAdoption adoption) {
        this.queue = queue;
        this.node = node;
        this.running = running;
        this.runner = runner;
        this.adoption = adoption;
        this.thread = Thread.ofPlatform().daemon().name("task-claims").unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    /** Look at the queue now rather than at the next poll. */
    void wake() {
        wake.release();
    }

    /** For good: the node is shutting down or closing. */
    void stopClaiming() {
        claiming = false;
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
                long rest = claim().toNanos() - (System.nanoTime() - began);
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
    private Duration claim() {
        if (node.mustFence()) return Duration.ZERO;
        if (claimReplyLost || System.nanoTime() - lastAdoptionNanos >= POLL.toNanos()) {
            adoption.adopt();
            claimReplyLost = false;
            lastAdoptionNanos = System.nanoTime();
        }
        if (!claiming || node.draining() || node.storageProblem() != null) return Duration.ZERO;
        int free = running.freeSlots();
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
        for (TaskRecord task : claimed) runner.start(task);
        if (claimed.size() == free) {
            running.awaitFreeSlots(Math.max(1, node.settings().maxConcurrentTasks() / 2), MAX_BACKLOG_WAIT);
            return SPACING_WHEN_FULL;
        }
        Duration spacing = SPACING_PER_CLAIMED_TASK.multipliedBy(claimed.size());
        return spacing.compareTo(MAX_SPACING) < 0 ? spacing : MAX_SPACING;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
