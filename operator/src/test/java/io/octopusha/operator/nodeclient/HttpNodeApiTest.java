package io.octopusha.operator.nodeclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.PodBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the client fails; its conversations with real nodes are covered by the end-to-end tests. */
class HttpNodeApiTest {
    final NodeApiFactory factory = NodeApiFactory.http(Duration.ofMillis(500));

    @Test
    void everyNodeIsTriedTwiceBeforeTheCallFails() {
        NodeApi api = factory.connect(List.of(URI.create("http://127.0.0.1:1"), URI.create("http://127.0.0.1:2")), "API-X");
        assertThatThrownBy(api::summary)
                .isInstanceOf(NodeApiException.class)
                .hasMessageStartingWith("GET /api/octopusservernodes/summary failed: ")
                .satisfies(e -> {
                    assertThat(e.getMessage().split("http://127.0.0.1:1")).hasSize(3);
                    assertThat(e.getMessage().split("http://127.0.0.1:2")).hasSize(3);
                });
    }

    @Test
    void withoutAnyNodeThereIsNothingToCall() {
        assertThatThrownBy(() -> factory.connect(List.of(), "API-X"))
                .isInstanceOf(NodeApiException.class)
                .hasMessageContaining("no pod has an address yet");
    }

    @Test
    void productionReachesAPodByItsIp() {
        var pod = new PodBuilder().withNewStatus().withPodIP("10.1.2.3").endStatus().build();
        assertThat(NodeUrlResolver.podIp().baseUrl(pod)).contains(URI.create("http://10.1.2.3:8080"));
        var v6 = new PodBuilder().withNewStatus().withPodIP("fd00::7").endStatus().build();
        assertThat(NodeUrlResolver.podIp().baseUrl(v6)).contains(URI.create("http://[fd00::7]:8080"));
        assertThat(NodeUrlResolver.podIp().baseUrl(new PodBuilder().withNewStatus().endStatus().build())).isEmpty();
    }
}
