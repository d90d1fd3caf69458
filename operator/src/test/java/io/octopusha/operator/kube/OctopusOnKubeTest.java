package io.octopusha.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The operator's flows on a real control plane, with the chart's namespaced RBAC: one OctopusCluster of three nodes
 * that each test leaves serving as it found it.
 */
@KubeTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OctopusOnKubeTest {
    static final String OPERATOR_NS = "octopus-system";
    static final String NS = "octopus";
    static KubeEnvironment env;
    static OperatorRelease operator;
    static ClusterUnderTest cluster;

    @BeforeAll
    static void install(KubeEnvironment environment) {
        env = environment;
        env.createRestrictedNamespace(OPERATOR_NS);
        env.createRestrictedNamespace(NS);
        operator = OperatorRelease.install(env, OPERATOR_NS, Map.of("watchNamespaces[0]", NS));
        cluster = ClusterUnderTest.apply(env, NS, "octo", 3, """
                  taskCap: 2
                  drainTimeout: 10m
                  terminationGracePeriodSeconds: 30
                """);
    }

    @AfterAll
    static void uninstall() {
        if (operator != null) operator.close();
    }

    @Test
    @Order(1)
    void kubectlShowsThreeReadyNodesAndTheServiceThreeReadyEndpoints() {
        cluster.awaitServing(3, Duration.ofMinutes(3));
        String table = env.kubectl().run("get", "octo", "-n", NS).assertSuccess().out();
        assertThat(table.lines().toList()).hasSize(2);
        assertThat(table.lines().toList().get(0)).contains("NODES", "READY", "RUNNING TASKS", "QUEUED", "AGE");
        assertThat(table.lines().toList().get(1).split("\\s+")).contains("octo", "3");
        assertThat(cluster.readyEndpoints()).containsExactlyElementsOf(
                cluster.podIps(cluster.pod(0), cluster.pod(1), cluster.pod(2)));
    }
}
