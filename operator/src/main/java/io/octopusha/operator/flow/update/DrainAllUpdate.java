package io.octopusha.operator.flow.update;

import io.octopusha.operator.flow.PodView;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Octopus runs one version per database: drain every outdated node, wait until all of them run nothing (or time out),
 * restart them together, and keep each drained until its new pod is back.
 */
public final class DrainAllUpdate implements UpdateStrategyFlow {

    @Override
    public RolloutStep next(RolloutState state) {
        List<String> outdated = state.members().stream().map(PodView::name).filter(state.outdated()::contains).toList();
        Set<String> drain = new LinkedHashSet<>(outdated);
        state.inRollout().stream().filter(n -> !state.outdated().contains(n) && !state.back().test(n)).forEach(drain::add);
        boolean allSettled = !outdated.isEmpty() && outdated.stream().allMatch(state.drainSettled());
        return new RolloutStep(drain, allSettled ? outdated : List.of());
    }
}
