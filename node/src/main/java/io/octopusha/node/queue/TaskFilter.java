package io.octopusha.node.queue;

import java.util.List;
import java.util.Set;

/** What a task listing asks for; null fields do not filter. {@code nodes} holds node Ids. */
public record TaskFilter(List<Long> numbers, Set<TaskState> states, List<String> nodes, List<String> names,
                         List<String> spaces) {
}
