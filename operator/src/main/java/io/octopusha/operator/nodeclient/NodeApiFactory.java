package io.octopusha.operator.nodeclient;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;

/** Connects to the node API of one cluster through any of its nodes. */
@FunctionalInterface
public interface NodeApiFactory {

    NodeApi connect(List<URI> nodes, String adminApiKey);

    /** Over HTTP; each request gives up after {@code timeout} and moves on to the next node. */
    static NodeApiFactory http(Duration timeout) {
        HttpClient client = HttpNodeApi.newHttpClient(timeout);
        return (nodes, key) -> new HttpNodeApi(client, nodes, key, timeout);
    }
}
