package io.octopusha.operator.flow;

import io.octopusha.operator.crd.DrainReason;
import io.octopusha.operator.model.Names;
import java.util.ArrayList;
import java.util.List;

/**
 * Scale-down: the highest ordinals leave. They are drained first; the StatefulSet shrinks past a node only once its
 * drain settled (idle, or timed out and cancelled), and a node record is removed once its pod is gone.
 */
final class RetireFlow {
    private final Observation o;
    private final Drains drains;
    private final int allowed;
    private final int current;

    /**
     * @param allowed replicas the cluster should have (spec.replicas capped by nodeLimit)
     * @param current replicas the StatefulSet has
     */
    RetireFlow(Observation observation, Drains drains, int allowed, int current) {
        this.o = observation;
        this.drains = drains;
        this.allowed = allowed;
        this.current = current;
    }

    boolean inProgress() {
        return current > allowed;
    }

    /** A node above the allowed ordinals that still has a pod or a record. */
    boolean leaving(String name) {
        return Names.ordinal(o.cluster(), name) >= allowed && (o.pod(name).isPresent() || o.summary(name).isPresent());
    }

    /** Grow at once; shrink only past the highest ordinals whose drain has settled. */
    int statefulSetReplicas(List<PlannedEvent> events) {
        if (current <= allowed) {
            if (o.statefulSetReplicas() != null && current < allowed) {
                events.add(PlannedEvent.normal("ScalingUp", "Scaling up from " + current + " to " + allowed + " nodes"));
            }
            return allowed;
        }
        int replicas = current;
        while (replicas > allowed && drains.settled(Names.pod(o.cluster(), replicas - 1), DrainReason.Retire)) {
            replicas--;
        }
        if (replicas < current) {
            List<String> retired = new ArrayList<>();
            for (int i = replicas; i < current; i++) {
                retired.add(Names.pod(o.cluster(), i));
            }
            events.add(PlannedEvent.normal("Retiring", "Scaling down from " + current + " to " + replicas
                    + " nodes: " + String.join(", ", retired) + " drained"));
        }
        return replicas;
    }

    /** Records of nodes that left: above the StatefulSet's ordinals, pod gone, record still there. */
    List<String> recordsToDelete(List<String> names, int replicas) {
        return names.stream()
                .filter(n -> Names.ordinal(o.cluster(), n) >= Math.max(allowed, replicas))
                .filter(n -> o.pod(n).isEmpty() && o.summary(n).isPresent())
                .toList();
    }
}
