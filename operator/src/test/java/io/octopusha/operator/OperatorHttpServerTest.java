package io.octopusha.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.nodeclient.NodeApiFactory;
import io.octopusha.operator.nodeclient.NodeUrlResolver;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The operator's own endpoints: health before and after start, and Prometheus metrics of its reconciles. */
class OperatorHttpServerTest {
    @RegisterExtension
    static final MockKubernetesApi API = new MockKubernetesApi();
    final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(OperatorHttpServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthReadinessAndMetrics() throws Exception {
        KubernetesClient client = API.client();
        try (InputStream crd = getClass().getResourceAsStream("/META-INF/fabric8/octopusclusters.octopusha.io-v1.yml")) {
            client.resource(Serialization.unmarshal(crd, CustomResourceDefinition.class)).create();
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        NodeUrlResolver nowhere = pod -> Optional.of(URI.create("http://127.0.0.1:1"));
        Operator operator = OctopusOperator.create(client, nowhere, NodeApiFactory.http(Duration.ofMillis(500)),
                Clock.systemUTC(), MicrometerMetrics.withoutPerResourceMetrics(registry), Optional.empty(), Set.of());
        try (OperatorHttpServer server = new OperatorHttpServer(0, operator, registry)) {
            server.start();
            assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);
            assertThat(get(server, "/readyz").statusCode()).as("not started yet").isEqualTo(503);

            operator.start();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(get(server, "/readyz").statusCode()).isEqualTo(200));
            OctopusCluster cluster = Clusters.minimal("metered", "default");
            cluster.getMetadata().setUid(null);
            client.resource(cluster).create();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                HttpResponse<String> metrics = get(server, "/metrics");
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(
                        t -> assertThat(t).startsWith("text/plain"));
                assertThat(metrics.body()).contains("operator_sdk_reconciliations");
            });
        } finally {
            operator.stop();
        }
    }
}
