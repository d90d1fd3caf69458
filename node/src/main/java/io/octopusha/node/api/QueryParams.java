package io.octopusha.node.api;

import io.javalin.http.Context;
import io.octopusha.node.input.InvalidInputException;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Strict reading of query parameters shared by several areas: a bad value is a 400 naming the parameter. */
final class QueryParams {
    private QueryParams() {
    }

    /** true or false (any case); null when absent or empty. */
    static Boolean bool(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty()) return null;
        if (raw.equalsIgnoreCase("true")) return true;
        if (raw.equalsIgnoreCase("false")) return false;
        throw new InvalidInputException(name + " must be true or false.");
    }

    static boolean flag(Context ctx, String name) {
        return Boolean.TRUE.equals(bool(ctx, name));
    }

    /** A non-empty text of at most {@code maxLength} characters; null when absent or empty. */
    static String text(Context ctx, String name, int maxLength) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty()) return null;
        if (raw.length() > maxLength) throw new InvalidInputException(name + " must be at most " + maxLength + " characters.");
        return raw;
    }

    /** A whole number from 0 to 999,999,999; null when absent or empty. */
    static Integer count(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty()) return null;
        if (!raw.matches("\\d{1,9}")) throw new InvalidInputException(name + " must be a whole number of 0 or more.");
        return Integer.parseInt(raw);
    }

    /** An ISO-8601 time with offset, or a date (its midnight, UTC); null when absent or empty. */
    static OffsetDateTime time(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty()) return null;
        OffsetDateTime time;
        try {
            time = raw.length() <= 10 ? LocalDate.parse(raw).atStartOfDay().atOffset(ZoneOffset.UTC) : OffsetDateTime.parse(raw);
        } catch (DateTimeParseException e) {
            time = null;
        }
        // PostgreSQL's range is narrower than Java's: a year it cannot hold would be a database error.
        if (time == null || time.getYear() < 1 || time.getYear() > 9999) {
            throw new InvalidInputException(name + " must be an ISO-8601 time with offset, such as 2030-01-01T00:00:00Z, or a date.");
        }
        return time;
    }
}
