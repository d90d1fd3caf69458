package io.octopusha.operator.model;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.octopusha.operator.crd.OctopusCluster;

final class Meta {
    private Meta() {
    }

    static ObjectMeta of(OctopusCluster cr, String name) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(cr.getMetadata().getNamespace())
                .withLabels(Labels.common(cr))
                .build();
    }
}
