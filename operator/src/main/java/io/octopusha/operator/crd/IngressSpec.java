package io.octopusha.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.LinkedHashMap;
import java.util.Map;

/** Optional Ingress; it allows unlimited request bodies and long timeouts for large package uploads. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class IngressSpec {
    @Default("false")
    public Boolean enabled;

    @JsonPropertyDescription("IngressClass name.")
    public String className;

    @Pattern(Validation.HOST)
    @JsonPropertyDescription("Host name; unset matches every host.")
    public String host;

    @JsonPropertyDescription("TLS for the host.")
    public Tls tls;

    @JsonPropertyDescription("Extra annotations; they override the operator's defaults.")
    public Map<String, String> annotations = new LinkedHashMap<>();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Tls {
        @Required
        @Pattern(Validation.OBJECT_NAME)
        @JsonPropertyDescription("Secret holding the certificate and key.")
        public String secretName;
    }
}
