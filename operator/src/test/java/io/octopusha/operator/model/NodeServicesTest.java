package io.octopusha.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.octopusha.operator.Clusters;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.crd.ServiceSpec;
import org.junit.jupiter.api.Test;

class NodeServicesTest {
    final OctopusCluster cluster = Clusters.minimal("octo", "prod");

    @Test
    void headlessServiceKeepsDrainedNodesResolvable() {
        Service headless = NodeServices.headless(cluster);
        assertThat(headless.getMetadata().getName()).isEqualTo("octo-nodes");
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
        assertThat(headless.getSpec().getSelector()).doesNotContainKey(Labels.LOAD_BALANCER);
        assertThat(headless.getSpec().getPorts().getFirst().getPort()).isEqualTo(8080);
    }

    @Test
    void clientServiceSelectsOnlyNodesInTheLoadBalancerWithDefaults() {
        Service service = NodeServices.client(cluster);
        assertThat(service.getMetadata().getName()).isEqualTo("octo");
        assertThat(service.getSpec().getSelector()).containsEntry(Labels.LOAD_BALANCER, Labels.IN)
                .containsEntry(Labels.INSTANCE, "octo");
        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service.getSpec().getSessionAffinity()).isEqualTo("None");
        assertThat(service.getSpec().getPorts().getFirst().getPort()).isEqualTo(80);
        assertThat(service.getSpec().getPorts().getFirst().getTargetPort().getStrVal()).isEqualTo("http");
    }

    @Test
    void clientServiceTypePortAndAffinityFollowTheSpec() {
        cluster.getSpec().service = new ServiceSpec();
        cluster.getSpec().service.type = ServiceSpec.ServiceType.LoadBalancer;
        cluster.getSpec().service.port = 8443;
        cluster.getSpec().service.sessionAffinity = ServiceSpec.SessionAffinity.ClientIP;
        Service service = NodeServices.client(cluster);
        assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(service.getSpec().getPorts().getFirst().getPort()).isEqualTo(8443);
        assertThat(service.getSpec().getSessionAffinity()).isEqualTo("ClientIP");
    }
}
