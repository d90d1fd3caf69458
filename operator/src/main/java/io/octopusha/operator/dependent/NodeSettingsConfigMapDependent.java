package io.octopusha.operator.dependent;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.octopusha.operator.crd.OctopusCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.octopusha.operator.model.NodeSettingsConfigMap;

/** The node settings ConfigMap. */
@KubernetesDependent(informer = @Informer(labelSelector = Managed.SELECTOR))
public class NodeSettingsConfigMapDependent extends CRUDKubernetesDependentResource<ConfigMap, OctopusCluster> {
    public NodeSettingsConfigMapDependent() {
        super(ConfigMap.class);
    }

    @Override
    protected ConfigMap desired(OctopusCluster cluster, Context<OctopusCluster> context) {
        return NodeSettingsConfigMap.desired(cluster);
    }
}
