package io.octopusha.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.flow.SpecValidation;
import io.octopusha.operator.model.SecretData;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Checks OctopusClusters in samples the way the operator does before it acts on one. */
final class Clusters {
    private Clusters() {
    }

    static List<OctopusCluster> in(List<HasMetadata> objects) {
        return objects.stream().filter(o -> "OctopusCluster".equals(o.getKind()))
                .map(o -> Serialization.jsonMapper().convertValue(o, OctopusCluster.class)).toList();
    }

    /** The spec is valid and every Secret key it references is among the given Secrets. */
    static void assertAcceptedByTheOperator(OctopusCluster cluster, List<Secret> secrets) {
        assertThat(cluster.getApiVersion()).isEqualTo("octopusha.io/v1alpha1");
        assertThat(SpecValidation.specProblems(cluster.getSpec())).as(cluster.getMetadata().getName()).isEmpty();
        Map<String, Map<String, String>> data = new HashMap<>();
        for (Secret s : secrets) data.put(s.getMetadata().getName(), SecretData.of(s));
        assertThat(SpecValidation.secretProblems(cluster.getSpec(), data::get)).isEmpty();
    }
}
