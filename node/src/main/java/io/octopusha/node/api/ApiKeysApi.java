package io.octopusha.node.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.octopusha.node.audit.AuditLog;
import io.javalin.config.RoutesConfig;
import io.octopusha.node.auth.ApiKeys;
import io.octopusha.node.auth.Role;
import io.octopusha.node.input.JsonFields;

import java.util.List;

/** API keys (Administrator only). The key itself is returned once, at creation. */
public final class ApiKeysApi implements ApiRoutes {
    public static final String PATH = "/api/apikeys";

    private final ApiKeys apiKeys;
    private final AuditLog audit;

    public ApiKeysApi(ApiKeys apiKeys, AuditLog audit) {
        this.apiKeys = apiKeys;
        this.audit = audit;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(PATH, ctx -> {
            Paging paging = Paging.from(ctx);
            List<ApiKeys.KeyInfo> all = apiKeys.list();
            ctx.json(paging.collection("ApiKey", paging.page(all), all.size(), ctx));
        }, Role.Administrator);
        routes.post(PATH, ctx -> {
            ObjectNode body = RequestBodies.object(ctx);
            String purpose = JsonFields.requiredString(body, "Purpose", 200);
            String roleName = JsonFields.requiredString(body, "Role", 50);
            Role role = Role.forKey(roleName);
            if (role == null) throw ApiException.badRequest("Role must be Administrator, Operator or Viewer.");
            // The key is in this answer only: no cache (the browser's, a proxy's) may keep it.
            ctx.header("Cache-Control", "no-store");
            ApiKeys.CreatedKey created = apiKeys.create(purpose, role);
            audit.record(AccessControl.actor(ctx), AuditLog.Category.Created, "Created API key " + created.id() + " ("
                    + created.purpose() + ", role " + role + ")", List.of(created.id()));
            ctx.status(201).json(created);
        }, Role.Administrator);
        routes.delete(PATH + "/{id}", ctx -> {
            String id = ctx.pathParam("id");
            ApiKeys.KeyInfo revoked = apiKeys.delete(id).orElseThrow(() -> ApiException.notFound(id));
            audit.record(AccessControl.actor(ctx), AuditLog.Category.Deleted, "Revoked API key " + id + " ("
                    + revoked.purpose() + ", role " + revoked.role() + ")", List.of(id));
            ctx.status(204);
        }, Role.Administrator);
    }
}
