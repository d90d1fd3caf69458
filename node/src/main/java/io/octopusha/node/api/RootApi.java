package io.octopusha.node.api;

import io.javalin.config.RoutesConfig;
import io.octopusha.node.auth.Role;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * {@code GET /api}: the root document Octopus's clients start from, with Octopus's link names for what this server has.
 * Space-scoped links name the Default space, as Octopus's do. {@code ApiVersion} stays 3.0.0: Octopus's .NET client
 * refuses a server outside 3.0.x.
 */
public final class RootApi implements ApiRoutes {
    public static final String API_VERSION = "3.0.0";
    static final String DEFAULT_SPACE = "Spaces-1";

    private final String version;
    private final UUID installationId;

    public RootApi(String version, UUID installationId) {
        this.version = version;
        this.installationId = installationId;
    }

    record Root(String application, String version, String apiVersion, UUID installationId, boolean isEarlyAccessProgram,
                boolean hasLongTermSupport, Map<String, String> links) {
    }

    /** Every link of the root document, by Octopus's names. */
    static Map<String, String> links() {
        Map<String, String> links = new LinkedHashMap<>();
        links.put("Self", "/api");
        links.put("Artifacts", ArtifactsApi.TEMPLATE.replace("{spaceId}", DEFAULT_SPACE));
        links.put("BuiltInFeedStats", FeedsApi.STATS);
        links.put("CurrentLicenseStatus", LicensesApi.STATUS);
        links.put("CurrentUser", UsersApi.ME);
        links.put("Events", EventsApi.PATH + "{/id}{?skip,take,regarding,from,to}");
        links.put("Feeds", FeedsApi.TEMPLATE.replace("{spaceId}", DEFAULT_SPACE));
        links.put("OctopusServerClusterSummary", NodesApi.PATH + "/summary");
        links.put("OctopusServerNodePing", HealthApi.PING);
        links.put("OctopusServerNodes", NodesApi.PATH + "{/id}{?skip,take,ids,partialName}");
        links.put("PackageNotesList", "/api/" + DEFAULT_SPACE + "/packages/notes{?packageIds}");
        links.put("Packages", PackagesApi.TEMPLATE.replace("{spaceId}", DEFAULT_SPACE));
        links.put("PackagesBulk", "/api/" + DEFAULT_SPACE + "/packages/bulk{?ids}");
        links.put("PackageUpload", "/api/" + DEFAULT_SPACE + "/packages/raw{?overwriteMode}");
        links.put("ServerHealthStatus", ServerStatusApi.HEALTH);
        links.put("ServerStatus", ServerStatusApi.PATH);
        links.put("SpaceHome", "/api/{spaceId}");
        links.put("Spaces", SpacesApi.PATH + "{/id}{?skip,take,ids,partialName}");
        links.put("Tasks", TasksApi.TEMPLATE);
        links.put("TaskTypes", TasksApi.TASK_TYPES);
        links.put("Users", UsersApi.PATH + "{/id}{?skip,take,ids,filter}");
        links.put("ApiKeys", ApiKeysApi.PATH + "{/id}");
        links.put("Web", "/");
        return links;
    }

    @Override
    public void register(RoutesConfig routes) {
        Root root = new Root("Octopus Deploy", version, API_VERSION, installationId, false, false, links());
        routes.get("/api", ctx -> ctx.json(root), Role.Anonymous);
    }
}
