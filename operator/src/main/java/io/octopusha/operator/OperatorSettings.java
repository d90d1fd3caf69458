package io.octopusha.operator;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's settings, from its environment (the chart sets them). A bad value is refused with one line naming the
 * variable.
 *
 * @param httpAddress     OPERATOR_HTTP_ADDRESS: where /healthz, /readyz and /metrics listen (default 0.0.0.0)
 * @param httpPort        OPERATOR_HTTP_PORT (default 8080)
 * @param nodeApiTimeout  OPERATOR_NODE_API_TIMEOUT: each call to a node's API (ISO-8601, default PT5S)
 * @param leaseNamespace  OPERATOR_LEASE_NAMESPACE: where replicas elect their leader; empty when one replica runs
 * @param watchNamespaces OPERATOR_WATCH_NAMESPACES: comma-separated; empty means every namespace
 */
public record OperatorSettings(String httpAddress, int httpPort, Duration nodeApiTimeout,
                               Optional<String> leaseNamespace, Set<String> watchNamespaces) {

    public static OperatorSettings from(Map<String, String> env) {
        return new OperatorSettings(address(env, "OPERATOR_HTTP_ADDRESS", "0.0.0.0"),
                port(env, "OPERATOR_HTTP_PORT", 8080), duration(env, "OPERATOR_NODE_API_TIMEOUT", Duration.ofSeconds(5)),
                Optional.ofNullable(value(env, "OPERATOR_LEASE_NAMESPACE")),
                watchNamespaces(Optional.ofNullable(value(env, "OPERATOR_WATCH_NAMESPACES")).orElse("")));
    }

    /** Comma-separated; empty means every namespace. */
    static Set<String> watchNamespaces(String value) {
        return Arrays.stream(value.split(",")).map(String::strip).filter(ns -> !ns.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    private static String value(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static int port(Map<String, String> env, String name, int fallback) {
        String value = value(env, name);
        if (value == null) return fallback;
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) return port;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a port from 0 to 65535, got '" + value + "'");
    }

    private static Duration duration(Map<String, String> env, String name, Duration fallback) {
        String value = value(env, name);
        if (value == null) return fallback;
        try {
            Duration duration = Duration.parse(value);
            if (!duration.isNegative() && !duration.isZero()) return duration;
        } catch (DateTimeParseException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a positive ISO-8601 duration such as PT5S, got '" + value + "'");
    }

    private static String address(Map<String, String> env, String name, String fallback) {
        String value = value(env, name);
        if (value == null) return fallback;
        if (value.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*")) {
            try {
                return InetAddress.getByName(value).getHostAddress();
            } catch (UnknownHostException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException(name + " must be an IP address such as 0.0.0.0, got '" + value + "'");
    }
}
