package io.octopusha.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** The shared directory (packages, artifacts, task logs): an existing claim, or one the operator creates. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SharedStorageSpec {
    @JsonPropertyDescription("Use this existing ReadWriteMany PersistentVolumeClaim instead of creating one.")
    public String existingClaim;

    @JsonPropertyDescription("Storage class of the claim the operator creates.")
    public String storageClassName;

    @Default("10Gi")
    @JsonPropertyDescription("Size of the claim the operator creates.")
    public String size;
}
