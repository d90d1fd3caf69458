package io.octopusha.node.api;

import io.javalin.config.RoutesConfig;
import io.octopusha.node.auth.Role;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** {@code GET /api}: the root document Octopus clients start from, with Octopus's link names. */
public final class RootApi implements ApiRoutes {
    public static final String API_VERSION = "3.0.0";

    private final String version;
    private final UUID installationId;

    public RootApi(String version, UUID installationId) {
        this.version = version;
        this.installationId = installationId;
    }

    record Root(String application, String version, String apiVersion, UUID installationId, Map<String, String> links) {
    }

    @Override
    public void register(RoutesConfig routes) {
        Map<String, String> links = new LinkedHashMap<>();
        links.put("Self", "/api");
        links.put("OctopusServerNodes", "/api/octopusservernodes{/id}{?skip,take,ids,partialName}");
        links.put("OctopusServerClusterSummary", "/api/octopusservernodes/summary");
        links.put("OctopusServerNodePing", HealthApi.PING);
        links.put("Spaces", "/api/spaces{/id}{?skip,take,ids,partialName}");
        links.put("Tasks", "/api/tasks{/id}{?skip,take,ids,states,node,name,spaces,active,running}");
        links.put("ApiKeys", "/api/apikeys{/id}");
        links.put("Web", "/");
        Root root = new Root("Octopus Deploy", version, API_VERSION, installationId, links);
        routes.get("/api", ctx -> ctx.json(root), Role.Anonymous);
    }
}
