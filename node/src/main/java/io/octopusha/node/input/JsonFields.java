package io.octopusha.node.input;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Strict reading of fields of a JSON object: wrong types are named in an {@link InvalidInputException}, never coerced. */
public final class JsonFields {
    private JsonFields() {
    }

    /** An optional whole number in [min, max]; null when absent or JSON null. */
    public static Integer optionalInt(ObjectNode object, String field, int min, int max) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min || value.intValue() > max) {
            throw new InvalidInputException(field + " must be a whole number from " + min + " to " + max + ".");
        }
        return value.intValue();
    }

    public static Boolean optionalBoolean(ObjectNode object, String field) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isBoolean()) throw new InvalidInputException(field + " must be true or false.");
        return value.booleanValue();
    }

    /** An optional string of at most maxLength characters; null when absent or JSON null. */
    public static String optionalString(ObjectNode object, String field, int maxLength) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isTextual() || value.textValue().length() > maxLength) {
            throw new InvalidInputException(field + " must be a string of at most " + maxLength + " characters.");
        }
        return value.textValue();
    }

    /** A required non-blank string of at most maxLength characters. */
    public static String requiredString(ObjectNode object, String field, int maxLength) {
        String value = optionalString(object, field, maxLength);
        if (value == null || value.isBlank()) throw new InvalidInputException(field + " is required and must not be empty.");
        return value;
    }

    /** An optional JSON object; null when absent or JSON null. */
    public static ObjectNode optionalObject(ObjectNode object, String field) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) return null;
        if (!(value instanceof ObjectNode o)) throw new InvalidInputException(field + " must be a JSON object.");
        return o;
    }

    /** Rejects fields other than the allowed ones, so that a misspelt argument is not silently ignored. */
    public static void onlyFields(ObjectNode object, String what, java.util.Set<String> allowed) {
        object.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name)) {
                throw new InvalidInputException(what + " has an unknown field '" + name + "'; allowed: " + String.join(", ", allowed) + ".");
            }
        });
    }
}
