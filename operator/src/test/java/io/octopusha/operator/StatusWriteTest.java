package io.octopusha.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.crd.OctopusClusterStatus;
import io.octopusha.operator.crd.QueueStatus;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The status is written only when it changed, and the next reconcile is always scheduled. */
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
        var control = OctopusClusterReconciler.report(cluster,
                Serialization.clone(cluster).getStatus(), Duration.ofSeconds(30));
        assertThat(control.isNoUpdate()).isTrue();
        assertThat(control.getScheduleDelay()).contains(Duration.ofSeconds(30).toMillis());
    }

    @Test
    void aChangedStatusIsPatched() {
        OctopusCluster cluster = Clusters.minimal("octo", "ns");
        cluster.setStatus(status(1));
        var control = OctopusClusterReconciler.report(cluster, status(2), Duration.ofSeconds(5));
        assertThat(control.isPatchStatus()).isTrue();
        assertThat(control.getResource()).hasValueSatisfying(c -> assertThat(c.getStatus().queue.queued).isEqualTo(2));
        assertThat(control.getScheduleDelay()).contains(Duration.ofSeconds(5).toMillis());
    }

    @Test
    void theFirstStatusIsWritten() {
        OctopusCluster cluster = Clusters.minimal("octo", "ns");
        assertThat(OctopusClusterReconciler.report(cluster, status(0), Duration.ofSeconds(5)).isPatchStatus()).isTrue();
    }
}
