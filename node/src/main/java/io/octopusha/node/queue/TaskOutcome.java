package io.octopusha.node.queue;

/** How a run ended: the final state and, unless it succeeded, why. */
public record TaskOutcome(TaskState state, String errorMessage) {
    public static TaskOutcome success() {
        return new TaskOutcome(TaskState.Success, null);
    }

    public static TaskOutcome failed(String why) {
        return new TaskOutcome(TaskState.Failed, why);
    }

    public static TaskOutcome canceled(String why) {
        return new TaskOutcome(TaskState.Canceled, why);
    }
}
