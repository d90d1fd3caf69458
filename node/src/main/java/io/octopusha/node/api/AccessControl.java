package io.octopusha.node.api;

import io.javalin.http.Context;
import io.javalin.security.RouteRole;
import io.octopusha.node.audit.AuditLog;
import io.octopusha.node.auth.ApiKeys;
import io.octopusha.node.auth.FailedSignIns;
import io.octopusha.node.auth.Principal;
import io.octopusha.node.auth.Role;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Checks every matched route's role against the caller's API key ({@code X-Octopus-ApiKey} header or
 * {@code ?apikey=}). A route registered without a role is treated as Administrator-only, so forgetting
 * a role can only make a route stricter. An address that sends too many invalid keys gets 429 for a while.
 */
public final class AccessControl {
    public static final String HEADER = "X-Octopus-ApiKey";
    private static final String PRINCIPAL = "octopus.principal";

    private final ApiKeys apiKeys;
    private final FailedSignIns failedSignIns;
    private final AuditLog audit;

    public AccessControl(ApiKeys apiKeys, FailedSignIns failedSignIns, AuditLog audit) {
        this.apiKeys = apiKeys;
        this.failedSignIns = failedSignIns;
        this.audit = audit;
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
        String address = ctx.ip();
        Duration locked = failedSignIns.lockedFor(address);
        if (locked != null) {
            long seconds = Math.max(1, locked.toSeconds());
            ctx.header("Retry-After", Long.toString(seconds));
            throw new ApiException(429, "Too many requests with invalid API keys from " + address
                    + "; try again in " + seconds + " seconds.", List.of());
        }
        Principal principal = apiKeys.authenticate(key.strip()).orElse(null);
        if (principal == null) {
            // Recorded once per lockout, not per guess: a flood of bad keys must not become a flood of writes.
            if (failedSignIns.failed(address)) {
                audit.record(AuditLog.Actor.anonymous(address), AuditLog.Category.LoginFailed, failedSignIns.maxFailures()
                        + " invalid API keys from " + address + " within a minute: its requests with a key get 429 until the minute is over.", List.of());
            }
            throw new ApiException(401, "The API key you provided was not valid.", List.of());
        }
        if (!principal.role().includes(required)) {
            throw new ApiException(403, "You do not have permission to perform this action: it needs the "
                    + required + " role and your key has " + principal.role() + ".", List.of());
        }
        ctx.attribute(PRINCIPAL, principal);
    }

    public static Principal principal(Context ctx) {
        return ctx.attribute(PRINCIPAL);
    }

    /** Who made this request, for the audit trail. */
    public static AuditLog.Actor actor(Context ctx) {
        Principal p = principal(ctx);
        return new AuditLog.Actor(p.keyId(), p.purpose(), ctx.ip());
    }

    static Role requiredRole(Set<RouteRole> roles) {
        return roles.stream().filter(Role.class::isInstance).map(Role.class::cast)
                .min(Enum::compareTo).orElse(Role.Administrator);
    }
}
