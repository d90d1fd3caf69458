package io.octopusha.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.octopusha.operator.Clusters;
import io.octopusha.operator.crd.OctopusCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NodeSettingsConfigMapTest {
    final OctopusCluster cluster = Clusters.minimal("octo", "prod");

    @Test
    void defaultsGiveEveryNodeItsDirectoriesCapAndShutdownGrace() {
        var data = NodeSettingsConfigMap.desired(cluster).getData();
        assertThat(data).containsEntry("OCTOPUS_HTTP_PORT", "8080")
                .containsEntry("OCTOPUS_SHARED_DIR", Names.SHARED_DIR)
                .containsEntry("OCTOPUS_DATA_DIR", Names.DATA_DIR)
                .containsEntry("OCTOPUS_TASK_CAP", "5")
                .containsEntry("OCTOPUS_SHUTDOWN_GRACE", "PT10M")
                .doesNotContainKey("OCTOPUS_NODE_LIMIT")
                .doesNotContainKeys("OCTOPUS_DB_PASSWORD", "OCTOPUS_ADMIN_API_KEY");
        assertThat(NodeSettingsConfigMap.desired(cluster).getMetadata().getName()).isEqualTo("octo-config");
    }

    @Test
    void capLimitAndGraceFollowTheSpec() {
        cluster.getSpec().taskCap = 12;
        cluster.getSpec().nodeLimit = 4;
        cluster.getSpec().terminationGracePeriodSeconds = 3600L;
        var data = NodeSettingsConfigMap.desired(cluster).getData();
        assertThat(data).containsEntry("OCTOPUS_TASK_CAP", "12")
                .containsEntry("OCTOPUS_NODE_LIMIT", "4")
                .containsEntry("OCTOPUS_SHUTDOWN_GRACE", "PT59M30S");
    }

    @Test
    void shutdownGraceEndsJustBeforeKubernetesKillsThePod() {
        assertThat(NodeSettingsConfigMap.shutdownGrace(630)).isEqualTo(Duration.ofSeconds(600));
        assertThat(NodeSettingsConfigMap.shutdownGrace(60)).isEqualTo(Duration.ofSeconds(54));
        assertThat(NodeSettingsConfigMap.shutdownGrace(10)).isEqualTo(Duration.ofSeconds(9));
    }
}
