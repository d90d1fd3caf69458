package io.octopusha.operator.dependent;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.octopusha.operator.crd.OctopusCluster;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.octopusha.operator.model.NodeDisruptionBudget;

/** The PodDisruptionBudget: one node down at a time. */
@KubernetesDependent(informer = @Informer(labelSelector = Managed.SELECTOR))
public class DisruptionBudgetDependent extends CRUDKubernetesDependentResource<PodDisruptionBudget, OctopusCluster> {
    public DisruptionBudgetDependent() {
        super(PodDisruptionBudget.class);
    }

    @Override
    protected PodDisruptionBudget desired(OctopusCluster cluster, Context<OctopusCluster> context) {
        return NodeDisruptionBudget.desired(cluster);
    }
}
