package io.octopusha.operator.model;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A Secret's keys as a pod would see them: {@code data} decoded from base64, {@code stringData} as written. */
public final class SecretData {
    private SecretData() {
    }

    public static Map<String, String> of(Secret secret) {
        Map<String, String> data = new HashMap<>();
        Optional.ofNullable(secret.getData()).orElse(Map.of()).forEach((k, v) ->
                data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        Optional.ofNullable(secret.getStringData()).ifPresent(data::putAll);
        return data;
    }
}
