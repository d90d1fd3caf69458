package io.octopusha.operator.nodeclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.octopusha.node.OctopusNode;
import io.octopusha.node.testing.TestCluster;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operator's client of the node API against a real node, a node that never answers, and refused keys. */
class HttpNodeApiTest {
    static final Duration TIMEOUT = Duration.ofSeconds(3);
    static final NodeApiFactory FACTORY = NodeApiFactory.http(TIMEOUT);
    static TestCluster cluster;
    static OctopusNode node;
    static URI real;

    @BeforeAll
    static void start() {
        cluster = new TestCluster();
        node = cluster.start("api-client", Map.of("OCTOPUS_AUTH_FAILURE_LIMIT", "4"));
        real = URI.create("http://127.0.0.1:" + node.api().port());
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    /** Accepts connections and reads, but never answers: a node that hangs. */
    static final class SilentNode implements AutoCloseable {
        final ServerSocket socket;
        final List<Socket> accepted = new CopyOnWriteArrayList<>();

        SilentNode() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        accepted.add(socket.accept());
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : accepted) s.close();
        }
    }

    @Test
    void aHungNodeCostsAFractionOfASecondNotATimeout() throws IOException {
        try (SilentNode hung = new SilentNode()) {
            NodeApi api = FACTORY.connect(List.of(hung.uri(), real), List.of(TestCluster.ADMIN_KEY), k -> { });
            long start = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                assertThat(api.summary()).extracting(NodeSummary::name).contains("api-client");
            }
            Duration fiveCalls = Duration.ofNanos(System.nanoTime() - start);
            assertThat(fiveCalls).as("each call waits the hedge delay, not the %s timeout", TIMEOUT)
                    .isLessThan(TIMEOUT);
        }
    }

    @Test
    void aRefusedKeyMovesOnToTheNextWithoutPilingUpRefusals() {
        List<String> accepted = new ArrayList<>();
        String rotatedAway = "API-NOLONGERVALID000000000000";
        NodeApi api = FACTORY.connect(List.of(real), List.of(rotatedAway, TestCluster.ADMIN_KEY), accepted::add);
        // More calls than the node's failed-key limit (4 a minute here, with the test below): one refusal each would lock the operator out.
        for (int i = 0; i < 2; i++) {
            assertThat(api.countTasks("Queued")).isZero();
        }
        assertThat(accepted).containsOnly(TestCluster.ADMIN_KEY);
        NodeApi remembered = FACTORY.connect(List.of(real), List.of(accepted.getLast(), rotatedAway), k -> { });
        for (int i = 0; i < 5; i++) {
            assertThat(remembered.countTasks("Queued")).as("the accepted key first: no refusal at all").isZero();
        }
    }

    @Test
    void whenEveryKeyIsRefusedTheCallSaysSo() {
        NodeApi api = FACTORY.connect(List.of(real), List.of("API-WRONGWRONGWRONGWRONG0"), k -> { });
        assertThatThrownBy(api::summary).isInstanceOf(NodeApiException.class)
                .hasMessageContaining("the admin API key was refused");
    }

    @Test
    void everyNodeIsTriedTwiceBeforeTheCallFails() {
        NodeApi api = FACTORY.connect(List.of(URI.create("http://127.0.0.1:1"), URI.create("http://127.0.0.1:2")),
                List.of("API-X"), k -> { });
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
        assertThatThrownBy(() -> FACTORY.connect(List.of(), List.of("API-X"), k -> { }))
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
