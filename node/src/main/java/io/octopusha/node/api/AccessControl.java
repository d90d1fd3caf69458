package io.octopusha.node.api;

import io.javalin.http.Context;
import io.javalin.security.RouteRole;
import io.octopusha.node.auth.ApiKeys;
import io.octopusha.node.auth.Principal;
import io.octopusha.node.auth.Role;

import java.util.List;
import java.util.Set;

/**
 * Checks every matched route's role against the caller's API key ({@code X-Octopus-ApiKey} header or
 * {@code ?apikey=}). A route registered without a role is treated as Administrator-only, so forgetting
 * a role can only make a route stricter.
 */
public final class AccessControl {
    public static final String HEADER = "X-Octopus-ApiKey";
    private static final String PRINCIPAL = "octopus.principal";

    private final ApiKeys apiKeys;

    public AccessControl(ApiKeys apiKeys) {
        this.apiKeys = apiKeys;
    }

    public void check(Context ctx) {
        Role required = requiredRole(ctx.routeRoles());
        if (required == Role.Anonymous) return;
        String key = ctx.header(HEADER);
        if (key == null || key.isBlank()) key = ctx.queryParam("apikey");
        if (key == null || key.isBlank()) {
            throw new ApiException(401, "You must be logged in to perform this action. Send an API key in the "
                    + HEADER + " header.", List.of());
        }
        Principal principal = apiKeys.authenticate(key.strip())
                .orElseThrow(() -> new ApiException(401, "The API key you provided was not valid.", List.of()));
        if (!principal.role().includes(required)) {
            throw new ApiException(403, "You do not have permission to perform this action: it needs the "
                    + required + " role and your key has " + principal.role() + ".", List.of());
        }
        ctx.attribute(PRINCIPAL, principal);
    }

    public static Principal principal(Context ctx) {
        return ctx.attribute(PRINCIPAL);
    }

    static Role requiredRole(Set<RouteRole> roles) {
        return roles.stream().filter(Role.class::isInstance).map(Role.class::cast)
                .min(Enum::compareTo).orElse(Role.Administrator);
    }
}
