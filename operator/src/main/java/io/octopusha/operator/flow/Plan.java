package io.octopusha.operator.flow;

import java.util.List;
import java.util.Map;

/**
 * The decisions of one reconcile, applied afterwards.
 *
 * @param nodes               intents by node name, ordered by ordinal
 * @param podsToRestart       pods to delete so that the StatefulSet recreates them from the new template
 * @param cancelTasksOn       nodes whose drain timed out: cancel what they still run
 * @param nodeRecordsToDelete node records of retired nodes whose pods are gone
 * @param progressReason      the Progressing condition's reason, "" when nothing is in progress
 * @param progressMessage     what is in progress, for people
 */
public record Plan(int statefulSetReplicas, Map<String, NodeIntent> nodes, List<String> podsToRestart,
                   List<String> cancelTasksOn, List<String> nodeRecordsToDelete, List<PlannedEvent> events,
                   String progressReason, String progressMessage) {

    public boolean inProgress() {
        return !progressReason.isEmpty();
    }
}
