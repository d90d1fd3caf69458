package io.octopusha.operator.flow.update;

import java.util.List;
import java.util.Set;

/** Nodes to keep drained for the rollout, and pods to delete now. */
public record RolloutStep(Set<String> drain, List<String> restart) {
    public static final RolloutStep NONE = new RolloutStep(Set.of(), List.of());
}
