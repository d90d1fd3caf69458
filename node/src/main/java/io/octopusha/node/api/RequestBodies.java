package io.octopusha.node.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;

/** Strict reading of JSON request bodies: wrong types are named in a 400, never coerced. */
public final class RequestBodies {
    private static final ObjectMapper MAPPER = Json.mapper();

    private RequestBodies() {
    }

    public static ObjectNode object(Context ctx) {
        String body = ctx.body();
        if (body.isBlank()) throw ApiException.badRequest("The request body must be a JSON object.");
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw ApiException.badRequest("The request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (!(node instanceof ObjectNode object)) throw ApiException.badRequest("The request body must be a JSON object.");
        return object;
    }

    /** An optional whole number in [min, max]; null when the field is absent or JSON null. */
    public static Integer optionalInt(ObjectNode body, String field, int min, int max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min || value.intValue() > max) {
            throw ApiException.badRequest(field + " must be a whole number from " + min + " to " + max + ".");
        }
        return value.intValue();
    }

    public static Boolean optionalBoolean(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isBoolean()) throw ApiException.badRequest(field + " must be true or false.");
        return value.booleanValue();
    }

    /** A required non-blank string of at most maxLength characters. */
    public static String requiredString(ObjectNode body, String field, int maxLength) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) throw ApiException.badRequest(field + " is required.");
        if (!value.isTextual() || value.textValue().isBlank() || value.textValue().length() > maxLength) {
            throw ApiException.badRequest(field + " must be a non-empty string of at most " + maxLength + " characters.");
        }
        return value.textValue();
    }
}
