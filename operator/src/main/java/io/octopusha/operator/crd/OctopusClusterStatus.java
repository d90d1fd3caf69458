package io.octopusha.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;

/**
 * What the operator observed, plus the drain bookkeeping (status.nodes[].drainReason and drainStartedAt) that lets a
 * restarted operator resume drains, retires and rollouts where the previous one stopped.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OctopusClusterStatus {
    public Long observedGeneration;

    @StatusReplicas
    @JsonPropertyDescription("Node pods that exist.")
    public Integer replicas;

    @JsonPropertyDescription("Node pods that are ready (in the load balancer's health check).")
    public Integer readyReplicas;

    @LabelSelector
    @JsonPropertyDescription("Label selector of the node pods, for the scale subresource.")
    public String labelSelector;

    public List<NodeStatus> nodes = new ArrayList<>();

    public QueueStatus queue;

    public List<Condition> conditions = new ArrayList<>();
}
