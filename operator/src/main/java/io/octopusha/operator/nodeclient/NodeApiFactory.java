package io.octopusha.operator.nodeclient;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** Connects to the node API of one cluster through any of its nodes. */
@FunctionalInterface
public interface NodeApiFactory {

    /**
     * @param adminApiKeys keys to try in this order
     * @param keyAccepted  told which key a node accepted
     */
    NodeApi connect(List<URI> nodes, List<String> adminApiKeys, Consumer<String> keyAccepted);

    /** Over HTTP; each request gives up after {@code timeout}, and a slow node does not hold up the others. */
    static NodeApiFactory http(Duration timeout) {
        HttpClient client = HttpNodeApi.newHttpClient(timeout);
        return (nodes, keys, accepted) -> new HttpNodeApi(client, nodes, keys, accepted, timeout);
    }
}
