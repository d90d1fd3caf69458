package io.octopusha.node.cluster;

/** Joining would put more nodes online than OCTOPUS_NODE_LIMIT allows. */
public class NodeLimitExceededException extends RuntimeException {
    public NodeLimitExceededException(String message) {
        super(message);
    }
}
