package io.octopusha.node.input;

/** Input a caller sent that cannot be used (a field of the wrong type, an unknown task name, ...): a 400. */
public class InvalidInputException extends RuntimeException {
    public InvalidInputException(String message) {
        super(message);
    }
}
