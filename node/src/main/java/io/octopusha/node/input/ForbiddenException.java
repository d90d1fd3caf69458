package io.octopusha.node.input;

/** The caller may not do this, though its key's role reaches the route: answered 403 with the message. */
public class ForbiddenException extends RuntimeException {
    public ForbiddenException(String message) {
        super(message);
    }
}
