package io.octopusha.node.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.octopusha.node.auth.Role;
import io.octopusha.node.storage.SpaceStore;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The spaces' routes: list, get, and a space's home. */
public final class SpacesApi implements ApiRoutes {
    public static final String PATH = "/api/spaces";

    private final SpaceStore spaces;

    public SpacesApi(SpaceStore spaces) {
        this.spaces = spaces;
    }

    record SpaceResource(String id, String name, String slug, String description, boolean isDefault,
                         boolean taskQueueStopped, Map<String, String> links) {
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(PATH, this::list, Role.Viewer);
        routes.get(PATH + "/{id}", ctx -> ctx.json(all().stream().filter(s -> s.id().equals(ctx.pathParam("id")))
                .findFirst().orElseThrow(() -> ApiException.notFound(ctx.pathParam("id")))), Role.Viewer);
        // A space's home, the SpaceHome link: what the space has. Space Ids are Spaces-<n>, and only those paths match,
        // so other single-segment paths under /api stay unknown (404) rather than asking for a key.
        routes.get("/api/Spaces-{number}", ctx -> {
            String spaceId = "Spaces-" + ctx.pathParam("number");
            if (!spaces.exists(spaceId)) throw ApiException.notFound(spaceId);
            ctx.json(new SpaceRoot(spaceHomeLinks(spaceId)));
        }, Role.Viewer);
    }

    record SpaceRoot(Map<String, String> links) {
    }

    /** The links of a space's home, by Octopus's names, to the space-scoped routes. */
    static Map<String, String> spaceHomeLinks(String spaceId) {
        String base = "/api/" + spaceId;
        Map<String, String> links = new LinkedHashMap<>();
        links.put("Self", base);
        links.put("Artifacts", ArtifactsApi.TEMPLATE.replace("{spaceId}", spaceId));
        links.put("Feeds", FeedsApi.TEMPLATE.replace("{spaceId}", spaceId));
        links.put("PackageNotesList", base + "/packages/notes{?packageIds}");
        links.put("Packages", PackagesApi.TEMPLATE.replace("{spaceId}", spaceId));
        links.put("PackagesBulk", base + "/packages/bulk{?ids}");
        links.put("PackageUpload", base + "/packages/raw{?overwriteMode}");
        links.put("Tasks", TasksApi.TEMPLATE.replace("/api/tasks", base + "/tasks"));
        links.put("TaskTypes", base + "/tasks/tasktypes");
        return links;
    }

    private void list(Context ctx) {
        Paging paging = Paging.from(ctx);
        List<String> ids = IdList.from(ctx, "ids");
        String partialName = ctx.queryParam("partialName");
        List<SpaceResource> matching = all().stream()
                .filter(s -> ids == null || ids.contains(s.id()))
                .filter(s -> partialName == null || s.name().toLowerCase(Locale.ROOT).contains(partialName.toLowerCase(Locale.ROOT)))
                .toList();
        ctx.json(paging.collection("Space", paging.page(matching), matching.size(), ctx));
    }

    private List<SpaceResource> all() {
        return spaces.all().stream().map(s -> new SpaceResource(s.id(), s.name(), s.name().toLowerCase(Locale.ROOT),
                s.description(), s.isDefault(), false, Map.of("Self", PATH + "/" + s.id(), "SpaceHome", "/api/" + s.id())))
                .toList();
    }
}
