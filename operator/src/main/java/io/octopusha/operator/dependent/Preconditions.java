package io.octopusha.operator.dependent;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.octopusha.operator.crd.Defaults;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.model.AdminApiKey;

/** When the optional dependents exist; when a precondition stops holding, JOSDK deletes the dependent. */
public final class Preconditions {
    private Preconditions() {
    }

    public static class GeneratesAdminKey implements Condition<Object, OctopusCluster> {
        @Override
        public boolean isMet(DependentResource<Object, OctopusCluster> dependent, OctopusCluster cluster,
                             Context<OctopusCluster> context) {
            return AdminApiKey.generated(cluster);
        }
    }

    public static class CreatesSharedClaim implements Condition<Object, OctopusCluster> {
        @Override
        public boolean isMet(DependentResource<Object, OctopusCluster> dependent, OctopusCluster cluster,
                             Context<OctopusCluster> context) {
            return Defaults.existingClaim(cluster.getSpec()).isEmpty();
        }
    }

    public static class IngressEnabled implements Condition<Object, OctopusCluster> {
        @Override
        public boolean isMet(DependentResource<Object, OctopusCluster> dependent, OctopusCluster cluster,
                             Context<OctopusCluster> context) {
            return Defaults.ingressEnabled(cluster.getSpec());
        }
    }
}
