package io.octopusha.node.tasks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.octopusha.node.input.InvalidInputException;
import io.octopusha.node.queue.TaskRecord;
import io.octopusha.node.queue.TaskState;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The activity tree of a task's details: which log lines verbose, ranges and tail choose, and Octopus's statuses. */
class TaskActivityTest {
    private static TaskRecord task(TaskState state, boolean warnings) {
        OffsetDateTime now = OffsetDateTime.now();
        return new TaskRecord(7, "Spaces-1", "Delay", "Wait a bit", JsonNodeFactory.instance.objectNode(), state, now, now,
                now, state.isCompleted() ? now : null, now, "OctopusServerNodes-a", null, warnings);
    }

    private static List<String> log(int lines) {
        List<String> log = new ArrayList<>();
        for (int i = 0; i < lines; i++) {
            log.add("2030-01-01T00:00:0" + (i % 10) + "Z " + (i % 5 == 4 ? "Verbose" : "Info") + " line " + i);
        }
        return log;
    }

    private static List<String> messages(TaskActivity.ActivityElement activity) {
        return activity.logElements().stream().map(TaskActivity.LogElement::messageText).toList();
    }

    @Test
    void verboseLinesShowOnlyWhenAskedAndRangesAndTailChooseAmongTheRest() {
        var quiet = TaskActivity.of(task(TaskState.Success, false), log(10), false, null, null);
        assertThat(messages(quiet)).containsExactly("line 0", "line 1", "line 2", "line 3", "line 5", "line 6", "line 7", "line 8");
        assertThat(TaskActivity.of(task(TaskState.Success, false), log(10), true, null, null).logElements()).hasSize(10);

        var ranged = TaskActivity.of(task(TaskState.Success, false), log(10), true, TaskActivity.parseRanges("6-8,0-1,7-100"), null);
        assertThat(messages(ranged)).as("each line once, in the log's order").containsExactly("line 0", "line 1", "line 6", "line 7", "line 8", "line 9");
        var tailed = TaskActivity.of(task(TaskState.Success, false), log(10), true, TaskActivity.parseRanges("0-5"), 2);
        assertThat(messages(tailed)).containsExactly("line 4", "line 5");
        assertThat(TaskActivity.of(task(TaskState.Success, false), log(3), true, TaskActivity.parseRanges("50-60"), null).logElements()).isEmpty();
    }

    @Test
    void badRangesAreRefused() {
        for (String bad : List.of("5-1", "x", "-3", "1-2-3", " ,", "1_2", "1-2,,3-4")) {
            assertThatThrownBy(() -> TaskActivity.parseRanges(bad)).as(bad).isInstanceOf(InvalidInputException.class);
        }
        assertThat(TaskActivity.parseRanges(" ")).isNull();
        assertThat(TaskActivity.parseRanges("1-2,")).as("a trailing comma, as in ids").containsExactly(new TaskActivity.Range(1, 2));
        assertThatThrownBy(() -> TaskActivity.parseRanges(String.join(",", java.util.Collections.nCopies(101, "0-1"))))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void statusesAreOctopusesActivityStatuses() {
        assertThat(TaskActivity.status(task(TaskState.Queued, false))).isEqualTo("Pending");
        assertThat(TaskActivity.status(task(TaskState.Cancelling, false))).isEqualTo("Running");
        assertThat(TaskActivity.status(task(TaskState.Success, true))).isEqualTo("SuccessWithWarning");
        assertThat(TaskActivity.status(task(TaskState.TimedOut, true))).isEqualTo("Failed");
        assertThat(TaskActivity.status(task(TaskState.Canceled, false))).isEqualTo("Canceled");
        var running = TaskActivity.of(task(TaskState.Executing, false), List.of(), false, null, null);
        assertThat(running.progressPercentage()).isZero();
        assertThat(running.ended()).isNull();
        assertThat(running.showAtSummaryLevel()).isTrue();
    }
}
