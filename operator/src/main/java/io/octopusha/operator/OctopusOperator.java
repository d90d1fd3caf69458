package io.octopusha.operator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.octopusha.operator.nodeclient.NodeApiFactory;
import io.octopusha.operator.nodeclient.NodeUrlResolver;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the operator. Dependents are written with server-side apply under the operator's field manager, and compared
 * with what the server holds for that manager: defaults the API server fills in cause no write, and a field the spec
 * no longer asks for is removed.
 */
public final class OctopusOperator {
    public static final String LEASE_NAME = "octopusha-operator";
    private OctopusOperator() {
    }

    /**
     * How the operator's client reads objects. An enum value it does not know (an OctopusCluster stored under a newer
     * CRD, or before the schema checked it) reads as unset, so the spec's default applies, and each default is the
     * cautious choice (DrainAll, Administrator-only scripts): one such object must not stop the informer, which would
     * stop the operator for every cluster.
     */
    public static KubernetesSerialization serialization() {
        ObjectMapper mapper = new ObjectMapper()
                .configure(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL, true);
        return new KubernetesSerialization(mapper, true);
    }

    /**
     * @param leaseNamespace  where the replicas of the operator elect their leader (a Lease named
     *                        {@value #LEASE_NAME}); empty when only one replica runs
     * @param watchNamespaces the namespaces whose OctopusClusters it reconciles; empty means all, which needs
     *                        cluster-wide RBAC (the chart's default is namespaced)
     */
    public static Operator create(KubernetesClient client, NodeUrlResolver resolver, NodeApiFactory nodeApis,
                                  Clock clock, Metrics metrics, Optional<String> leaseNamespace,
                                  Set<String> watchNamespaces) {
        Operator operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    .withSSABasedCreateUpdateMatchForDependentResources(true)
                    // JOSDK leaves ConfigMaps and Secrets out by default; compared client-side, a key the spec no
                    // longer sets (OCTOPUS_NODE_LIMIT) was never removed.
                    .withDefaultNonSSAResource(Set.of())
                    .withMetrics(metrics)
                    .withCloseClientOnStop(false);
            leaseNamespace.ifPresent(ns -> o.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(LEASE_NAME, ns)));
        });
        OctopusClusterReconciler reconciler = new OctopusClusterReconciler(client, resolver, nodeApis, clock);
        if (watchNamespaces.isEmpty()) operator.register(reconciler);
        else operator.register(reconciler, o -> o.settingNamespaces(watchNamespaces));
        return operator;
    }
}
