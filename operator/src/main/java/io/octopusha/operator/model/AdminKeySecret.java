package io.octopusha.operator.model;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.octopusha.operator.crd.OctopusCluster;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/** The administrator API key Secret the operator owns when the spec references none. */
public final class AdminKeySecret {
    private static final SecureRandom RANDOM = new SecureRandom();

    private AdminKeySecret() {
    }

    /** The Secret holding {@code apiKey}; callers pass the existing key so that it never changes once made. */
    public static Secret desired(OctopusCluster cr, String apiKey) {
        return new SecretBuilder()
                .withMetadata(Meta.of(cr, Names.generatedAdminKeySecret(cr)))
                .withType("Opaque")
                .withData(Map.of(AdminApiKey.GENERATED_KEY,
                        Base64.getEncoder().encodeToString(apiKey.getBytes(StandardCharsets.UTF_8))))
                .build();
    }

    /** A key in Octopus's format: "API-" and 32 upper-case hex characters (128 random bits). */
    public static String newApiKey() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return "API-" + HexFormat.of().withUpperCase().formatHex(bytes);
    }
}
