package io.octopusha.operator.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.octopusha.operator.crd.DrainReason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetireFlowTest {
    final Fixture f = new Fixture();

    @Test
    void scaleDownDrainsTheHighestOrdinalAndWaitsForItsTasks() {
        f.cluster.getSpec().replicas = 2;
        f.summary(2, 5, true, 1);
        Plan plan = f.plan();
        assertThat(plan.statefulSetReplicas()).as("a node with a running task is never shrunk away").isEqualTo(3);
        NodeIntent leaving = plan.nodes().get("octo-2");
        assertThat(leaving.drainReason()).isEqualTo(DrainReason.Retire);
        assertThat(leaving.maintenance()).isTrue();
        assertThat(leaving.inLoadBalancer()).isFalse();
        assertThat(plan.nodes().get("octo-1").maintenance()).isNull();
        assertThat(plan.cancelTasksOn()).isEmpty();
        assertThat(plan.progressReason()).isEqualTo("Retiring");
    }

    @Test
    void aNodeNotYetDrainedIsNotIdleEvenWithoutTasks() {
        f.cluster.getSpec().replicas = 2;
        assertThat(f.plan().statefulSetReplicas()).isEqualTo(3);
    }

    @Test
    void theStatefulSetShrinksOnceTheLeavingNodeIsDrainedAndIdle() {
        f.cluster.getSpec().replicas = 2;
        f.drainedBefore(2, DrainReason.Retire, Fixture.NOW.minusSeconds(30)).summary(2, 5, true, 0);
        Plan plan = f.plan();
        assertThat(plan.statefulSetReplicas()).isEqualTo(2);
        assertThat(plan.events()).extracting(PlannedEvent::reason).containsExactly("Retiring");
        assertThat(plan.nodeRecordsToDelete()).as("its pod still exists").isEmpty();
    }

    @Test
    void shrinksOnlyPastTheHighestOrdinalsWhoseDrainSettled() {
        f.cluster.getSpec().replicas = 1;
        f.summary(1, 5, true, 2).summary(2, 5, true, 0);
        assertThat(f.plan().statefulSetReplicas()).isEqualTo(2);
        f.summary(1, 5, true, 0).summary(2, 5, true, 2);
        assertThat(f.plan().statefulSetReplicas()).as("ordinal 2 goes first").isEqualTo(3);
    }

    @Test
    void afterDrainTimeoutItsTasksAreCancelledAndTheNodeRetires() {
        f.cluster.getSpec().replicas = 2;
        f.cluster.getSpec().drainTimeout = "1h";
        f.drainedBefore(2, DrainReason.Retire, Fixture.NOW.minus(Duration.ofMinutes(61))).summary(2, 5, true, 3);
        Plan plan = f.plan();
        assertThat(plan.cancelTasksOn()).containsExactly("octo-2");
        assertThat(plan.statefulSetReplicas()).isEqualTo(2);
        assertThat(plan.events()).filteredOn(PlannedEvent::warning).extracting(PlannedEvent::reason)
                .containsExactly("DrainTimeout");
    }

    @Test
    void beforeTheTimeoutNothingIsCancelledAndTheDrainKeepsItsStartTime() {
        f.cluster.getSpec().replicas = 2;
        var since = Fixture.NOW.minus(Duration.ofMinutes(59));
        f.drainedBefore(2, DrainReason.Retire, since).summary(2, 5, true, 3);
        Plan plan = f.plan();
        assertThat(plan.cancelTasksOn()).isEmpty();
        assertThat(plan.statefulSetReplicas()).isEqualTo(3);
        assertThat(plan.nodes().get("octo-2").drainStartedAt()).as("resumed from status").isEqualTo(since);
        assertThat(plan.events()).as("no second Draining event").isEmpty();
    }

    @Test
    void theRecordOfARetiredNodeIsDeletedOnceItsPodIsGone() {
        f.cluster.getSpec().replicas = 2;
        f.statefulSetReplicas = 2;
        f.noPod(2).summary(2, 5, true, 0);
        Plan plan = f.plan();
        assertThat(plan.nodeRecordsToDelete()).containsExactly("octo-2");
        assertThat(plan.statefulSetReplicas()).isEqualTo(2);
    }

    @Test
    void aRetiredNodeWithNeitherPodNorRecordIsForgotten() {
        f.cluster.getSpec().replicas = 2;
        f.statefulSetReplicas = 2;
        f.drainedBefore(2, DrainReason.Retire, Fixture.NOW.minusSeconds(100)).noPod(2).noSummary(2);
        Plan plan = f.plan();
        assertThat(plan.nodes()).doesNotContainKey("octo-2");
        assertThat(plan.events()).as("no undrain of a node that is gone").isEmpty();
        assertThat(plan.inProgress()).isFalse();
    }

    @Test
    void scaleUpGrowsAtOnce() {
        f.cluster.getSpec().replicas = 5;
        Plan plan = f.plan();
        assertThat(plan.statefulSetReplicas()).isEqualTo(5);
        assertThat(plan.events()).extracting(PlannedEvent::reason).containsExactly("ScalingUp");
        assertThat(plan.progressReason()).isEqualTo("Starting");
    }

    @Test
    void nodeLimitCapsTheReplicas() {
        f.cluster.getSpec().replicas = 5;
        f.cluster.getSpec().nodeLimit = 3;
        Plan plan = f.plan();
        assertThat(plan.statefulSetReplicas()).isEqualTo(3);
        assertThat(plan.inProgress()).isFalse();
    }

    @Test
    void loweringTheNodeLimitRetiresNodesLikeAScaleDown() {
        f.cluster.getSpec().nodeLimit = 2;
        assertThat(f.plan().nodes().get("octo-2").drainReason()).isEqualTo(DrainReason.Retire);
    }

    @Test
    void aFirstReconcileCreatesTheStatefulSetAtFullSize() {
        f.statefulSetReplicas = null;
        f.pods.clear();
        f.summaries.clear();
        Plan plan = f.plan();
        assertThat(plan.statefulSetReplicas()).isEqualTo(3);
        assertThat(plan.events()).isEmpty();
    }
}
