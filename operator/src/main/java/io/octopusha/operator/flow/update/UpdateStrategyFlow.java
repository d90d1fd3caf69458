package io.octopusha.operator.flow.update;

import io.octopusha.operator.crd.UpgradeStrategy;

/** How outdated pods are drained and restarted (pods are only restarted by the operator: OnDelete). */
public interface UpdateStrategyFlow {

    RolloutStep next(RolloutState state);

    static UpdateStrategyFlow of(UpgradeStrategy strategy) {
        return switch (strategy) {
            case DrainAll -> new DrainAllUpdate();
            case Rolling -> new RollingUpdate();
        };
    }
}
