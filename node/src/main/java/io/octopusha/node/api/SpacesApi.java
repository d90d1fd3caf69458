package io.octopusha.node.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.octopusha.node.auth.Role;
import org.jooq.DSLContext;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.octopusha.node.db.schema.Tables.SPACE;

/** Spaces: read only here; {@code Spaces-1} named Default always exists. */
public final class SpacesApi implements ApiRoutes {
    public static final String PATH = "/api/spaces";

    private final DSLContext db;

    public SpacesApi(DSLContext db) {
        this.db = db;
    }

    record SpaceResource(String id, String name, String slug, String description, boolean isDefault,
                         boolean taskQueueStopped, Map<String, String> links) {
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(PATH, this::list, Role.Viewer);
        routes.get(PATH + "/{id}", ctx -> ctx.json(all().stream().filter(s -> s.id().equals(ctx.pathParam("id")))
                .findFirst().orElseThrow(() -> ApiException.notFound(ctx.pathParam("id")))), Role.Viewer);
    }

    private void list(Context ctx) {
        Paging paging = Paging.from(ctx);
        List<String> ids = IdList.from(ctx, "ids");
        String partialName = ctx.queryParam("partialName");
        List<SpaceResource> matching = all().stream()
                .filter(s -> ids == null || ids.contains(s.id()))
                .filter(s -> partialName == null || s.name().toLowerCase(Locale.ROOT).contains(partialName.toLowerCase(Locale.ROOT)))
                .toList();
        ctx.json(paging.collection("Space", paging.page(matching), matching.size(), PATH));
    }

    private List<SpaceResource> all() {
        return db.selectFrom(SPACE).orderBy(SPACE.ID).fetch(s -> new SpaceResource(s.getId(), s.getName(),
                s.getName().toLowerCase(Locale.ROOT), s.getDescription(), s.getIsDefault(), false,
                Map.of("Self", PATH + "/" + s.getId())));
    }

    /** Whether a space exists, for routes scoped to one. */
    public boolean exists(String spaceId) {
        return db.fetchExists(SPACE, SPACE.ID.eq(spaceId));
    }
}
