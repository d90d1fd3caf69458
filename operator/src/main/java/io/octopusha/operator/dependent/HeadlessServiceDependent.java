package io.octopusha.operator.dependent;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.octopusha.operator.crd.OctopusCluster;
import io.fabric8.kubernetes.api.model.Service;
import io.octopusha.operator.model.NodeServices;

/** The headless Service giving each node a stable DNS name. */
@KubernetesDependent(informer = @Informer(labelSelector = Managed.SELECTOR))
public class HeadlessServiceDependent extends CRUDKubernetesDependentResource<Service, OctopusCluster> {
    public HeadlessServiceDependent() {
        super(Service.class);
    }

    @Override
    protected Service desired(OctopusCluster cluster, Context<OctopusCluster> context) {
        return NodeServices.headless(cluster);
    }
}
