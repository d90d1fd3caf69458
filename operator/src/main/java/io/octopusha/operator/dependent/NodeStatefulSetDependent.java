package io.octopusha.operator.dependent;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.octopusha.operator.crd.OctopusCluster;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.octopusha.operator.model.NodeStatefulSet;

/** The nodes' StatefulSet, sized by the retire flow. */
@KubernetesDependent(informer = @Informer(labelSelector = Managed.SELECTOR))
public class NodeStatefulSetDependent extends CRUDKubernetesDependentResource<StatefulSet, OctopusCluster> {
    public NodeStatefulSetDependent() {
        super(StatefulSet.class);
    }

    @Override
    protected StatefulSet desired(OctopusCluster cluster, Context<OctopusCluster> context) {
        return NodeStatefulSet.desired(cluster, DesiredState.statefulSetReplicas(context),
                DesiredState.adminApiKey(context));
    }
}
