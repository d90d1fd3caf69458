package io.octopusha.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One Octopus node, by pod name. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeStatus {
    public String name;
    public NodePhase status;
    public String lastSeen;
    public Integer taskCap;
    public Integer runningTasks;
    public Boolean drain;

    @JsonPropertyDescription("Why the operator drained this node; absent when the operator did not drain it.")
    public DrainReason drainReason;

    @JsonPropertyDescription("When the operator's drain began; drainTimeout counts from here.")
    public String drainStartedAt;

    public Boolean inLoadBalancer;
}
