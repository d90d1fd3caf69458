package io.octopusha.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import java.util.LinkedHashMap;
import java.util.Map;

/** Optional Ingress; it allows unlimited request bodies and long timeouts for large package uploads. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class IngressSpec {
    @Default("false")
    public Boolean enabled;

    @JsonPropertyDescription("IngressClass name.")
    public String className;

    @JsonPropertyDescription("Host name; empty matches every host.")
    public String host;

    @JsonPropertyDescription("TLS for the host.")
    public Tls tls;

    @JsonPropertyDescription("Extra annotations; they override the operator's defaults.")
    public Map<String, String> annotations = new LinkedHashMap<>();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Tls {
        @JsonPropertyDescription("Secret holding the certificate and key.")
        public String secretName;
    }
}
