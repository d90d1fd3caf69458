package io.octopusha.node.api;

import io.javalin.http.Context;

/** Checks every matched request's path and query parameters before any handler reads them. */
final class InputGuard {
    private InputGuard() {
    }

    /** PostgreSQL text cannot hold NUL: refuse it as bad input instead of letting the query fail. */
    static void check(Context ctx) {
        for (String value : ctx.pathParamMap().values()) {
            if (value.indexOf('\0') >= 0) throw nulRefused();
        }
        for (var values : ctx.queryParamMap().values()) {
            for (String value : values) {
                if (value.indexOf('\0') >= 0) throw nulRefused();
            }
        }
    }

    static ApiException nulRefused() {
        return ApiException.badRequest("Text in a request must not contain NUL characters.");
    }
}
