package io.octopusha.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/** The shared directory (packages, artifacts, task logs): an existing claim, or one the operator creates. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SharedStorageSpec {
    @Pattern(Validation.OBJECT_NAME)
    @JsonPropertyDescription("Use this existing ReadWriteMany PersistentVolumeClaim instead of creating one.")
    public String existingClaim;

    @JsonPropertyDescription("Storage class of the claim the operator creates.")
    public String storageClassName;

    @Default("10Gi")
    @ValidationRule(value = "isQuantity(self)", message = Validation.QUANTITY_MESSAGE)
    @JsonPropertyDescription("Size of the claim the operator creates, a quantity such as 10Gi.")
    public String size;

    @JsonPropertyDescription("Delete the claim the operator created when the OctopusCluster is deleted. Default false:"
            + " packages, artifacts and task logs outlive the resource (and a GitOps prune), and a claim is never"
            + " deleted when the spec switches to existingClaim.")
    public Boolean deleteClaim;
}
