package io.octopusha.operator.dependent;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.octopusha.operator.crd.Defaults;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.model.SharedStorageClaim;

/**
 * The shared-storage claim, unless the spec names an existing one (see {@link Preconditions.CreatesSharedClaim}). It
 * holds packages, artifacts and task logs, so the operator never deletes it: not when the spec switches to an existing
 * claim, and not when the OctopusCluster is deleted, unless {@code sharedStorage.deleteClaim} asks for that, in which
 * case the claim is owned by the cluster and garbage-collected with it.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Managed.SELECTOR))
public class SharedStorageClaimDependent extends KubernetesDependentResource<PersistentVolumeClaim, OctopusCluster>
        implements Creator<PersistentVolumeClaim, OctopusCluster>, Updater<PersistentVolumeClaim, OctopusCluster> {
    public SharedStorageClaimDependent() {
        super(PersistentVolumeClaim.class);
    }

    @Override
    protected PersistentVolumeClaim desired(OctopusCluster cluster, Context<OctopusCluster> context) {
        return SharedStorageClaim.desired(cluster);
    }

    @Override
    protected void addReferenceHandlingMetadata(PersistentVolumeClaim desired, OctopusCluster cluster) {
        if (Defaults.deleteClaim(cluster.getSpec())) {
            desired.addOwnerReference(cluster);
        }
        addSecondaryToPrimaryMapperAnnotations(desired, cluster);
    }
}
