package io.octopusha.node.local;

import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.Ports;
import io.octopusha.node.testing.SystemTool;
import io.octopusha.node.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three node processes behind a real HAProxy that health-checks the ping: draining a node takes it out of
 * the rotation without a single failed request.
 */
class HaproxyDrainTest {
    private static final int REQUESTS = 300;
    private static TestCluster cluster;
    private static final List<NodeProcess> nodes = new ArrayList<>();
    private static Haproxy haproxy;
    private static Api viaHaproxy;

    @BeforeAll
    static void start() {
        SystemTool.require(HaproxyDrainTest.class, SystemTool.HAPROXY);
        cluster = new TestCluster();
        for (String name : List.of("lb1", "lb2", "lb3")) {
            nodes.add(NodeProcess.start(name, Ports.free(), cluster.environment(name, Map.of()),
                    cluster.root().resolve("logs/" + name + ".log"), List.of("-Xmx128m")));
        }
        nodes.forEach(n -> n.awaitReady(Duration.ofSeconds(60)));
        int port = Ports.free();
        haproxy = Haproxy.start(cluster.root().resolve("haproxy"), port, Ports.free(),
                nodes.stream().map(n -> new Haproxy.Backend(n.name(), n.port())).toList());
        viaHaproxy = new Api("http://127.0.0.1:" + port, TestCluster.ADMIN_KEY);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> haproxy.serverStates().values().stream().allMatch("UP"::equals)
                && haproxy.serverStates().size() == 3);
    }

    @AfterAll
    static void stop() {
        if (haproxy != null) haproxy.close();
        nodes.forEach(NodeProcess::close);
        if (cluster != null) cluster.close();
    }

    @Test
    void aDrainedNodeLeavesTheRotationWithZeroFailedRequests() {
        Api lb2 = new Api(nodes.get(1).baseUrl(), TestCluster.ADMIN_KEY);
        assertThat(viaHaproxy.put("/api/octopusservernodes/OctopusServerNodes-lb2", "{\"IsInMaintenanceMode\":true}").status())
                .isEqualTo(200);
        assertThat(lb2.get("/api/octopusservernodes/ping").status()).isIn(200, 418);

        List<String> errors = new ArrayList<>();
        List<String> servedAfterMarkedDown = new ArrayList<>();
        boolean markedDown = false;
        for (int i = 0; i < REQUESTS; i++) {
            if (!markedDown) markedDown = "DOWN".equals(haproxy.serverStates().get("lb2"));
            Api.Response response = viaHaproxy.get("/api/octopusservernodes/summary");
            if (response.status() != 200) errors.add(i + ": " + response.status() + " " + response.body());
            String servedBy = response.headers().firstValue("X-Octopus-Node").orElse("?");
            if (markedDown && servedBy.equals("lb2")) servedAfterMarkedDown.add("request " + i);
        }
        assertThat(markedDown).as("HAProxy marked the drained node down").isTrue();
        assertThat(errors).isEmpty();
        assertThat(servedAfterMarkedDown).isEmpty();
        assertThat(lb2.get("/api/octopusservernodes/ping").status()).isEqualTo(418);

        viaHaproxy.put("/api/octopusservernodes/OctopusServerNodes-lb2", "{\"IsInMaintenanceMode\":false}");
        await().atMost(Duration.ofSeconds(5)).until(() -> "UP".equals(haproxy.serverStates().get("lb2")));
    }
}
