package io.octopusha.node.queue;

import java.util.EnumSet;
import java.util.Set;

/** A task's state (SPEC section 4). */
public enum TaskState {
    Queued, Executing, Cancelling, Success, Failed, Canceled, TimedOut;

    public static final Set<TaskState> RUNNING = EnumSet.of(Executing, Cancelling);
    public static final Set<TaskState> ACTIVE = EnumSet.of(Queued, Executing, Cancelling);
    public static final Set<TaskState> FINISHED = EnumSet.complementOf(EnumSet.of(Queued, Executing, Cancelling));
    /** What an administrator may mark a finished task as (Octopus's "change state"). */
    public static final Set<TaskState> MARKABLE = EnumSet.of(Success, Failed, Canceled);

    public boolean isCompleted() {
        return !ACTIVE.contains(this);
    }
}
