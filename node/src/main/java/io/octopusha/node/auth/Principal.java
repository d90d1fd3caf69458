package io.octopusha.node.auth;

/** Who made a request: the API key's id, what it is for, and its role. */
public record Principal(String keyId, String purpose, Role role) {
}
