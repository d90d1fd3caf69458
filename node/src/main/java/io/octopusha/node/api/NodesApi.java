package io.octopusha.node.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.octopusha.node.audit.AuditLog;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.octopusha.node.auth.Role;
import io.octopusha.node.cluster.NodeRecord;
import io.octopusha.node.cluster.NodeRegistry;
import io.octopusha.node.input.JsonFields;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The cluster's nodes: list, get, summary, details, change cap or drain, delete. */
public final class NodesApi implements ApiRoutes {
    public static final String PATH = "/api/octopusservernodes";

    private final NodeRegistry registry;
    private final RunningTasks runningTasks;
    private final AuditLog audit;

    /** The tasks a node runs now, for its details page. */
    public interface RunningTasks {
        List<?> of(String nodeId);
    }

    public NodesApi(NodeRegistry registry, RunningTasks runningTasks, AuditLog audit) {
        this.registry = registry;
        this.runningTasks = runningTasks;
        this.audit = audit;
    }

    record NodeResource(String id, String name, int maxConcurrentTasks, boolean isInMaintenanceMode,
                        OffsetDateTime lastModifiedOn, String lastModifiedBy, Map<String, String> links) {
        static NodeResource of(NodeRecord n) {
            return new NodeResource(n.id(), n.name(), n.maxConcurrentTasks(), n.inMaintenanceMode(), n.lastModifiedOn(),
                    n.lastModifiedBy(), Map.of("Self", PATH + "/" + n.id(), "Details", PATH + "/" + n.id() + "/details",
                            "Events", EventsApi.PATH + "?regarding=" + n.id()));
        }
    }

    /** A summary entry; {@code Links.Node} is the node resource, which Octopus's drain scripts GET and PUT back. */
    record SummaryNode(String id, String name, int maxConcurrentTasks, boolean isInMaintenanceMode,
                       OffsetDateTime lastSeen, boolean isOffline, int runningTaskCount, String version, String status,
                       OffsetDateTime lastModifiedOn, String lastModifiedBy, Map<String, String> links) {
    }

    record Summary(List<SummaryNode> nodes, Map<String, String> links) {
    }

    record Details(String id, List<?> runningTasks, Map<String, String> links) {
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(PATH, this::list, Role.Viewer);
        routes.get(PATH + "/all", ctx -> ctx.json(registry.all().stream().map(NodeResource::of).toList()), Role.Viewer);
        routes.get(PATH + "/summary", ctx -> ctx.json(summary()), Role.Viewer);
        routes.get(PATH + "/{id}", ctx -> ctx.json(NodeResource.of(find(ctx.pathParam("id")))), Role.Viewer);
        routes.get(PATH + "/{id}/details", this::details, Role.Viewer);
        routes.put(PATH + "/{id}", this::update, Role.Operator);
        routes.delete(PATH + "/{id}", this::delete, Role.Administrator);
    }

    public Summary summary() {
        return new Summary(registry.all().stream().map(n -> new SummaryNode(n.id(), n.name(), n.maxConcurrentTasks(),
                n.inMaintenanceMode(), n.lastSeen(), n.offline(), n.runningTasks(), n.version(), n.status().name(),
                n.lastModifiedOn(), n.lastModifiedBy(), Map.of("Node", PATH + "/" + n.id(), "Details", PATH + "/" + n.id() + "/details")))
                .toList(), Map.of("Self", PATH + "/summary"));
    }

    private void list(Context ctx) {
        Paging paging = Paging.from(ctx);
        List<String> ids = IdList.from(ctx, "ids");
        String partialName = ctx.queryParam("partialName");
        List<NodeRecord> matching = registry.all().stream()
                .filter(n -> ids == null || ids.contains(n.id()))
                .filter(n -> partialName == null || n.name().toLowerCase(Locale.ROOT).contains(partialName.toLowerCase(Locale.ROOT)))
                .toList();
        ctx.json(paging.collection("OctopusServerNode", paging.page(matching).stream().map(NodeResource::of).toList(),
                matching.size(), ctx));
    }

    private void details(Context ctx) {
        NodeRecord node = find(ctx.pathParam("id"));
        ctx.json(new Details(node.id(), runningTasks.of(node.id()), Map.of("Self", PATH + "/" + node.id() + "/details")));
    }

    private void update(Context ctx) {
        String id = ctx.pathParam("id");
        ObjectNode body = RequestBodies.object(ctx);
        Integer cap = JsonFields.optionalInt(body, "MaxConcurrentTasks", 0, 1000);
        Boolean maintenance = JsonFields.optionalBoolean(body, "IsInMaintenanceMode");
        if (cap == null && maintenance == null) {
            throw ApiException.badRequest("Nothing to change: send MaxConcurrentTasks and/or IsInMaintenanceMode.");
        }
        AuditLog.Actor who = AccessControl.actor(ctx);
        NodeRegistry.Change change = registry.update(id, cap, maintenance, who.username()).orElseThrow(() -> ApiException.notFound(id));
        if (change.changedAnything()) audit.record(who, AuditLog.Category.Modified, describe(change), List.of(id));
        ctx.json(NodeResource.of(change.after()));
    }

    private static String describe(NodeRegistry.Change change) {
        NodeRecord node = change.after();
        List<String> parts = new ArrayList<>();
        if (change.before().inMaintenanceMode() != node.inMaintenanceMode()) {
            parts.add((node.inMaintenanceMode() ? "Drained" : "Undrained") + " node " + node.name());
        }
        if (change.before().maxConcurrentTasks() != node.maxConcurrentTasks()) {
            parts.add("Changed the task cap of node " + node.name() + " from " + change.before().maxConcurrentTasks()
                    + " to " + node.maxConcurrentTasks());
        }
        return String.join("; ", parts);
    }

    private void delete(Context ctx) {
        String id = ctx.pathParam("id");
        switch (registry.delete(id)) {
            case NOT_FOUND -> throw ApiException.notFound(id);
            case BUSY -> throw ApiException.conflict("Node " + id + " is online and running tasks: drain it and wait "
                    + "until it runs nothing, or stop it, before deleting it.");
            case DELETED -> {
                audit.record(AccessControl.actor(ctx), AuditLog.Category.Deleted, "Deleted node " + id, List.of(id));
                ctx.status(204);
            }
        }
    }

    private NodeRecord find(String id) {
        return registry.find(id).orElseThrow(() -> ApiException.notFound(id));
    }
}
