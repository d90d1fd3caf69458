package io.octopusha.node.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.octopusha.node.audit.AuditLog.Event;
import io.octopusha.node.audit.AuditLog;
import io.octopusha.node.auth.Role;
import io.octopusha.node.input.InvalidInputException;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** The audit trail: {@code GET /api/events{?regarding,from,to,skip,take}}, newest first, and one event. */
public final class EventsApi implements ApiRoutes {
    public static final String PATH = "/api/events";

    private final AuditLog audit;

    public EventsApi(AuditLog audit) {
        this.audit = audit;
    }

    record EventResource(String id, String category, String message, OffsetDateTime occurred, String userId,
                         String username, String identityEstablishedWith, String ipAddress, String serverNode,
                         List<String> relatedDocumentIds, Map<String, String> links) {
        static EventResource of(Event e) {
            return new EventResource(e.id(), e.category().name(), e.message(), e.occurred(), e.apiKeyId(), e.username(),
                    e.apiKeyId() == null ? "None" : "API key", e.ipAddress(), e.serverNode(), e.relatedDocumentIds(),
                    Map.of("Self", PATH + "/" + e.id()));
        }
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(PATH, this::list, Role.Viewer);
        routes.get(PATH + "/{id}", ctx -> {
            String id = ctx.pathParam("id");
            ctx.json(EventResource.of(audit.find(id).orElseThrow(() -> ApiException.notFound(id))));
        }, Role.Viewer);
    }

    private void list(Context ctx) {
        Paging paging = Paging.from(ctx);
        List<String> regarding = IdList.from(ctx, "regarding");
        AuditLog.Filter filter = new AuditLog.Filter(regarding == null || regarding.isEmpty() ? null : regarding,
                time(ctx, "from"), time(ctx, "to"));
        if (filter.from() != null && filter.to() != null && filter.from().isAfter(filter.to())) {
            throw new InvalidInputException("from must not be after to.");
        }
        ctx.json(paging.collection("Event", audit.list(filter, paging.skip(), paging.take()).stream()
                .map(EventResource::of).toList(), audit.count(filter), ctx));
    }

    private static OffsetDateTime time(Context ctx, String name) {
        return QueryParams.time(ctx, name);
    }
}
