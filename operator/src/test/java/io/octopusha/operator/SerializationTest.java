package io.octopusha.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.octopusha.operator.crd.Defaults;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.crd.ScriptTasks;
import io.octopusha.operator.crd.UpgradeStrategy;
import org.junit.jupiter.api.Test;

class SerializationTest {
    static final String FROM_A_NEWER_CRD = """
            {"apiVersion": "octopusha.io/v1alpha1", "kind": "OctopusCluster",
             "metadata": {"name": "octo", "namespace": "ns"},
             "spec": {"replicas": 3, "image": "octopusha/node:0.2.0", "upgradeStrategy": "Canary",
                      "scriptTasks": "Everyone", "database": {"urlSecretRef": {"name": "db", "key": "url"}}}}
            """;

    @Test
    void anEnumValueTheOperatorDoesNotKnowReadsAsTheCautiousDefault() {
        OctopusCluster cluster = OctopusOperator.serialization().unmarshal(FROM_A_NEWER_CRD, OctopusCluster.class);
        assertThat(Defaults.upgradeStrategy(cluster.getSpec())).isEqualTo(UpgradeStrategy.DrainAll);
        assertThat(Defaults.scriptTasks(cluster.getSpec())).isEqualTo(ScriptTasks.Administrator);
        assertThat(cluster.getSpec().replicas).isEqualTo(3);
    }

    @Test
    void theClientLibrarysDefaultWouldRefuseTheWholeObject() {
        assertThatThrownBy(() -> new KubernetesSerialization().unmarshal(FROM_A_NEWER_CRD, OctopusCluster.class))
                .rootCause().hasMessageContaining("Canary");
    }
}
