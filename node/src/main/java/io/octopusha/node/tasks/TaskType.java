package io.octopusha.node.tasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.octopusha.node.auth.Role;
import io.octopusha.node.queue.TaskOutcome;

/** A kind of task a node can run, by its Octopus name. */
public interface TaskType {
    String name();

    /**
     * Whether this is a system task: one that acts on the whole cluster rather than on a space, and that the cluster
     * also schedules for itself. Listings leave them out with {@code includeSystem=false}.
     */
    default boolean isSystem() {
        return false;
    }

    /** The description a task of this type gets when its creator gives none. */
    String defaultDescription();

    /**
     * Refuses (ForbiddenException) a caller who may not create tasks of this type through this node. The route has
     * already checked the Operator role that creating any task needs.
     */
    default void authorize(Role caller) {
    }

    /** Checks arguments when a task is created, so that bad ones are a 400 and nothing is queued. */
    void validate(ObjectNode arguments);

    /**
     * Runs the task. Ends early when {@code context.cancellation()} fires, returning its outcome. An exception
     * fails the task with its message.
     */
    TaskOutcome run(TaskContext context) throws Exception;
}
