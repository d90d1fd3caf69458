package io.octopusha.operator.model;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.octopusha.operator.crd.OctopusCluster;

/**
 * One node down at a time during evictions (rolling OS patching). A drained node stays ready (its readiness probe asks
 * whether it can serve the API, not whether it takes tasks), so the budget counts only pods that are really down:
 * evicted, restarting or broken. A pod that is not ready serves nothing and may always be evicted (AlwaysAllow), so a
 * broken pod never blocks a machine's drain; its SIGTERM still waits for whatever it runs.
 */
public final class NodeDisruptionBudget {
    private NodeDisruptionBudget() {
    }

    public static PodDisruptionBudget desired(OctopusCluster cr) {
        return new PodDisruptionBudgetBuilder()
                .withMetadata(Meta.of(cr, Names.podDisruptionBudget(cr)))
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withUnhealthyPodEvictionPolicy("AlwaysAllow")
                .withNewSelector().withMatchLabels(Labels.selector(cr)).endSelector()
                .endSpec()
                .build();
    }
}
