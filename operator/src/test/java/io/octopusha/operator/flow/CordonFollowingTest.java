package io.octopusha.operator.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.octopusha.operator.crd.DrainReason;
import io.octopusha.operator.crd.MaintenanceSpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CordonFollowingTest {
    final Fixture f = new Fixture();

    @Test
    void nodesOnACordonedKubernetesNodeAreDrained() {
        f.cordoned.add("kube-1");
        Plan plan = f.plan();
        NodeIntent node = plan.nodes().get("octo-1");
        assertThat(node.drainReason()).isEqualTo(DrainReason.NodeCordoned);
        assertThat(node.maintenance()).isTrue();
        assertThat(node.inLoadBalancer()).isFalse();
        assertThat(plan.nodes().get("octo-0").maintenance()).isNull();
        assertThat(plan.cancelTasksOn()).as("a cordon drain waits for its tasks").isEmpty();
    }

    @Test
    void aCordonDrainNeverTimesOutIntoCancellation() {
        f.drainedBefore(1, DrainReason.NodeCordoned, Fixture.NOW.minus(Duration.ofHours(5))).summary(1, 5, true, 2);
        f.cordoned.add("kube-1");
        assertThat(f.plan().cancelTasksOn()).isEmpty();
    }

    @Test
    void theDrainHoldsUntilThePodRunsOnASchedulableNodeAndHasCheckedIn() {
        f.drainedBefore(1, DrainReason.NodeCordoned, Fixture.NOW.minusSeconds(600)).summary(1, 5, true, 0);
        // Evicted and rescheduled on kube-9, but the node has not checked in since the new container started.
        f.pod(1, false, f.observation().statefulSetTemplateHash(), "kube-9", Fixture.NOW.minusSeconds(5))
                .summary(1, 5, true, 0, Fixture.NOW.minusSeconds(20));
        Plan waiting = f.plan();
        assertThat(waiting.nodes().get("octo-1").drainReason()).isEqualTo(DrainReason.NodeCordoned);
        assertThat(waiting.progressReason()).as("looked at again soon, not after the idle interval")
                .isEqualTo("Starting");

        f.summary(1, 5, true, 0, Fixture.NOW.minusSeconds(1));
        Plan plan = f.plan();
        assertThat(plan.nodes().get("octo-1").drainReason()).isNull();
        assertThat(plan.nodes().get("octo-1").maintenance()).isFalse();
        assertThat(plan.events()).extracting(PlannedEvent::reason).containsExactly("Undraining");
    }

    @Test
    void aDrainedNodeStaysReadyAndIsNotStarting() {
        f.cordoned.add("kube-1");
        f.drainedBefore(1, DrainReason.NodeCordoned, Fixture.NOW.minusSeconds(60)).summary(1, 5, true, 0);
        assertThat(f.plan().inProgress()).as("waits for the eviction or the uncordon, which are events").isFalse();
    }

    @Test
    void whenEveryMachineIsCordonedOnlyOneNodeIsDrainedAtATime() {
        f.cordoned.addAll(java.util.List.of("kube-0", "kube-1", "kube-2"));
        Plan plan = f.plan();
        assertThat(plan.nodes().values()).filteredOn(i -> i.drainReason() == DrainReason.NodeCordoned)
                .extracting(NodeIntent::name).containsExactly("octo-0");
        assertThat(plan.nodes().get("octo-1").inLoadBalancer()).isTrue();
        assertThat(plan.nodes().get("octo-2").inLoadBalancer()).isTrue();
    }

    @Test
    void theNodeAlreadyDrainedForACordonKeepsItsTurn() {
        f.cordoned.addAll(java.util.List.of("kube-0", "kube-1", "kube-2"));
        f.drainedBefore(2, DrainReason.NodeCordoned, Fixture.NOW.minusSeconds(60)).summary(2, 5, true, 1);
        assertThat(f.plan().nodes().values()).filteredOn(i -> i.drainReason() == DrainReason.NodeCordoned)
                .extracting(NodeIntent::name).containsExactly("octo-2");
    }

    @Test
    void theNextNodeIsDrainedOnceTheFirstIsBackOnASchedulableMachine() {
        f.cordoned.addAll(java.util.List.of("kube-0", "kube-1", "kube-2"));
        f.drainedBefore(0, DrainReason.NodeCordoned, Fixture.NOW.minusSeconds(60))
                .pod(0, true, f.observation().statefulSetTemplateHash(), "kube-9", Fixture.NOW.minusSeconds(30))
                .summary(0, 5, true, 0, Fixture.NOW.minusSeconds(1));
        Plan plan = f.plan();
        assertThat(plan.nodes().get("octo-0").maintenance()).as("undrained").isFalse();
        assertThat(plan.nodes().values()).filteredOn(i -> i.drainReason() == DrainReason.NodeCordoned)
                .extracting(NodeIntent::name).containsExactly("octo-1");
    }

    @Test
    void noCordonDrainWhileNoOtherNodeServes() {
        f.cordoned.add("kube-0");
        f.pod(1, false).pod(2, false);
        assertThat(f.plan().nodes().get("octo-0").maintenance()).as("the last serving node keeps serving").isNull();
    }

    @Test
    void uncordoningInPlaceUndrainsToo() {
        f.drainedBefore(1, DrainReason.NodeCordoned, Fixture.NOW.minusSeconds(600)).summary(1, 5, true, 0);
        assertThat(f.plan().nodes().get("octo-1").maintenance()).isFalse();
    }

    @Test
    void notFollowingCordonsDrainsNothingAndLiftsEarlierCordonDrains() {
        f.cluster.getSpec().maintenance = new MaintenanceSpec();
        f.cluster.getSpec().maintenance.followNodeCordon = false;
        f.cordoned.add("kube-0");
        f.cordoned.add("kube-1");
        f.drainedBefore(1, DrainReason.NodeCordoned, Fixture.NOW.minusSeconds(600)).summary(1, 5, true, 0);
        Plan plan = f.plan();
        assertThat(plan.nodes().get("octo-0").maintenance()).isNull();
        assertThat(plan.nodes().get("octo-1").maintenance()).isFalse();
    }
}
