package io.octopusha.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One fabric8 mock API server in CRUD mode for a whole test class: register it as a static {@code @RegisterExtension}
 * field and take its {@link #client()} in {@code @BeforeAll}.
 *
 * <p>It replaces {@code @EnableKubernetesMockClient}, which also starts and stops an unused second server around every
 * test method. Stopping a server of fabric8 7.5.2 can throw {@link RejectedExecutionException} when its HTTP server
 * finishes closing between two listener registrations (fabric8 kubernetes-client issue 7747, fixed in 7.7.0): by then
 * the server has stopped listening and Vert.x is already closing, so nothing is left running. That exception failed
 * an otherwise passing test in CI, so the stop here tolerates exactly that one.
 */
public final class MockKubernetesApi implements BeforeAllCallback, AfterAllCallback {
    private KubernetesMockServer server;
    private KubernetesClient client;

    @Override
    public void beforeAll(ExtensionContext context) {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses), false);
        server.init();
        client = server.createClient();
    }

    public KubernetesClient client() {
        return client;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        client.close();
        try {
            server.destroy();
        } catch (RejectedExecutionException raceInMockServerShutdown) {
            // See the class comment: the server is already down.
        }
    }
}
