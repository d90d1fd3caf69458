package io.octopusha.node.tasks;

import io.octopusha.node.auth.Role;
import io.octopusha.node.input.InvalidInputException;
import io.octopusha.node.queue.Enqueuer;
import io.octopusha.node.queue.TaskQueue;
import io.octopusha.node.queue.TaskRecord;
import io.octopusha.node.queue.TaskState;
import io.octopusha.node.storage.TaskLog;
import io.octopusha.node.storage.TaskLogStore;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * What an administrator does to a task after creating it, besides canceling: run it again, mark a finished task's
 * outcome, move a queued task to the front of the queue. Each change is a guarded statement, so a race with a node
 * claiming or finishing the task makes the call fail cleanly instead of changing a task in the wrong state.
 */
public final class TaskAdministration {
    private final TaskQueue queue;
    private final TaskTypes types;
    private final Enqueuer enqueuer;
    private final TaskLogStore logs;
    private final Duration queueTimeout;

    public TaskAdministration(TaskQueue queue, TaskTypes types, Enqueuer enqueuer, TaskLogStore logs, Duration queueTimeout) {
        this.queue = queue;
        this.types = types;
        this.enqueuer = enqueuer;
        this.logs = logs;
        this.queueTimeout = queueTimeout;
    }

    /** Whether a task can be run again: once it has finished, whatever its outcome (Octopus's CanRerun). */
    public static boolean canRerun(TaskRecord task) {
        return task.state().isCompleted();
    }

    /**
     * Queues a new task with the same space, name, description and arguments as {@code original}. The caller must be
     * allowed to create that type (a script needs what creating a script needs).
     */
    public TaskRecord rerun(TaskRecord original, Role caller) {
        if (!canRerun(original)) {
            throw new InvalidInputException("This task cannot be re-run: " + original.id() + " is " + original.state()
                    + "; only a finished task can be re-run.");
        }
        TaskType type = types.get(original.name());
        type.authorize(caller);
        type.validate(original.arguments());
        return enqueuer.enqueue(new TaskQueue.NewTask(original.spaceId(), type.name(), original.description(),
                original.arguments().deepCopy(), OffsetDateTime.now().plus(queueTimeout)));
    }

    /**
     * Marks a finished task Success, Failed or Canceled, with the reason in its error message (none for Success) and in
     * its log. Returns the state it had.
     */
    public TaskState markAs(TaskRecord task, TaskState newState, String reason, String who) {
        if (!TaskState.MARKABLE.contains(newState)) {
            throw new InvalidInputException("A task can only be marked as " + List.copyOf(TaskState.MARKABLE) + ", not " + newState + ".");
        }
        TaskState before = queue.changeFinishedState(task.number(), newState,
                newState == TaskState.Success ? null : reason).orElseThrow(() -> new InvalidInputException(
                "Only a finished task's state can be changed; " + task.id() + " is " + currentState(task) + "."));
        try (TaskLog log = logs.append(task.id())) {
            log.write(newState == TaskState.Success ? TaskLog.Category.Info : TaskLog.Category.Warning,
                    "State changed from " + before + " to " + newState + " by " + who + ": " + reason);
        } catch (RuntimeException e) {
            // The change is made and in the audit trail; the log line is a courtesy the shared directory may refuse.
            org.slf4j.LoggerFactory.getLogger(TaskAdministration.class)
                    .warn("the state change of {} could not be written to its log: {}", task.id(), e.getMessage());
        }
        return before;
    }

    /** Moves a queued task to the front of the queue. */
    public void moveToFront(TaskRecord task) {
        if (!queue.moveToFront(task.number())) {
            throw new InvalidInputException("Only a queued task can be prioritized; " + task.id() + " is " + currentState(task) + ".");
        }
    }

    private String currentState(TaskRecord task) {
        return queue.find(task.number()).map(t -> t.state().name()).orElse("gone");
    }
}
