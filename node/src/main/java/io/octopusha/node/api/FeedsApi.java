package io.octopusha.node.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.octopusha.node.auth.Role;
import io.octopusha.node.storage.PackageStore;
import io.octopusha.node.storage.SpaceStore;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Feeds as Octopus lists them: each space has the built-in feed ({@code feeds-builtin}, the package repository of
 * {@link PackagesApi}) and no other. {@code /api/feeds} is the Default space. {@code /api/feeds/stats} counts the
 * packages in every space.
 */
public final class FeedsApi implements ApiRoutes {
    public static final String BUILT_IN = "feeds-builtin";
    public static final String TEMPLATE = "/api/{spaceId}/feeds{/id}{?skip,take,ids,partialName,feedType}";
    public static final String STATS = "/api/feeds/stats";
    private static final String NAME = "Octopus Server (built-in)";

    private final PackageStore packages;
    private final SpaceStore spaces;

    public FeedsApi(PackageStore packages, SpaceStore spaces) {
        this.packages = packages;
        this.spaces = spaces;
    }

    record BuiltInFeedResource(String id, String name, String feedType, String spaceId, String slug,
                               Integer deleteUnreleasedPackagesAfterDays, boolean isBuiltInRepoSyncEnabled,
                               boolean deletePackagesAssociatedWithReleases, List<String> packageAcquisitionLocationOptions,
                               Map<String, String> links) {
        static BuiltInFeedResource in(String spaceId) {
            return new BuiltInFeedResource(BUILT_IN, NAME, "BuiltIn", spaceId, "octopus-server-built-in", null, true, false,
                    List.of("Server", "ExecutionTarget"), Map.of("Self", "/api/" + spaceId + "/feeds/" + BUILT_IN,
                    "Packages", "/api/" + spaceId + "/packages{?nuGetPackageId,filter,latest,skip,take,includeNotes}"));
        }
    }

    record Stats(int totalPackages, Map<String, String> links) {
    }

    @Override
    public void register(RoutesConfig routes) {
        for (String base : List.of("/api/feeds", "/api/{spaceId}/feeds")) {
            routes.get(base + "/stats", ctx -> {
                String spaceId = ctx.pathParamMap().get("spaceId");
                if (spaceId != null) requireSpace(spaceId);
                int total = spaceId == null ? packages.countAll() : packages.count(spaceId, null);
                ctx.json(new Stats(total, Map.of("Self", ctx.path())));
            }, Role.Viewer);
            routes.get(base, this::list, Role.Viewer);
            routes.get(base + "/{id}", ctx -> {
                String spaceId = space(ctx);
                if (!ctx.pathParam("id").equals(BUILT_IN)) throw ApiException.notFound(ctx.pathParam("id"));
                ctx.json(BuiltInFeedResource.in(spaceId));
            }, Role.Viewer);
        }
    }

    private void list(Context ctx) {
        String spaceId = space(ctx);
        Paging paging = Paging.from(ctx);
        List<String> ids = IdList.from(ctx, "ids");
        String partialName = QueryParams.text(ctx, "partialName", 200);
        String feedType = QueryParams.text(ctx, "feedType", 100);
        boolean matches = (ids == null || ids.contains(BUILT_IN))
                && (partialName == null || NAME.toLowerCase(Locale.ROOT).contains(partialName.toLowerCase(Locale.ROOT)))
                && (feedType == null || feedType.equalsIgnoreCase("BuiltIn"));
        List<BuiltInFeedResource> all = matches ? List.of(BuiltInFeedResource.in(spaceId)) : List.of();
        ctx.json(paging.collection("Feed", paging.page(all), all.size(), ctx));
    }

    private String space(Context ctx) {
        String spaceId = ctx.pathParamMap().getOrDefault("spaceId", "Spaces-1");
        requireSpace(spaceId);
        return spaceId;
    }

    private void requireSpace(String spaceId) {
        if (!spaces.exists(spaceId)) throw ApiException.notFound(spaceId);
    }
}
