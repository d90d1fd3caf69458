package io.octopusha.operator.dependent;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.octopusha.operator.crd.OctopusCluster;
import io.fabric8.kubernetes.api.model.Service;
import io.octopusha.operator.model.NodeServices;

/** The client Service over the nodes labelled load-balancer=in. */
@KubernetesDependent(informer = @Informer(labelSelector = Managed.SELECTOR))
public class ClientServiceDependent extends CRUDKubernetesDependentResource<Service, OctopusCluster> {
    public ClientServiceDependent() {
        super(Service.class);
    }

    @Override
    protected Service desired(OctopusCluster cluster, Context<OctopusCluster> context) {
        return NodeServices.client(cluster);
    }
}
