package io.octopusha.operator.dependent;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.octopusha.operator.crd.OctopusCluster;

/**
 * The two inputs of the desired state that the reconciler decides before the dependents run: the StatefulSet size
 * (the retire flow shrinks it only after draining) and the generated admin API key (reused, never regenerated).
 */
public final class DesiredState {
    private static final String REPLICAS = "octopusha.replicas";
    private static final String ADMIN_API_KEY = "octopusha.adminApiKey";

    private DesiredState() {
    }

    public static void put(Context<OctopusCluster> context, int statefulSetReplicas, String adminApiKey) {
        var shared = context.managedWorkflowAndDependentResourceContext();
        shared.put(REPLICAS, statefulSetReplicas);
        shared.put(ADMIN_API_KEY, adminApiKey);
    }

    static int statefulSetReplicas(Context<OctopusCluster> context) {
        return context.managedWorkflowAndDependentResourceContext().getMandatory(REPLICAS, Integer.class);
    }

    static String adminApiKey(Context<OctopusCluster> context) {
        return context.managedWorkflowAndDependentResourceContext().getMandatory(ADMIN_API_KEY, String.class);
    }
}
