package io.octopusha.operator.model;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.octopusha.operator.crd.OctopusCluster;

/** The nodes' own identity; they never call the Kubernetes API, so no token is mounted. */
public final class NodeServiceAccount {
    private NodeServiceAccount() {
    }

    public static ServiceAccount desired(OctopusCluster cr) {
        return new ServiceAccountBuilder()
                .withMetadata(Meta.of(cr, Names.serviceAccount(cr)))
                .withAutomountServiceAccountToken(false)
                .build();
    }
}
