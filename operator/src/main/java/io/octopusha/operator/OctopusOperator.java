package io.octopusha.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.octopusha.operator.nodeclient.NodeApiFactory;
import io.octopusha.operator.nodeclient.NodeUrlResolver;
import java.time.Clock;

/**
 * Builds the operator. Production and tests share this one configuration, including no server-side apply: dependents
 * are compared and updated client-side and status is patched with a JSON merge patch, which real API servers and the
 * fabric8 mock server both support (the mock server has no server-side apply).
 */
public final class OctopusOperator {
    private OctopusOperator() {
    }

    public static Operator create(KubernetesClient client, NodeUrlResolver resolver, NodeApiFactory nodeApis,
                                  Clock clock, Metrics metrics) {
        Operator operator = new Operator(o -> o
                .withKubernetesClient(client)
                .withSSABasedCreateUpdateMatchForDependentResources(false)
                .withUseSSAToPatchPrimaryResource(false)
                .withMetrics(metrics)
                .withCloseClientOnStop(false));
        operator.register(new OctopusClusterReconciler(resolver, nodeApis, clock));
        return operator;
    }
}
