package io.octopusha.node.tasks;

import io.octopusha.node.cluster.LocalNode;
import io.octopusha.node.queue.TaskQueue;
import io.octopusha.node.queue.TaskRecord;
import io.octopusha.node.queue.TaskState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A claim commits in the statement that makes it, so a connection lost during that statement may have lost only the
 * reply: the database then says this node runs tasks it never started. They were claimed once and their start is
 * recorded, so they run here now rather than being lost or claimed a second time.
 */
final class LostClaimAdoption {
    private static final Logger log = LoggerFactory.getLogger(LostClaimAdoption.class);

    private final TaskQueue queue;
    private final LocalNode node;
    private final RunningTasks running;
    private final TaskRunner runner;
    private final OutcomeRecorder recorder;

    LostClaimAdoption(TaskQueue queue, LocalNode node, RunningTasks running, TaskRunner runner, OutcomeRecorder recorder) {
        this.queue = queue;
        this.node = node;
        this.running = running;
        this.runner = runner;
        this.recorder = recorder;
    }

    /** Starts the tasks the database has as running on this node that hold no slot here. */
    void adopt() {
        recorder.betweenRecordings(() -> {
            for (TaskRecord task : queue.runningOn(node.id())) {
                if (running.contains(task.number())) continue;
                log.warn("{} was claimed by this node but the reply was lost with the database connection: starting it now", task.id());
                runner.start(task);
                if (task.state() == TaskState.Cancelling) running.cancelRequested(task.number());
            }
        });
    }
}
