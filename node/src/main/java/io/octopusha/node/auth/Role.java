package io.octopusha.node.auth;

import io.javalin.security.RouteRole;

/** What a key may do; each role includes the ones before it. Anonymous marks the few routes that need no key. */
public enum Role implements RouteRole {
    Anonymous, Viewer, Operator, Administrator;

    public boolean includes(Role required) {
        return compareTo(required) >= 0;
    }

    /** Roles a key can be given (not Anonymous). */
    public static Role forKey(String name) {
        for (Role role : values()) {
            if (role != Anonymous && role.name().equals(name)) return role;
        }
        return null;
    }
}
