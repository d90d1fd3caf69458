package io.octopusha.node.tasks;

import io.octopusha.node.input.InvalidInputException;
import io.octopusha.node.queue.TaskRecord;
import io.octopusha.node.storage.TaskLog;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A task's log as Octopus's activity tree ({@code ActivityLogs} of a task's details): one root activity for the task,
 * with the log's lines as its log elements. Verbose lines are left out unless asked for; {@code ranges} and
 * {@code tail} choose which lines.
 */
public final class TaskActivity {
    private static final Pattern RANGE = Pattern.compile("(\\d{1,9})-(\\d{1,9})");
    private static final int MAX_RANGES = 100;

    private TaskActivity() {
    }

    public record LogElement(String category, OffsetDateTime occurredAt, String messageText, String detail) {
    }

    public record ActivityElement(String id, String name, OffsetDateTime started, OffsetDateTime ended, String status,
                                  List<ActivityElement> children, boolean showAtSummaryLevel, List<LogElement> logElements,
                                  int progressPercentage, String progressMessage) {
    }

    /** Lines {@code from} to {@code to} (0-based, both included) of the log as shown; several ranges choose the lines any covers. */
    public record Range(int from, int to) {
    }

    /** {@code ranges} as a query parameter gives it: {@code 0-99,200-299}. */
    public static List<Range> parseRanges(String raw) {
        if (raw == null || raw.isBlank()) return null;
        List<Range> ranges = new ArrayList<>();
        for (String part : raw.split(",")) {
            Matcher m = RANGE.matcher(part.strip());
            if (!m.matches() || Integer.parseInt(m.group(1)) > Integer.parseInt(m.group(2)) || ranges.size() == MAX_RANGES) {
                throw new InvalidInputException("ranges must be up to " + MAX_RANGES + " comma-separated line ranges such as 0-99,200-299"
                        + " (0-based, first not after last).");
            }
            ranges.add(new Range(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
        }
        return ranges;
    }

    public static ActivityElement of(TaskRecord task, List<String> logLines, boolean verbose, List<Range> ranges, Integer tail) {
        List<LogElement> elements = new ArrayList<>();
        for (String line : logLines) {
            TaskLog.Entry entry = TaskLog.Entry.parse(line);
            if (!verbose && entry.category().equals(TaskLog.Category.Verbose.name())) continue;
            elements.add(new LogElement(entry.category(), entry.occurredAt(), entry.messageText(), null));
        }
        if (ranges != null) {
            // The lines any range covers, once each and in the log's order: overlapping ranges cannot multiply a log.
            BitSet wanted = new BitSet();
            for (Range r : ranges) {
                if (r.from() < elements.size()) wanted.set(r.from(), Math.min(r.to(), elements.size() - 1) + 1);
            }
            List<LogElement> chosen = new ArrayList<>();
            for (int i = wanted.nextSetBit(0); i >= 0; i = wanted.nextSetBit(i + 1)) chosen.add(elements.get(i));
            elements = chosen;
        }
        if (tail != null && elements.size() > tail) elements = elements.subList(elements.size() - tail, elements.size());
        boolean done = task.state().isCompleted();
        return new ActivityElement(task.id() + "_activity", task.description(), task.startTime(), task.completedTime(),
                status(task), List.of(), true, List.copyOf(elements), done ? 100 : 0, done ? null : task.state().name());
    }

    /** Octopus's ActivityStatus for the task's state. */
    public static String status(TaskRecord task) {
        return switch (task.state()) {
            case Queued -> "Pending";
            case Executing, Cancelling -> "Running";
            case Success -> task.hasWarningsOrErrors() ? "SuccessWithWarning" : "Success";
            case Failed, TimedOut -> "Failed";
            case Canceled -> "Canceled";
        };
    }
}
