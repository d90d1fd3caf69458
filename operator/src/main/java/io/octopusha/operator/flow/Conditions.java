package io.octopusha.operator.flow;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.List;

/** The three conditions of an OctopusCluster, with a lastTransitionTime that only moves when the status flips. */
public final class Conditions {
    public static final String READY = "Ready";
    public static final String PROGRESSING = "Progressing";
    public static final String DEGRADED = "Degraded";
    /** Ready=False reasons that health checks outside the operator (the Argo CD Lua) tell apart. */
    public static final String NODE_API_UNAVAILABLE = "NodeApiUnavailable";
    public static final String NO_NODES = "NoNodes";

    private Conditions() {
    }

    public static Condition of(String type, boolean status, String reason, String message, long generation) {
        return new ConditionBuilder().withType(type).withStatus(status ? "True" : "False")
                .withReason(reason).withMessage(message).withObservedGeneration(generation).build();
    }

    /** The new conditions, each keeping its previous lastTransitionTime unless its status changed. */
    public static List<Condition> merge(List<Condition> previous, List<Condition> next, Instant now) {
        return next.stream().map(c -> {
            String since = previous == null ? null : previous.stream()
                    .filter(p -> p.getType().equals(c.getType()) && p.getStatus().equals(c.getStatus()))
                    .map(Condition::getLastTransitionTime).findFirst().orElse(null);
            return new ConditionBuilder(c).withLastTransitionTime(since != null ? since : now.toString()).build();
        }).toList();
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return conditions != null && conditions.stream().anyMatch(c -> c.getType().equals(type) && "True".equals(c.getStatus()));
    }
}
