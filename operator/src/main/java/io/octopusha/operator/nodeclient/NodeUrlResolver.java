package io.octopusha.operator.nodeclient;

import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.util.Optional;

/**
 * Where the operator reaches a node pod's HTTP API. Production uses the pod IP ({@link #podIp()}); tests map pod names
 * to node processes on localhost.
 */
@FunctionalInterface
public interface NodeUrlResolver {

    /** The base URL of the pod's node, or empty while it has none (e.g. no IP yet). */
    Optional<URI> baseUrl(Pod pod);

    static NodeUrlResolver podIp() {
        return pod -> Optional.ofNullable(pod.getStatus())
                .map(s -> s.getPodIP())
                .filter(ip -> !ip.isBlank())
                .map(ip -> URI.create("http://" + (ip.contains(":") ? "[" + ip + "]" : ip) + ":8080"));
    }
}
