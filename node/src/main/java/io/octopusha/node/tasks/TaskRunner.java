package io.octopusha.node.tasks;

import io.octopusha.node.cluster.LocalNode;
import io.octopusha.node.queue.TaskOutcome;
import io.octopusha.node.queue.TaskQueue;
import io.octopusha.node.queue.TaskRecord;
import io.octopusha.node.queue.TaskState;
import io.octopusha.node.storage.ArtifactStore;
import io.octopusha.node.storage.FileTrees;
import io.octopusha.node.storage.TaskLog;
import io.octopusha.node.storage.TaskLogStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * Runs one claimed task on a virtual thread of its own: its log on the shared directory, its type's work in a private
 * working directory, its artifacts collected at the end, and its outcome handed to the {@link OutcomeRecorder}.
 */
final class TaskRunner {
    private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);

    private final TaskTypes types;
    private final LocalNode node;
    private final TaskLogStore logs;
    private final ArtifactStore artifacts;
    private final Path workRoot;
    private final RunningTasks running;
    private final OutcomeRecorder recorder;

    TaskRunner(TaskTypes types, LocalNode node, TaskLogStore logs, ArtifactStore artifacts, Path workRoot,
               RunningTasks running, OutcomeRecorder recorder) {
        this.types = types;
        this.node = node;
        this.logs = logs;
        this.artifacts = artifacts;
        this.workRoot = workRoot;
        this.running = running;
        this.recorder = recorder;
    }

    /** Takes a slot for the task and starts it. */
    void start(TaskRecord task) {
        Cancellation cancellation = new Cancellation();
        running.add(task, cancellation);
        Thread.ofVirtual().name("task-" + task.id()).start(() -> run(task, cancellation));
    }

    private void run(TaskRecord task, Cancellation cancellation) {
        TaskOutcome outcome;
        boolean warnings = false;
        Path work = workRoot.resolve(task.id());
        try (TaskLog taskLog = logs.append(task.id())) {
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
        recorder.finished(new TaskQueue.Completion(task.number(), outcome, warnings));
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
}
