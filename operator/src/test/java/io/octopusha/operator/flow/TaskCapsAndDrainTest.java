package io.octopusha.operator.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.octopusha.operator.crd.DrainReason;
import org.junit.jupiter.api.Test;

class TaskCapsAndDrainTest {
    final Fixture f = new Fixture();

    @Test
    void capsFollowTheSpecAndPerNodeOverrides() {
        f.cluster.getSpec().taskCap = 8;
        f.override(1).taskCap = 2;
        Plan plan = f.plan();
        assertThat(plan.nodes().values()).extracting(NodeIntent::taskCap).containsExactly(8, 2, 8);
        assertThat(plan.nodes().values()).allSatisfy(i -> {
            assertThat(i.maintenance()).as("nothing to drain or undrain").isNull();
            assertThat(i.inLoadBalancer()).isTrue();
        });
        assertThat(plan.inProgress()).isFalse();
        assertThat(plan.events()).isEmpty();
    }

    @Test
    void specDrainDrainsAndTakesTheNodeOutOfTheLoadBalancer() {
        f.override(0).drain = true;
        Plan plan = f.plan();
        NodeIntent node = plan.nodes().get("octo-0");
        assertThat(node.maintenance()).isTrue();
        assertThat(node.drainReason()).isEqualTo(DrainReason.Spec);
        assertThat(node.drainStartedAt()).isEqualTo(Fixture.NOW);
        assertThat(node.inLoadBalancer()).isFalse();
        assertThat(plan.events()).extracting(PlannedEvent::reason).containsExactly("Draining");
    }

    @Test
    void whenEveryNodeIsDrainedTheyStayInTheLoadBalancerSoTheApiIsServed() {
        for (int i = 0; i < 3; i++) f.override(i).drain = true;
        assertThat(f.plan().nodes().values()).allSatisfy(i -> {
            assertThat(i.maintenance()).isTrue();
            assertThat(i.inLoadBalancer()).isTrue();
        });
        f.override(2).loadBalancer = false;
        assertThat(f.plan().nodes().get("octo-2").inLoadBalancer()).as("kept out on purpose").isFalse();
    }

    @Test
    void liftingTheSpecDrainUndrainsTheNode() {
        f.drainedBefore(0, DrainReason.Spec, Fixture.NOW.minusSeconds(60)).summary(0, 5, true, 0);
        Plan plan = f.plan();
        NodeIntent node = plan.nodes().get("octo-0");
        assertThat(node.maintenance()).isFalse();
        assertThat(node.drainReason()).isNull();
        assertThat(node.inLoadBalancer()).isTrue();
        assertThat(plan.events()).extracting(PlannedEvent::reason).containsExactly("Undraining");
    }

    @Test
    void aNodeDrainedOutsideTheOperatorIsLeftDrainedAndOutOfTheLoadBalancer() {
        f.summary(2, 5, true, 0);
        NodeIntent node = f.plan().nodes().get("octo-2");
        assertThat(node.maintenance()).isNull();
        assertThat(node.inLoadBalancer()).isFalse();
    }

    @Test
    void loadBalancerFalseKeepsARunningNodeOut() {
        f.override(1).loadBalancer = false;
        NodeIntent node = f.plan().nodes().get("octo-1");
        assertThat(node.maintenance()).isNull();
        assertThat(node.inLoadBalancer()).isFalse();
        assertThat(f.plan().nodes().get("octo-0").inLoadBalancer()).isTrue();
    }

    @Test
    void aSpecDrainOutranksACordonAndOutlivesIt() {
        f.override(1).drain = true;
        f.cordoned.add("kube-1");
        assertThat(f.plan().nodes().get("octo-1").drainReason()).isEqualTo(DrainReason.Spec);
        f.remember(f.plan());
        f.cordoned.clear();
        NodeIntent node = f.plan().nodes().get("octo-1");
        assertThat(node.drainReason()).isEqualTo(DrainReason.Spec);
        assertThat(node.maintenance()).isTrue();
    }
}
