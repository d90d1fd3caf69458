package io.octopusha.operator.dependent;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.octopusha.operator.crd.OctopusCluster;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.octopusha.operator.model.NodeServiceAccount;

/** The nodes' ServiceAccount. */
@KubernetesDependent(informer = @Informer(labelSelector = Managed.SELECTOR))
public class ServiceAccountDependent extends CRUDKubernetesDependentResource<ServiceAccount, OctopusCluster> {
    public ServiceAccountDependent() {
        super(ServiceAccount.class);
    }

    @Override
    protected ServiceAccount desired(OctopusCluster cluster, Context<OctopusCluster> context) {
        return NodeServiceAccount.desired(cluster);
    }
}
