package io.octopusha.node.tasks;

import io.octopusha.node.input.InvalidInputException;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The task types this node runs, by name. */
public final class TaskTypes {
    private final Map<String, TaskType> byName;

    public TaskTypes(List<TaskType> types) {
        this.byName = types.stream().collect(Collectors.toUnmodifiableMap(TaskType::name, Function.identity()));
    }

    /** Every type, by name. */
    public List<TaskType> all() {
        return byName.values().stream().sorted(java.util.Comparator.comparing(TaskType::name)).toList();
    }

    /** The names of the system task types (see {@link TaskType#isSystem()}). */
    public List<String> systemNames() {
        return all().stream().filter(TaskType::isSystem).map(TaskType::name).toList();
    }

    /** The type of that name; an unknown name is a 400 listing the known ones. */
    public TaskType get(String name) {
        TaskType type = byName.get(name);
        if (type == null) {
            throw new InvalidInputException("There is no task type named '" + name + "'; known: "
                    + String.join(", ", byName.keySet().stream().sorted().toList()) + ".");
        }
        return type;
    }
}
