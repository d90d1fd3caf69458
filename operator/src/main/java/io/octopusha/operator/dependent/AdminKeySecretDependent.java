package io.octopusha.operator.dependent;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.octopusha.operator.crd.OctopusCluster;
import io.fabric8.kubernetes.api.model.Secret;
import io.octopusha.operator.model.AdminKeySecret;

/** The generated admin API key Secret, when the spec references none (see {@link Preconditions.GeneratesAdminKey}). */
@KubernetesDependent(informer = @Informer(labelSelector = Managed.SELECTOR))
public class AdminKeySecretDependent extends CRUDKubernetesDependentResource<Secret, OctopusCluster> {
    public AdminKeySecretDependent() {
        super(Secret.class);
    }

    @Override
    protected Secret desired(OctopusCluster cluster, Context<OctopusCluster> context) {
        return AdminKeySecret.desired(cluster, DesiredState.adminApiKey(context));
    }
}
