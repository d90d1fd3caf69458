package io.octopusha.node.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;

/** Reads a JSON request body as an object; its fields are read with {@link io.octopusha.node.input.JsonFields}. */
public final class RequestBodies {
    private static final ObjectMapper MAPPER = Json.mapper();

    private RequestBodies() {
    }

    public static ObjectNode object(Context ctx) {
        // Refuse by the declared length, before reading: a client could announce 10 GB and send 10 bytes.
        if (ctx.req().getContentLengthLong() > ApiServer.MAX_JSON_BODY) {
            throw new ApiException(413, "The request body is larger than " + ApiServer.MAX_JSON_BODY + " bytes.", java.util.List.of());
        }
        String body = ctx.body();
        if (body.isBlank()) throw ApiException.badRequest("The request body must be a JSON object.");
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw ApiException.badRequest("The request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (!(node instanceof ObjectNode object)) throw ApiException.badRequest("The request body must be a JSON object.");
        rejectNul(object);
        return object;
    }

    /** PostgreSQL text and jsonb cannot hold NUL, so it is refused here rather than failing in the database. */
    private static void rejectNul(JsonNode node) {
        if (node.isTextual() && node.textValue().indexOf('\0') >= 0) throw InputGuard.nulRefused();
        for (var fields = node.fields(); fields.hasNext(); ) {
            var field = fields.next();
            if (field.getKey().indexOf('\0') >= 0) throw InputGuard.nulRefused();
            rejectNul(field.getValue());
        }
        if (node.isArray()) node.forEach(RequestBodies::rejectNul);
    }
}
