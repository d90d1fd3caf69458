package io.octopusha.operator.dependent;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.octopusha.operator.crd.OctopusCluster;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.octopusha.operator.model.SharedStorageClaim;

/** The shared-storage claim, unless the spec names an existing one (see {@link Preconditions.CreatesSharedClaim}). */
@KubernetesDependent(informer = @Informer(labelSelector = Managed.SELECTOR))
public class SharedStorageClaimDependent extends CRUDKubernetesDependentResource<PersistentVolumeClaim, OctopusCluster> {
    public SharedStorageClaimDependent() {
        super(PersistentVolumeClaim.class);
    }

    @Override
    protected PersistentVolumeClaim desired(OctopusCluster cluster, Context<OctopusCluster> context) {
        return SharedStorageClaim.desired(cluster);
    }
}
