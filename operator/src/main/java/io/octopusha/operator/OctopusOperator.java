package io.octopusha.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.octopusha.operator.nodeclient.NodeApiFactory;
import io.octopusha.operator.nodeclient.NodeUrlResolver;
import java.time.Clock;

/**
 * Builds the operator. Production and tests share this one configuration, including no server-side apply, which the
 * fabric8 mock server lacks: dependents are compared and updated client-side, and the reconciler replaces the status
 * through the status subresource.
 */
public final class OctopusOperator {
    private OctopusOperator() {
    }

    public static Operator create(KubernetesClient client, NodeUrlResolver resolver, NodeApiFactory nodeApis,
                                  Clock clock, Metrics metrics) {
        Operator operator = new Operator(o -> o
                .withKubernetesClient(client)
                .withSSABasedCreateUpdateMatchForDependentResources(false)
                .withMetrics(metrics)
                .withCloseClientOnStop(false));
        operator.register(new OctopusClusterReconciler(resolver, nodeApis, clock));
        return operator;
    }
}
