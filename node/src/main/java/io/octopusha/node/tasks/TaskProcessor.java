package io.octopusha.node.tasks;

import io.octopusha.node.cluster.LocalNode;
import io.octopusha.node.queue.RecurringTasks;
import io.octopusha.node.queue.TaskOutcome;
import io.octopusha.node.queue.TaskQueue;
import io.octopusha.node.storage.ArtifactStore;
import io.octopusha.node.storage.TaskLogStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs this node's share of the queue. Its parts, each a class of this package:
 * <ul>
 *   <li>{@link ClaimLoop} claims tasks up to the node's free slots ({@link RunningTasks}) in one statement,</li>
 *   <li>{@link TaskRunner} runs each claimed task on a virtual thread of its own,</li>
 *   <li>{@link OutcomeRecorder} records finished runs in batches and frees their slots,</li>
 *   <li>{@link LostClaimAdoption} starts tasks whose claim committed but whose reply was lost,</li>
 *   <li>{@link FenceWatchdog} stops every task when the database has been away too long,</li>
 *   <li>{@link ClusterHousekeeping} does, once a second, what any node may do for the whole cluster,</li>
 *   <li>{@link Shutdown} is the SIGTERM wait for running tasks.</li>
 * </ul>
 */
public final class TaskProcessor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TaskProcessor.class);
    private static final Duration CANCELED_RECORDED_WITHIN = Duration.ofSeconds(10);

    private final TaskQueue queue;
    private final LocalNode node;
    private final RunningTasks running;
    private final OutcomeRecorder recorder;
    private final ClaimLoop claims;
    private final FenceWatchdog fenceWatchdog;
    private final ClusterHousekeeping housekeeping;
    private final Shutdown shutdown;

    public TaskProcessor(TaskQueue queue, TaskTypes types, LocalNode node, TaskLogStore logs, ArtifactStore artifacts,
                         Path workRoot, RecurringTasks recurring, Duration queueTimeout) {
        this.queue = queue;
        this.node = node;
        this.running = new RunningTasks(node);
        this.recorder = new OutcomeRecorder(queue, node, running, this::wake);
        TaskRunner runner = new TaskRunner(types, node, logs, artifacts, workRoot, running, recorder);
        this.claims = new ClaimLoop(queue, node, running, runner,
                new LostClaimAdoption(queue, node, running, runner, recorder));
        this.fenceWatchdog = new FenceWatchdog(node, running);
        this.housekeeping = new ClusterHousekeeping(queue, node, running, recurring, queueTimeout);
        this.shutdown = new Shutdown(node, running, claims);
    }

    public void start() {
        int lost = queue.failLeftoversOf(node.id());
        if (lost > 0) log.warn("{} task(s) this node was running before it restarted are marked Failed", lost);
        claims.start();
        recorder.start();
        fenceWatchdog.start();
        housekeeping.start();
    }

    /** Look at the queue now rather than at the next poll. */
    public void wake() {
        claims.wake();
    }

    public int runningCount() {
        return running.count();
    }

    /** A cancel requested anywhere in the cluster, for a task this node may be running. */
    public void cancelRequested(long number) {
        running.cancelRequested(number);
    }

    /** For SIGTERM: see {@link Shutdown}. */
    public void shutdown(Duration grace) {
        shutdown.await(grace);
    }

    @Override
    public void close() {
        claims.stopClaiming();
        fenceWatchdog.close();
        housekeeping.close();
        running.cancelAll(TaskOutcome.canceled("Node " + node.name() + " stopped."));
        running.awaitIdle(CANCELED_RECORDED_WITHIN);
        claims.close();
        recorder.close();
    }
}
