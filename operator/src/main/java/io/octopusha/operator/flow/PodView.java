package io.octopusha.operator.flow;

import java.time.Instant;

/**
 * What the flows need to know of one node pod.
 *
 * @param running    phase Running and not being deleted
 * @param ready      the Ready condition: the node can serve the API, drained or not (/api/health/ready)
 * @param kubeNode   the Kubernetes node the pod is scheduled on, or null
 * @param startedAt  when the node container started, or null
 */
public record PodView(String name, int ordinal, String templateHash, boolean running, boolean terminating,
                      boolean ready, String kubeNode, Instant startedAt, String loadBalancerLabel) {
}
