package io.octopusha.operator.flow.update;

import io.octopusha.operator.flow.PodView;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * One node at a time, highest ordinal first: drain it, restart it when it runs nothing, undrain it when it is back,
 * and only start on the next one when every node serves again.
 */
public final class RollingUpdate implements UpdateStrategyFlow {

    @Override
    public RolloutStep next(RolloutState state) {
        List<String> current = state.inRollout().stream()
                .filter(n -> state.outdated().contains(n) || !state.back().test(n))
                .sorted().toList();
        if (!current.isEmpty()) {
            return new RolloutStep(Set.copyOf(current), current.stream()
                    .filter(n -> state.outdated().contains(n) && state.drainSettled().test(n)).toList());
        }
        boolean everyNodeServes = state.memberNames().stream().allMatch(state.available());
        return state.members().stream()
                .filter(p -> state.outdated().contains(p.name()))
                .max(Comparator.comparingInt(PodView::ordinal))
                .filter(p -> everyNodeServes)
                .map(p -> new RolloutStep(Set.of(p.name()),
                        state.drainSettled().test(p.name()) ? List.of(p.name()) : List.of()))
                .orElse(RolloutStep.NONE);
    }
}
