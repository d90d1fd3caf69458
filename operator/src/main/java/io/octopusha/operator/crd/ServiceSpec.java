package io.octopusha.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** The client Service. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServiceSpec {
    @Default("ClusterIP")
    public ServiceType type;

    @Min(1)
    @Max(65535)
    @Default("80")
    public Integer port;

    @Default("None")
    @JsonPropertyDescription("ClientIP keeps a client on one node.")
    public SessionAffinity sessionAffinity;

    public enum ServiceType { ClusterIP, NodePort, LoadBalancer }

    public enum SessionAffinity { None, ClientIP }
}
