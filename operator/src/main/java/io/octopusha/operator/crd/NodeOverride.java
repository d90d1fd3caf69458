package io.octopusha.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** Settings of one node, found by its pod name. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeOverride {
    @Required
    @Pattern("^[a-z]([-a-z0-9]*[a-z0-9])?-(0|[1-9][0-9]*)$")
    @JsonPropertyDescription("Pod name of the node, e.g. mycluster-0.")
    public String name;

    @Min(0)
    @Max(1000)
    @JsonPropertyDescription("Task cap of this node instead of spec.taskCap.")
    public Integer taskCap;

    @JsonPropertyDescription("Drain this node: it starts no new task.")
    public Boolean drain;

    @JsonPropertyDescription("false keeps this node out of the client Service while it still runs tasks.")
    public Boolean loadBalancer;

    public NodeOverride() {
    }

    public NodeOverride(String name) {
        this.name = name;
    }
}
