package io.octopusha.node.tasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.octopusha.node.input.InvalidInputException;
import io.octopusha.node.input.JsonFields;
import io.octopusha.node.queue.TaskOutcome;

import java.time.Duration;
import java.util.Set;

/** Waits {@code Milliseconds}: a task that only takes a slot, for tests, drills and benchmarks. */
public final class DelayTask implements TaskType {
    static final int MAX_MILLISECONDS = 86_400_000;

    @Override public String name() { return "Delay"; }
    @Override public String defaultDescription() { return "Delay"; }

    @Override
    public void validate(ObjectNode arguments) {
        JsonFields.onlyFields(arguments, "Delay arguments", Set.of("Milliseconds"));
        if (JsonFields.optionalInt(arguments, "Milliseconds", 0, MAX_MILLISECONDS) == null) {
            throw new InvalidInputException("Milliseconds is required: a whole number from 0 to " + MAX_MILLISECONDS + ".");
        }
    }

    @Override
    public TaskOutcome run(TaskContext context) throws InterruptedException {
        int millis = context.task().arguments().get("Milliseconds").intValue();
        context.log().info("Waiting " + millis + " ms");
        if (millis > 0 && context.cancellation().await(Duration.ofMillis(millis))) return context.cancellation().outcome();
        return TaskOutcome.success();
    }
}
