package io.octopusha.node.api;

import io.javalin.config.RoutesConfig;
import io.octopusha.node.auth.Principal;
import io.octopusha.node.auth.Role;

import java.util.Map;

/** {@code GET /api/users/me}: who the API key belongs to and its role, so that clients (the portal) show only what it may do. */
public final class UsersApi implements ApiRoutes {

    record Me(String id, String displayName, String role, boolean isService, Map<String, String> links) {
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/api/users/me", ctx -> {
            Principal p = AccessControl.principal(ctx);
            ctx.json(new Me(p.keyId(), p.purpose(), p.role().name(), true, Map.of("Self", "/api/users/me")));
        }, Role.Viewer);
    }
}
