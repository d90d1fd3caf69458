package io.octopusha.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.octopusha.operator.Clusters;
import io.octopusha.operator.crd.IngressSpec;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.crd.ServiceSpec;
import io.octopusha.operator.crd.SharedStorageSpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The PodDisruptionBudget, shared claim, ServiceAccount, Ingress and admin key Secret. */
class SmallResourcesTest {
    final OctopusCluster cluster = Clusters.minimal("octo", "prod");

    @Test
    void disruptionBudgetAllowsOneNodeDownAndEvictsUnhealthyPods() {
        var pdb = NodeDisruptionBudget.desired(cluster);
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(pdb.getSpec().getUnhealthyPodEvictionPolicy()).isEqualTo("AlwaysAllow");
        assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(Labels.selector(cluster));
    }

    @Test
    void sharedClaimIsReadWriteManyWithDefaultSize() {
        var pvc = SharedStorageClaim.desired(cluster);
        assertThat(pvc.getMetadata().getName()).isEqualTo("octo-shared");
        assertThat(pvc.getSpec().getAccessModes()).containsExactly("ReadWriteMany");
        assertThat(pvc.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("10Gi"));
        assertThat(pvc.getSpec().getStorageClassName()).isNull();
        assertThat(SharedStorageClaim.claimName(cluster)).isEqualTo("octo-shared");
    }

    @Test
    void sharedClaimTakesClassAndSizeFromTheSpec() {
        cluster.getSpec().sharedStorage = new SharedStorageSpec();
        cluster.getSpec().sharedStorage.storageClassName = "efs";
        cluster.getSpec().sharedStorage.size = "500Gi";
        var pvc = SharedStorageClaim.desired(cluster);
        assertThat(pvc.getSpec().getStorageClassName()).isEqualTo("efs");
        assertThat(pvc.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("500Gi"));
    }

    @Test
    void serviceAccountMountsNoToken() {
        var sa = NodeServiceAccount.desired(cluster);
        assertThat(sa.getMetadata().getName()).isEqualTo("octo");
        assertThat(sa.getAutomountServiceAccountToken()).isFalse();
    }

    @Test
    void ingressAllowsLargeUploadsAndRoutesToTheClientService() {
        cluster.getSpec().ingress = new IngressSpec();
        cluster.getSpec().ingress.enabled = true;
        cluster.getSpec().ingress.className = "nginx";
        cluster.getSpec().ingress.host = "octopus.example.com";
        cluster.getSpec().ingress.tls = new IngressSpec.Tls();
        cluster.getSpec().ingress.tls.secretName = "octopus-tls";
        cluster.getSpec().ingress.annotations.put("nginx.ingress.kubernetes.io/proxy-read-timeout", "7200");
        cluster.getSpec().service = new ServiceSpec();
        cluster.getSpec().service.port = 8080;
        Ingress ingress = ClientIngress.desired(cluster);
        assertThat(ingress.getMetadata().getAnnotations())
                .containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "0")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-send-timeout", "3600")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "7200");
        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
        var rule = ingress.getSpec().getRules().getFirst();
        assertThat(rule.getHost()).isEqualTo("octopus.example.com");
        var backend = rule.getHttp().getPaths().getFirst().getBackend().getService();
        assertThat(backend.getName()).isEqualTo("octo");
        assertThat(backend.getPort().getNumber()).isEqualTo(8080);
        assertThat(ingress.getSpec().getTls().getFirst().getSecretName()).isEqualTo("octopus-tls");
        assertThat(ingress.getSpec().getTls().getFirst().getHosts()).containsExactly("octopus.example.com");
    }

    @Test
    void ingressWithoutHostOrTlsMatchesEveryHost() {
        cluster.getSpec().ingress = new IngressSpec();
        cluster.getSpec().ingress.enabled = true;
        Ingress ingress = ClientIngress.desired(cluster);
        assertThat(ingress.getSpec().getRules().getFirst().getHost()).isNull();
        assertThat(ingress.getSpec().getTls()).isEmpty();
        assertThat(ingress.getSpec().getRules().getFirst().getHttp().getPaths().getFirst().getBackend().getService()
                .getPort().getNumber()).isEqualTo(80);
    }

    @Test
    void adminKeySecretHoldsTheGivenKey() {
        String key = AdminKeySecret.newApiKey();
        assertThat(key).matches("API-[0-9A-F]{32}");
        assertThat(AdminKeySecret.newApiKey()).isNotEqualTo(key);
        Secret secret = AdminKeySecret.desired(cluster, key);
        assertThat(secret.getMetadata().getName()).isEqualTo("octo-admin-api-key");
        assertThat(new String(Base64.getDecoder().decode(secret.getData().get("apiKey")), StandardCharsets.UTF_8))
                .isEqualTo(key);
    }

    @Test
    void everyResourceCarriesTheManagedByLabelTheInformersSelect() {
        assertThat(SharedStorageClaim.desired(cluster).getMetadata().getLabels())
                .containsEntry(Labels.MANAGED_BY, Labels.OPERATOR);
        assertThat(NodeServiceAccount.desired(cluster).getMetadata().getLabels())
                .containsEntry(Labels.MANAGED_BY, Labels.OPERATOR);
        assertThat(AdminKeySecret.desired(cluster, "API-X").getMetadata().getLabels())
                .containsEntry(Labels.MANAGED_BY, Labels.OPERATOR);
    }

    @Test
    void ordinalsAreOnlyThoseOfThisClustersPods() {
        assertThat(Names.ordinal(cluster, "octo-0")).isZero();
        assertThat(Names.ordinal(cluster, "octo-12")).isEqualTo(12);
        assertThat(Names.ordinal(cluster, "octo-shared")).isEqualTo(-1);
        assertThat(Names.ordinal(cluster, "octo-01")).isEqualTo(-1);
        assertThat(Names.ordinal(cluster, "other-1")).isEqualTo(-1);
        assertThat(Names.nodeId("octo-1")).isEqualTo("OctopusServerNodes-octo-1");
    }
}
