package io.octopusha.operator.model;

import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.crd.SecretKeyRef;

/** Where the administrator API key lives: the referenced Secret, or the one the operator generates. */
public final class AdminApiKey {
    public static final String GENERATED_KEY = "apiKey";

    private AdminApiKey() {
    }

    public static boolean generated(OctopusCluster cr) {
        return cr.getSpec().adminApiKeySecretRef == null;
    }

    public static SecretKeyRef ref(OctopusCluster cr) {
        return generated(cr) ? new SecretKeyRef(Names.generatedAdminKeySecret(cr), GENERATED_KEY)
                : cr.getSpec().adminApiKeySecretRef;
    }
}
