package io.octopusha.operator;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.octopusha.operator.crd.DatabaseSpec;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.crd.OctopusClusterSpec;
import io.octopusha.operator.crd.SecretKeyRef;

/** OctopusCluster resources for tests. */
public final class Clusters {
    public static final String DB_SECRET = "octopus-db";
    public static final String ADMIN_KEY = "API-TESTADMINKEY0000000000000000";

    private Clusters() {
    }

    /** The smallest valid cluster: three nodes, a database Secret with url, user and password. */
    public static OctopusCluster minimal(String name, String namespace) {
        OctopusCluster cluster = new OctopusCluster();
        cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).withGeneration(1L)
                .withUid(name + "-uid").build());
        OctopusClusterSpec spec = new OctopusClusterSpec();
        spec.replicas = 3;
        spec.image = "octopusha/node:0.1.0";
        spec.database = new DatabaseSpec();
        spec.database.urlSecretRef = new SecretKeyRef(DB_SECRET, "url");
        spec.database.userSecretRef = new SecretKeyRef(DB_SECRET, "user");
        spec.database.passwordSecretRef = new SecretKeyRef(DB_SECRET, "password");
        cluster.setSpec(spec);
        return cluster;
    }
}
