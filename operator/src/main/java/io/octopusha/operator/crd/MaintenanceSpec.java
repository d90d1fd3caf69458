package io.octopusha.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** Reactions to Kubernetes node maintenance. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MaintenanceSpec {
    @Default("true")
    @JsonPropertyDescription("Drain Octopus nodes whose Kubernetes node is cordoned; undrain them when they run on a schedulable node again.")
    public Boolean followNodeCordon;
}
