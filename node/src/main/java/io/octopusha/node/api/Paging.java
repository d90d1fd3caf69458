package io.octopusha.node.api;

import io.javalin.http.Context;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Octopus's skip/take paging. Any non-negative take is accepted; a huge one means "all". Collections are
 * answered as {@code {ItemType, TotalResults, ItemsPerPage, NumberOfPages, LastPageNumber, Items, Links}}; their
 * Links carry {@code Page.Current}, {@code Page.Next} (while there is a next page), {@code Page.Previous} and
 * {@code Page.Last} with the request's other query parameters, as Octopus's clients follow {@code Page.Next}.
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

    /** A collection whose links name only its path (no page links). */
    public <T> Collection<T> collection(String itemType, List<T> items, long totalResults, String selfPath) {
        return new Collection<>(itemType, totalResults, take, numberOfPages(totalResults),
                Math.max(0, numberOfPages(totalResults) - 1), items, Map.of("Self", selfPath, "Template", selfPath + "{?skip,take}"));
    }

    /** A collection answering {@code ctx}: its page links keep the request's other query parameters. */
    public <T> Collection<T> collection(String itemType, List<T> items, long totalResults, Context ctx) {
        return new Collection<>(itemType, totalResults, take, numberOfPages(totalResults),
                Math.max(0, numberOfPages(totalResults) - 1), items, links(ctx, totalResults));
    }

    int numberOfPages(long totalResults) {
        return take == 0 ? 0 : (int) Math.max(1, (totalResults + take - 1) / take);
    }

    /**
     * Self, Template and the page links of a collection. The API key, when it came as {@code ?apikey=}, is left out:
     * links are for anyone who sees the answer.
     */
    Map<String, String> links(Context ctx, long totalResults) {
        String path = ctx.path();
        String others = ctx.queryParamMap().entrySet().stream()
                .filter(e -> !e.getKey().equals("skip") && !e.getKey().equals("take") && !e.getKey().equalsIgnoreCase("apikey"))
                .flatMap(e -> e.getValue().stream().map(v -> encode(e.getKey()) + "=" + encode(v)))
                .collect(Collectors.joining("&"));
        String prefix = path + "?" + (others.isEmpty() ? "" : others + "&");
        Map<String, String> links = new LinkedHashMap<>();
        links.put("Self", prefix + "skip=" + skip + "&take=" + take);
        links.put("Template", path + "{?skip,take}");
        links.put("Page.All", prefix + "skip=0&take=" + Integer.MAX_VALUE);
        links.put("Page.Current", prefix + "skip=" + skip + "&take=" + take);
        if (take > 0 && skip > 0) links.put("Page.Previous", prefix + "skip=" + Math.max(0, skip - take) + "&take=" + take);
        if (take > 0 && (long) skip + take < totalResults) links.put("Page.Next", prefix + "skip=" + (skip + take) + "&take=" + take);
        if (take > 0) {
            long lastSkip = Math.max(0, (numberOfPages(totalResults) - 1L) * take);
            links.put("Page.Last", prefix + "skip=" + lastSkip + "&take=" + take);
        }
        return links;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    public record Collection<T>(String itemType, long totalResults, int itemsPerPage, int numberOfPages,
                                int lastPageNumber, List<T> items, Map<String, String> links) {
    }
}
