package io.octopusha.node.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.octopusha.node.audit.AuditLog;
import io.octopusha.node.auth.ApiKeys;
import io.octopusha.node.auth.Principal;
import io.octopusha.node.auth.Role;
import io.octopusha.node.input.ForbiddenException;
import io.octopusha.node.input.JsonFields;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Users and their API keys, at Octopus's paths. A user here is a service account with a role; each of its keys acts
 * with that role. {@code GET /api/users/me} is the calling key's user. A user's keys can be listed and revoked by the
 * user itself or an Administrator; only an Administrator creates keys (so that a leaked key cannot make others that
 * outlive its revocation).
 */
public final class UsersApi implements ApiRoutes {
    public static final String PATH = "/api/users";
    public static final String ME = PATH + "/me";

    private final ApiKeys apiKeys;
    private final AuditLog audit;

    public UsersApi(ApiKeys apiKeys, AuditLog audit) {
        this.apiKeys = apiKeys;
        this.audit = audit;
    }

    record UserResource(String id, String username, String displayName, boolean isActive, boolean isService,
                        String emailAddress, boolean canPasswordBeEdited, boolean isRequestor, List<Object> identities,
                        OffsetDateTime created, String role, Map<String, String> links) {
        static UserResource of(ApiKeys.User u) {
            Map<String, String> links = new LinkedHashMap<>();
            links.put("Self", PATH + "/" + u.id());
            links.put("ApiKeys", PATH + "/" + u.id() + "/apikeys{/id}{?skip,take}");
            return new UserResource(u.id(), u.displayName(), u.displayName(), true, true, null, false, false, List.of(),
                    u.created(), u.role().name(), links);
        }
    }

    record SensitiveValue(boolean hasValue, String newValue, String hint) {
    }

    record ApiKeyResource(String id, String purpose, String userId, String role, OffsetDateTime created,
                          OffsetDateTime expires, OffsetDateTime lastUsed, SensitiveValue apiKey, Map<String, String> links) {
        static ApiKeyResource of(ApiKeys.KeyInfo k) {
            return new ApiKeyResource(k.id(), k.purpose(), k.userId(), k.role().name(), k.created(), null, k.lastUsed(),
                    new SensitiveValue(true, null, k.prefix()), keyLinks(k.userId(), k.id()));
        }
    }

    record ApiKeyCreatedResource(String id, String purpose, String userId, String role, OffsetDateTime created,
                                 OffsetDateTime expires, String apiKey, Map<String, String> links) {
        static ApiKeyCreatedResource of(ApiKeys.CreatedKey k) {
            return new ApiKeyCreatedResource(k.id(), k.purpose(), k.userId(), k.role().name(), k.created(), null, k.apiKey(),
                    keyLinks(k.userId(), k.id()));
        }
    }

    private static Map<String, String> keyLinks(String userId, String keyId) {
        return Map.of("Self", PATH + "/" + userId + "/apikeys/" + keyId, "User", PATH + "/" + userId);
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(ME, ctx -> {
            Principal p = AccessControl.principal(ctx);
            ctx.json(UserResource.of(apiKeys.findUser(p.userId()).orElseThrow(() -> ApiException.notFound(p.userId()))));
        }, Role.Viewer);
        routes.get(PATH, this::list, Role.Administrator);
        routes.get(PATH + "/{userId}", ctx -> ctx.json(UserResource.of(userFor(ctx))), Role.Viewer);
        routes.get(PATH + "/{userId}/apikeys", ctx -> {
            ApiKeys.User user = userFor(ctx);
            Paging paging = Paging.from(ctx);
            List<ApiKeys.KeyInfo> keys = apiKeys.listFor(user.id());
            ctx.json(paging.collection("ApiKey", paging.page(keys).stream().map(ApiKeyResource::of).toList(), keys.size(), ctx));
        }, Role.Viewer);
        routes.post(PATH + "/{userId}/apikeys", this::createKey, Role.Administrator);
        routes.get(PATH + "/{userId}/apikeys/{id}", ctx -> ctx.json(ApiKeyResource.of(keyFor(ctx))), Role.Viewer);
        routes.delete(PATH + "/{userId}/apikeys/{id}", ctx -> {
            ApiKeys.KeyInfo key = keyFor(ctx);
            ApiKeys.KeyInfo revoked = apiKeys.delete(key.id()).orElseThrow(() -> ApiException.notFound(key.id()));
            audit.record(AccessControl.actor(ctx), AuditLog.Category.Deleted, "Revoked API key " + revoked.id() + " ("
                    + revoked.purpose() + ", role " + revoked.role() + ") of user " + revoked.userId(), List.of(revoked.id(), revoked.userId()));
            ctx.status(204);
        }, Role.Viewer);
    }

    private void list(Context ctx) {
        Paging paging = Paging.from(ctx);
        List<String> ids = IdList.from(ctx, "ids");
        String filter = QueryParams.text(ctx, "filter", 200);
        List<ApiKeys.User> matching = apiKeys.users().stream()
                .filter(u -> ids == null || ids.contains(u.id()))
                .filter(u -> filter == null || u.displayName().toLowerCase(Locale.ROOT).contains(filter.toLowerCase(Locale.ROOT)))
                .toList();
        ctx.json(paging.collection("User", paging.page(matching).stream().map(UserResource::of).toList(), matching.size(), ctx));
    }

    /** {@code {Purpose}} → 201 with the key, shown only in this answer; it has the user's role. */
    private void createKey(Context ctx) {
        ApiKeys.User user = userFor(ctx);
        ObjectNode body = RequestBodies.object(ctx);
        String purpose = JsonFields.requiredString(body, "Purpose", 200);
        ctx.header("Cache-Control", "no-store");
        ApiKeys.CreatedKey created = apiKeys.createFor(user.id(), purpose).orElseThrow(() -> ApiException.notFound(user.id()));
        audit.record(AccessControl.actor(ctx), AuditLog.Category.Created, "Created API key " + created.id() + " (" + purpose
                + ", role " + created.role() + ") for user " + user.id(), List.of(created.id(), user.id()));
        ctx.status(201).json(ApiKeyCreatedResource.of(created));
    }

    /** The user of the path: 404 if there is none, 403 unless it is the caller's own or the caller is an Administrator. */
    private ApiKeys.User userFor(Context ctx) {
        String userId = ctx.pathParam("userId");
        ApiKeys.User user = apiKeys.findUser(userId).orElseThrow(() -> ApiException.notFound(userId));
        Principal caller = AccessControl.principal(ctx);
        if (!caller.userId().equals(user.id()) && caller.role() != Role.Administrator) {
            throw new ForbiddenException("You may only see and revoke your own API keys (user " + caller.userId()
                    + "); " + user.id() + " is another user's.");
        }
        return user;
    }

    private ApiKeys.KeyInfo keyFor(Context ctx) {
        ApiKeys.User user = userFor(ctx);
        String id = ctx.pathParam("id");
        return apiKeys.find(id).filter(k -> k.userId().equals(user.id())).orElseThrow(() -> ApiException.notFound(id));
    }
}
