package io.octopusha.node.api;

import io.javalin.http.Context;

import java.util.List;
import java.util.Map;

/**
 * Octopus's skip/take paging. Any non-negative take is accepted; a huge one means "all". Collections are
 * answered as {@code {ItemType, TotalResults, ItemsPerPage, NumberOfPages, LastPageNumber, Items, Links}}.
 */
public record Paging(int skip, int take) {
    public static final int DEFAULT_TAKE = 30;

    public static Paging from(Context ctx) {
        return new Paging(nonNegative(ctx, "skip", 0), nonNegative(ctx, "take", DEFAULT_TAKE));
    }

    private static int nonNegative(Context ctx, String name, int fallback) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty()) return fallback;
        if (!raw.matches("\\d{1,100}")) throw ApiException.badRequest(name + " must be a whole number of 0 or more.");
        return raw.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(raw);
    }

    public <T> List<T> page(List<T> all) {
        if (skip >= all.size()) return List.of();
        return all.subList(skip, (int) Math.min(all.size(), (long) skip + take));
    }

    public <T> Collection<T> collection(String itemType, List<T> items, long totalResults, String selfPath) {
        int numberOfPages = take == 0 ? 0 : (int) Math.max(1, (totalResults + take - 1) / take);
        return new Collection<>(itemType, totalResults, take, numberOfPages, Math.max(0, numberOfPages - 1), items,
                Map.of("Self", selfPath, "Template", selfPath + "{?skip,take}"));
    }

    public record Collection<T>(String itemType, long totalResults, int itemsPerPage, int numberOfPages,
                                int lastPageNumber, List<T> items, Map<String, String> links) {
    }
}
