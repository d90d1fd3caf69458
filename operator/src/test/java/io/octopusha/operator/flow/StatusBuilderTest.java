package io.octopusha.operator.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.octopusha.operator.crd.DrainReason;
import io.octopusha.operator.crd.NodePhase;
import io.octopusha.operator.crd.NodeStatus;
import io.octopusha.operator.crd.OctopusClusterStatus;
import io.octopusha.operator.crd.QueueStatus;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StatusBuilderTest {
    final Fixture f = new Fixture();

    private OctopusClusterStatus build(Plan plan) {
        return StatusBuilder.build(f.observation(), plan, Set.of(), new QueueStatus(4, 2), List.of(), List.of(), null);
    }

    private static Map<String, Condition> conditions(OctopusClusterStatus status) {
        return status.conditions.stream().collect(Collectors.toMap(Condition::getType, Function.identity()));
    }

    private static Map<String, NodeStatus> nodes(OctopusClusterStatus status) {
        return status.nodes.stream().collect(Collectors.toMap(n -> n.name, Function.identity()));
    }

    @Test
    void aHealthyClusterIsReadyStableAndNotDegraded() {
        f.cluster.getMetadata().setGeneration(7L);
        OctopusClusterStatus status = build(f.plan());
        assertThat(status.observedGeneration).isEqualTo(7L);
        assertThat(status.replicas).isEqualTo(3);
        assertThat(status.readyReplicas).isEqualTo(3);
        assertThat(status.labelSelector).isEqualTo("app.kubernetes.io/name=octopus-node,app.kubernetes.io/instance=octo");
        assertThat(status.queue.queued).isEqualTo(4);
        assertThat(status.queue.executing).isEqualTo(2);
        var conditions = conditions(status);
        assertThat(conditions.get("Ready").getStatus()).isEqualTo("True");
        assertThat(conditions.get("Progressing").getStatus()).isEqualTo("False");
        assertThat(conditions.get("Degraded").getStatus()).isEqualTo("False");
        assertThat(status.conditions).allSatisfy(c -> {
            assertThat(c.getObservedGeneration()).isEqualTo(7L);
            assertThat(c.getLastTransitionTime()).isEqualTo(Fixture.NOW.toString());
        });
    }

    @Test
    void nodesReportSummaryValuesAndTheOperatorsDrainBookkeeping() {
        f.cluster.getSpec().replicas = 2;
        f.summary(2, 3, true, 1).summary(1, 5, true, 0);
        f.drainedBefore(1, DrainReason.Spec, Fixture.NOW.minusSeconds(30));
        f.override(1).drain = true;
        var nodes = nodes(build(f.plan()));
        NodeStatus running = nodes.get("octo-0");
        assertThat(running.status).isEqualTo(NodePhase.Running);
        assertThat(running.taskCap).isEqualTo(5);
        assertThat(running.drain).isFalse();
        assertThat(running.inLoadBalancer).isTrue();
        assertThat(running.lastSeen).isEqualTo(Fixture.NOW.minusSeconds(2).toString());
        NodeStatus drained = nodes.get("octo-1");
        assertThat(drained.status).isEqualTo(NodePhase.Drained);
        assertThat(drained.drain).isTrue();
        assertThat(drained.drainReason).isEqualTo(DrainReason.Spec);
        assertThat(drained.drainStartedAt).isEqualTo(Fixture.NOW.minusSeconds(30).toString());
        assertThat(drained.inLoadBalancer).isFalse();
        NodeStatus retiring = nodes.get("octo-2");
        assertThat(retiring.status).isEqualTo(NodePhase.Retiring);
        assertThat(retiring.runningTasks).isEqualTo(1);
        assertThat(retiring.taskCap).isEqualTo(3);
    }

    @Test
    void podsWithoutACheckInAreStartingAndRecordsWithoutPodsOffline() {
        f.summary(0, 5, false, 0, Fixture.NOW.minusSeconds(3600)).noSummary(1).noPod(2);
        var status = build(f.plan());
        var nodes = nodes(status);
        assertThat(nodes.get("octo-0").status).isEqualTo(NodePhase.Starting);
        assertThat(nodes.get("octo-1").status).isEqualTo(NodePhase.Starting);
        assertThat(nodes.get("octo-2").status).isEqualTo(NodePhase.Offline);
        assertThat(conditions(status).get("Ready").getStatus()).isEqualTo("False");
        assertThat(conditions(status).get("Progressing").getReason()).isEqualTo("Starting");
    }

    @Test
    void lastTransitionTimeOnlyMovesWhenAConditionFlips() {
        f.cluster.setStatus(build(f.plan()));
        f.now = Fixture.NOW.plusSeconds(300);
        var unchanged = conditions(build(f.plan()));
        assertThat(unchanged.get("Ready").getLastTransitionTime()).isEqualTo(Fixture.NOW.toString());

        f.pod(1, false);
        f.cluster.getStatus().conditions = build(f.plan()).conditions;
        var flipped = conditions(f.cluster.getStatus());
        assertThat(flipped.get("Ready").getStatus()).isEqualTo("False");
        assertThat(flipped.get("Ready").getLastTransitionTime()).isEqualTo(Fixture.NOW.plusSeconds(300).toString());
        assertThat(flipped.get("Degraded").getLastTransitionTime()).isEqualTo(Fixture.NOW.toString());
    }

    @Test
    void anUndrainThatCouldNotBeAppliedKeepsItsBookkeeping() {
        f.drainedBefore(1, DrainReason.NodeCordoned, Fixture.NOW.minusSeconds(600)).summary(1, 5, true, 0);
        Plan plan = f.plan();
        assertThat(plan.nodes().get("octo-1").maintenance()).isFalse();
        var status = StatusBuilder.build(f.observation(), plan, Set.of("octo-1"), null, List.of(), List.of(), null);
        assertThat(nodes(status).get("octo-1").drainReason).isEqualTo(DrainReason.NodeCordoned);
        assertThat(nodes(build(plan)).get("octo-1").drainReason).isNull();
    }

    @Test
    void degradationsAndAnUnreachableNodeApiAreReported() {
        f.pods.replaceAll((n, p) -> new PodView(p.name(), p.ordinal(), p.templateHash(), true, false, false,
                p.kubeNode(), p.startedAt(), p.loadBalancerLabel()));
        f.summaries.clear();
        var status = StatusBuilder.build(f.observation(), f.plan(), Set.of(), null,
                List.of("spec.replicas 5 exceeds nodeLimit 3: running 3 nodes"), List.of(), "connection refused");
        var conditions = conditions(status);
        assertThat(conditions.get("Degraded").getStatus()).isEqualTo("True");
        assertThat(conditions.get("Degraded").getReason()).isEqualTo("NodeLimitExceeded");
        assertThat(conditions.get("Degraded").getMessage()).contains("exceeds nodeLimit 3");
        assertThat(conditions.get("Ready").getReason()).isEqualTo("NodeApiUnavailable");
        assertThat(conditions.get("Ready").getMessage()).isEqualTo("connection refused");
        assertThat(status.queue).isNull();
    }

    @Test
    void anInvalidSpecKeepsWhatWasObservedAndSaysWhy() {
        f.cluster.setStatus(build(f.plan()));
        var status = StatusBuilder.invalid(f.cluster, SpecValidation.SECRET_NOT_FOUND,
                List.of("Secret octopus-db not found"), Fixture.NOW.plusSeconds(60));
        var conditions = conditions(status);
        assertThat(conditions.get("Degraded").getStatus()).isEqualTo("True");
        assertThat(conditions.get("Degraded").getReason()).isEqualTo("SecretNotFound");
        assertThat(conditions.get("Degraded").getMessage()).isEqualTo("Secret octopus-db not found");
        assertThat(conditions.get("Degraded").getLastTransitionTime()).isEqualTo(Fixture.NOW.plusSeconds(60).toString());
        assertThat(conditions.get("Ready").getStatus()).isEqualTo("False");
        assertThat(status.nodes).hasSize(3);
        assertThat(status.queue.queued).isEqualTo(4);
    }
}
