package io.octopusha.operator.flow;

import io.octopusha.operator.crd.QueueStatus;
import io.octopusha.operator.nodeclient.NodeApi;
import java.util.Optional;

/**
 * An observation plus the connection used to make it.
 *
 * @param nodeApi      the node API, when some node answered
 * @param queue        cluster-wide task counts, or null
 * @param nodeApiError why the node API could not be used, or null
 */
public record ClusterView(Observation observation, Optional<NodeApi> nodeApi, QueueStatus queue, String nodeApiError) {
}
