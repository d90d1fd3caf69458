package io.octopusha.operator.dependent;

import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowReconcileResult;
import io.octopusha.operator.flow.ApiErrors;
import java.util.List;
import java.util.Map;

/**
 * The child objects that could not be written in one reconcile, each as "Kind: what the API server said" (its message
 * names the object and the field). The
 * workflow does not throw for them: one refused object (a 422, an admission webhook, a forbidden resize, a conflict)
 * must not stop the drains, retires and status of the reconcile that follows.
 */
public final class ChildFailures {
    private ChildFailures() {
    }

    public static List<String> of(WorkflowReconcileResult result) {
        return result.getErroredDependents().entrySet().stream()
                .map(ChildFailures::describe).sorted().toList();
    }

    private static String describe(Map.Entry<DependentResource, Exception> failure) {
        return failure.getKey().resourceType().getSimpleName() + ": " + ApiErrors.message(failure.getValue());
    }
}
