package io.octopusha.operator.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.octopusha.operator.Clusters;
import io.octopusha.operator.crd.NodeOverride;
import io.octopusha.operator.crd.OctopusClusterSpec;
import io.octopusha.operator.crd.SecretKeyRef;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecValidationTest {
    final OctopusClusterSpec spec = Clusters.minimal("octo", "ns").getSpec();

    @Test
    void aMinimalSpecIsValid() {
        assertThat(SpecValidation.specProblems(spec)).isEmpty();
    }

    @Test
    void badValuesAreEachNamed() {
        spec.replicas = -1;
        spec.image = " ";
        spec.database = null;
        spec.taskCap = 1001;
        spec.nodeLimit = 0;
        spec.drainTimeout = "an hour";
        NodeOverride twice = new NodeOverride("octo-1");
        twice.taskCap = -2;
        spec.nodes.add(twice);
        spec.nodes.add(new NodeOverride("octo-1"));
        assertThat(SpecValidation.specProblems(spec)).containsExactlyInAnyOrder(
                "spec.replicas must be 0 or more",
                "spec.image is required",
                "spec.database.urlSecretRef is required",
                "spec.taskCap must be between 0 and 1000, not 1001",
                "spec.nodeLimit must be 1 or more",
                "spec.drainTimeout must look like 1h, 30m or 90s, not an hour",
                "spec.nodes[octo-1].taskCap must be between 0 and 1000, not -2",
                "spec.nodes[] needs a unique name for each entry: octo-1");
    }

    @Test
    void missingSecretsAndKeysAreNamed() {
        spec.adminApiKeySecretRef = new SecretKeyRef("admin", "key");
        Map<String, Map<String, String>> secrets = Map.of(Clusters.DB_SECRET, Map.of("url", "jdbc:x", "user", "u"));
        assertThat(SpecValidation.secretProblems(spec, secrets::get)).containsExactly(
                "Secret octopus-db has no key password", "Secret admin not found");
    }

    @Test
    void presentSecretsRaiseNothing() {
        Map<String, Map<String, String>> secrets = Map.of(Clusters.DB_SECRET,
                Map.of("url", "jdbc:x", "user", "u", "password", "p"));
        assertThat(SpecValidation.secretProblems(spec, secrets::get)).isEmpty();
    }
}
