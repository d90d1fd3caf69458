package io.octopusha.node.api;

import io.javalin.http.Context;

import java.util.Arrays;
import java.util.List;

/** The {@code ids} query parameter: a comma-separated list, as Octopus takes it. */
public final class IdList {
    private IdList() {
    }

    /** The ids asked for, or null when the parameter is absent. */
    public static List<String> from(Context ctx, String name) {
        List<String> raw = ctx.queryParams(name);
        if (raw.isEmpty()) return null;
        return raw.stream().flatMap(v -> Arrays.stream(v.split(","))).map(String::strip)
                .filter(s -> !s.isEmpty()).distinct().toList();
    }
}
