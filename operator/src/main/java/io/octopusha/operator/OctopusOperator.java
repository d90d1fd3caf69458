package io.octopusha.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.octopusha.operator.nodeclient.NodeApiFactory;
import io.octopusha.operator.nodeclient.NodeUrlResolver;
import java.time.Clock;
import java.util.Optional;

/**
 * Builds the operator. Production and tests share this one configuration, including no server-side apply, which the
 * fabric8 mock server lacks: dependents are compared and updated client-side, and the reconciler replaces the status
 * through the status subresource.
 */
public final class OctopusOperator {
    public static final String LEASE_NAME = "octopusha-operator";
    private OctopusOperator() {
    }

    /**
     * @param leaseNamespace where the replicas of the operator elect their leader (a Lease named
     *                       {@value #LEASE_NAME}); empty when only one replica runs
     */
    public static Operator create(KubernetesClient client, NodeUrlResolver resolver, NodeApiFactory nodeApis,
                                  Clock clock, Metrics metrics, Optional<String> leaseNamespace) {
        Operator operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    .withMetrics(metrics)
                    .withCloseClientOnStop(false);
            leaseNamespace.ifPresent(ns -> o.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(LEASE_NAME, ns)));
        });
        operator.register(new OctopusClusterReconciler(resolver, nodeApis, clock));
        return operator;
    }
}
