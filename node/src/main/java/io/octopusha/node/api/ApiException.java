package io.octopusha.node.api;

import java.util.List;

/** A request the API refuses, answered as Octopus does: {@code {ErrorMessage, Errors[]}} with this status. */
public class ApiException extends RuntimeException {
    private final int status;
    private final List<String> errors;

    public ApiException(int status, String message, List<String> errors) {
        super(message);
        this.status = status;
        this.errors = errors;
    }

    public static ApiException badRequest(String message, String... errors) {
        return new ApiException(400, message, errors.length == 0 ? List.of(message) : List.of(errors));
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, "The resource '" + what + "' was not found.", List.of());
    }

    public static ApiException conflict(String message) {
        return new ApiException(409, message, List.of(message));
    }

    public int status() {
        return status;
    }

    public List<String> errors() {
        return errors;
    }

    public record Body(String errorMessage, List<String> errors) {
    }

    public Body body() {
        return new Body(getMessage(), errors);
    }
}
