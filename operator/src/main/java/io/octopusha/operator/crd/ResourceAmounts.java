package io.octopusha.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Amounts of the resources a node container uses. Each is a quantity that the CRD schema checks with the API server's
 * own syntax, so a malformed one is refused at apply time instead of reaching the operator.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ResourceAmounts {
    @ValidationRule(value = Validation.QUANTITY_RULE, message = Validation.QUANTITY_MESSAGE)
    @JsonPropertyDescription("CPU, e.g. 500m or 2.")
    public IntOrString cpu;

    @ValidationRule(value = Validation.QUANTITY_RULE, message = Validation.QUANTITY_MESSAGE)
    @JsonPropertyDescription("Memory, e.g. 1Gi.")
    public IntOrString memory;

    @ValidationRule(value = Validation.QUANTITY_RULE, message = Validation.QUANTITY_MESSAGE)
    @JsonProperty("ephemeral-storage")
    @JsonPropertyDescription("Local ephemeral storage, e.g. 2Gi.")
    public IntOrString ephemeralStorage;

    /** As a container's requests or limits; null when nothing is set. */
    Map<String, Quantity> toQuantities() {
        Map<String, Quantity> amounts = new LinkedHashMap<>();
        put(amounts, "cpu", cpu);
        put(amounts, "memory", memory);
        put(amounts, "ephemeral-storage", ephemeralStorage);
        return amounts.isEmpty() ? null : amounts;
    }

    private static void put(Map<String, Quantity> amounts, String name, IntOrString value) {
        if (value != null) {
            amounts.put(name, new Quantity(value.getIntVal() != null ? value.getIntVal().toString() : value.getStrVal()));
        }
    }
}
