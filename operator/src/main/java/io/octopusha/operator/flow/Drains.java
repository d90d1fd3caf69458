package io.octopusha.operator.flow;

import io.octopusha.operator.crd.DrainReason;
import java.time.Duration;
import java.time.Instant;

/** Drain timing shared by the flows: when an operator drain began, and whether it has settled. */
final class Drains {
    private final Observation o;
    private final Duration timeout;

    Drains(Observation observation, Duration timeout) {
        this.o = observation;
        this.timeout = timeout;
    }

    /** A drain keeps its start time while its reason stays the same; drainTimeout counts from there. */
    Instant start(String name, DrainReason reason) {
        return o.previous(name)
                .filter(p -> p.drainReason == reason && p.drainStartedAt != null)
                .map(p -> Instant.parse(p.drainStartedAt))
                .orElse(o.now());
    }

    /** The node runs nothing more (or has no process that could), or its drain timed out. */
    boolean settled(String name, DrainReason reason) {
        boolean idle = o.summary(name)
                .map(s -> s.offline() || (s.inMaintenanceMode() && s.runningTaskCount() == 0))
                .orElseGet(() -> o.pod(name).map(p -> !p.running()).orElse(true));
        return idle || timedOut(start(name, reason));
    }

    boolean timedOut(Instant started) {
        return !o.now().isBefore(started.plus(timeout));
    }

    /** Only retire and rollout drains end in cancellation; a spec or cordon drain waits as long as tasks run. */
    boolean timedOutWithTasks(NodeIntent intent) {
        return (intent.drainReason() == DrainReason.Retire || intent.drainReason() == DrainReason.Rollout)
                && timedOut(intent.drainStartedAt())
                && o.summary(intent.name()).map(s -> !s.offline() && s.runningTaskCount() > 0).orElse(false);
    }
}
