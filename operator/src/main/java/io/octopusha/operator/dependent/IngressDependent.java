package io.octopusha.operator.dependent;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.octopusha.operator.crd.OctopusCluster;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.octopusha.operator.model.ClientIngress;
import io.octopusha.operator.model.Names;

/** The optional Ingress (see {@link Preconditions.IngressEnabled}). */
@KubernetesDependent(informer = @Informer(labelSelector = Managed.SELECTOR))
public class IngressDependent extends CRUDKubernetesDependentResource<Ingress, OctopusCluster> {
    public IngressDependent() {
        super(Ingress.class);
    }

    @Override
    protected Ingress desired(OctopusCluster cluster, Context<OctopusCluster> context) {
        return ClientIngress.desired(cluster);
    }

    /** Found by name: with the Ingress disabled there is no desired one to take the name from, only one to delete. */
    @Override
    protected ResourceID targetSecondaryResourceID(OctopusCluster cluster, Context<OctopusCluster> context) {
        return new ResourceID(Names.ingress(cluster), cluster.getMetadata().getNamespace());
    }
}
