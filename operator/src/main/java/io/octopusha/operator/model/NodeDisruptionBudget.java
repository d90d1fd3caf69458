package io.octopusha.operator.model;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.octopusha.operator.crd.OctopusCluster;

/**
 * One node down at a time during evictions (rolling OS patching). A pod that is not ready, e.g. a drained node
 * answering 418, may still be evicted (AlwaysAllow), otherwise one drained node would block every node drain.
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
