package io.octopusha.node.auth;

/** Who made a request: the API key's id, what it is for and its role, and the user it belongs to. */
public record Principal(String keyId, String purpose, Role role, String userId, String userDisplayName) {
}
