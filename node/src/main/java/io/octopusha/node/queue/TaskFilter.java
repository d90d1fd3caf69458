package io.octopusha.node.queue;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;

/**
 * What a task listing asks for; null fields do not filter. {@code nodes} holds node Ids; {@code names} task type
 * names, matched exactly; {@code partialName} and {@code descriptionContains} are case-insensitive substrings of the
 * task's Name and Description; {@code excludedNames} are left out (system task types, for {@code includeSystem=false}).
 */
public record TaskFilter(List<Long> numbers, Set<TaskState> states, List<String> nodes, List<String> names,
                         List<String> spaces, String partialName, String descriptionContains, List<String> excludedNames,
                         TimeRange queued, TimeRange started, TimeRange completed) {

    /** Inclusive bounds; a null bound is open. */
    public record TimeRange(OffsetDateTime from, OffsetDateTime to) {
        public static final TimeRange ANY = new TimeRange(null, null);

        public boolean isAny() {
            return from == null && to == null;
        }
    }

    public TaskFilter(List<Long> numbers, Set<TaskState> states, List<String> nodes, List<String> names, List<String> spaces) {
        this(numbers, states, nodes, names, spaces, null, null, null, TimeRange.ANY, TimeRange.ANY, TimeRange.ANY);
    }
}
