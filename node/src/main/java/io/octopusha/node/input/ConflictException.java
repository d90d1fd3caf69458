package io.octopusha.node.input;

/** The request clashes with what exists (a package that is already there): a 409. */
public class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
