package io.octopusha.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;

/** Compute resources of the node container: cpu, memory and ephemeral-storage requests and limits. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeResources {
    @JsonPropertyDescription("What the node container is guaranteed.")
    public ResourceAmounts requests;

    @JsonPropertyDescription("What the node container may use at most.")
    public ResourceAmounts limits;

    public ResourceRequirements toRequirements() {
        return new ResourceRequirementsBuilder()
                .withRequests(requests == null ? null : requests.toQuantities())
                .withLimits(limits == null ? null : limits.toQuantities())
                .build();
    }
}
