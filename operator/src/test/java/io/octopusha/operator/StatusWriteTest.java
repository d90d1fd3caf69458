package io.octopusha.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.crd.OctopusClusterStatus;
import io.octopusha.operator.crd.QueueStatus;
import org.junit.jupiter.api.Test;

/** The status is written only when it changed. */
class StatusWriteTest {
    private static OctopusClusterStatus status(int queued) {
        OctopusClusterStatus status = new OctopusClusterStatus();
        status.replicas = 3;
        status.queue = new QueueStatus(queued, 0);
        return status;
    }

    @Test
    void anUnchangedStatusIsNotWritten() {
        OctopusCluster cluster = Clusters.minimal("octo", "ns");
        cluster.setStatus(status(1));
        assertThat(OctopusClusterReconciler.statusChanged(cluster, Serialization.clone(cluster).getStatus())).isFalse();
    }

    @Test
    void aChangedStatusIsWritten() {
        OctopusCluster cluster = Clusters.minimal("octo", "ns");
        cluster.setStatus(status(1));
        assertThat(OctopusClusterReconciler.statusChanged(cluster, status(2))).isTrue();
    }

    @Test
    void theFirstStatusIsWritten() {
        assertThat(OctopusClusterReconciler.statusChanged(Clusters.minimal("octo", "ns"), status(0))).isTrue();
    }
}
