package io.octopusha.operator.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.octopusha.operator.crd.DrainReason;
import io.octopusha.operator.crd.UpgradeStrategy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** DrainAll and Rolling driven reconcile by reconcile, with the test playing nodes, kubelet and StatefulSet. */
class UpdateStrategiesTest {
    final Fixture f = new Fixture();

    private void allOutdated() {
        for (int i = 0; i < 3; i++) {
            f.outdatedPod(i, true);
        }
    }

    /** The StatefulSet recreated the pod from the new template; its node has not checked in yet. */
    private void recreated(int ordinal) {
        f.pod(ordinal, false, f.observation().statefulSetTemplateHash(), "kube-" + ordinal, Fixture.NOW.plusSeconds(1));
    }

    private void checkedIn(int ordinal, boolean maintenance) {
        f.summary(ordinal, 5, maintenance, 0, Fixture.NOW.plusSeconds(2));
    }

    @Test
    void drainAllDrainsEveryOutdatedNodeAndRestartsThemTogetherWhenAllAreIdle() {
        allOutdated();
        Plan first = f.plan();
        assertThat(first.nodes().values()).allSatisfy(i -> assertThat(i.drainReason()).isEqualTo(DrainReason.Rollout));
        assertThat(first.podsToRestart()).isEmpty();
        assertThat(first.progressReason()).isEqualTo("RollingOut");
        f.remember(first);

        f.summary(0, 5, true, 0).summary(1, 5, true, 1).summary(2, 5, true, 0);
        assertThat(f.plan().podsToRestart()).as("octo-1 still runs a task").isEmpty();

        f.summary(1, 5, true, 0);
        Plan restart = f.plan();
        assertThat(restart.podsToRestart()).containsExactly("octo-0", "octo-1", "octo-2");
        assertThat(restart.events()).filteredOn(e -> e.reason().equals("Restarting")).hasSize(3);
        f.remember(restart);

        for (int i = 0; i < 3; i++) {
            recreated(i);
        }
        Plan waiting = f.plan();
        assertThat(waiting.podsToRestart()).isEmpty();
        assertThat(waiting.nodes().values()).allSatisfy(i -> assertThat(i.maintenance()).isTrue());
        f.remember(waiting);

        checkedIn(0, true);
        Plan back = f.plan();
        assertThat(back.nodes().get("octo-0").maintenance()).as("undrained once back").isFalse();
        assertThat(back.nodes().get("octo-1").maintenance()).isTrue();
    }

    @Test
    void drainAllCancelsTasksThatOutliveTheDrainTimeout() {
        f.cluster.getSpec().drainTimeout = "10m";
        allOutdated();
        for (int i = 0; i < 3; i++) {
            f.drainedBefore(i, DrainReason.Rollout, Fixture.NOW.minus(Duration.ofMinutes(11))).summary(i, 5, true, 0);
        }
        f.summary(2, 5, true, 4);
        Plan plan = f.plan();
        assertThat(plan.cancelTasksOn()).containsExactly("octo-2");
        assertThat(plan.podsToRestart()).containsExactly("octo-0", "octo-1", "octo-2");
    }

    @Test
    void rollingRestartsOneNodeAtATimeHighestOrdinalFirst() {
        f.cluster.getSpec().upgradeStrategy = UpgradeStrategy.Rolling;
        allOutdated();
        Plan first = f.plan();
        assertThat(first.nodes().get("octo-2").drainReason()).isEqualTo(DrainReason.Rollout);
        assertThat(first.nodes().get("octo-1").maintenance()).isNull();
        assertThat(first.nodes().get("octo-0").maintenance()).isNull();
        assertThat(first.podsToRestart()).isEmpty();
        f.remember(first);

        f.summary(2, 5, true, 0);
        Plan restart = f.plan();
        assertThat(restart.podsToRestart()).containsExactly("octo-2");
        f.remember(restart);

        recreated(2);
        Plan starting = f.plan();
        assertThat(starting.podsToRestart()).isEmpty();
        assertThat(starting.nodes().get("octo-2").maintenance()).isTrue();
        assertThat(starting.nodes().get("octo-1").maintenance()).as("no second node while the first is down").isNull();
        f.remember(starting);

        checkedIn(2, true);
        Plan undrain = f.plan();
        assertThat(undrain.nodes().get("octo-2").maintenance()).isFalse();
        assertThat(undrain.nodes().get("octo-1").maintenance()).as("octo-2 is not ready yet").isNull();
        f.remember(undrain);

        checkedIn(2, false);
        f.pod(2, true);
        Plan next = f.plan();
        assertThat(next.nodes().get("octo-1").drainReason()).isEqualTo(DrainReason.Rollout);
        assertThat(next.nodes().get("octo-0").maintenance()).isNull();
    }

    @Test
    void rollingWaitsWhileAnyNodeIsMissing() {
        f.cluster.getSpec().upgradeStrategy = UpgradeStrategy.Rolling;
        f.outdatedPod(0, true).outdatedPod(1, true).noPod(2).noSummary(2);
        Plan plan = f.plan();
        assertThat(plan.nodes().values()).allSatisfy(i -> assertThat(i.drainReason()).isNull());
    }

    @Test
    void retireComesBeforeARollout() {
        f.cluster.getSpec().replicas = 2;
        allOutdated();
        Plan plan = f.plan();
        assertThat(plan.nodes().get("octo-2").drainReason()).isEqualTo(DrainReason.Retire);
        assertThat(plan.nodes().get("octo-0").drainReason()).isNull();
        assertThat(plan.nodes().get("octo-1").drainReason()).isNull();
    }

    @Test
    void podsOnTheCurrentTemplateRestartNothing() {
        Plan plan = f.plan();
        assertThat(plan.podsToRestart()).isEmpty();
        assertThat(plan.nodes().values()).allSatisfy(i -> assertThat(i.drainReason()).isNull());
    }

    @Test
    void aTemplateTheStatefulSetDoesNotHoldDrainsAndRestartsNothing() {
        f.statefulSetTemplateHash = Fixture.OLD_HASH;
        allOutdated();
        Plan plan = f.plan();
        assertThat(plan.podsToRestart()).as("a restarted pod would come back on the old template").isEmpty();
        assertThat(plan.nodes().values()).allSatisfy(i -> assertThat(i.drainReason()).isNull());
        assertThat(plan.progressReason()).isEmpty();
    }
}
