package io.octopusha.operator.flow.update;

import io.octopusha.operator.flow.PodView;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A rollout as the update strategies see it.
 *
 * @param memberNames  names of the nodes that stay in the cluster (ordinals below the allowed replicas)
 * @param members      the pods of those nodes that exist, by ordinal
 * @param outdated     members created from an older pod template
 * @param inRollout    nodes the operator drained for the rollout (from status bookkeeping)
 * @param drainSettled the node runs nothing more, or its drain timed out
 * @param back         the node runs the new template and has checked in
 * @param available    the node's pod is ready (a drained node still serves the API and is ready)
 */
public record RolloutState(List<String> memberNames, List<PodView> members, Set<String> outdated, Set<String> inRollout,
                           Predicate<String> drainSettled, Predicate<String> back, Predicate<String> available) {
}
