package io.octopusha.operator.nodeclient;

/** The node API could not be reached, or answered something unexpected. */
public class NodeApiException extends RuntimeException {
    public NodeApiException(String message) {
        super(message);
    }

    public NodeApiException(String message, Throwable cause) {
        super(message, cause);
    }
}
