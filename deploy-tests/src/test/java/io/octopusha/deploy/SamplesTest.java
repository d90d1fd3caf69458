package io.octopusha.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.model.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** charts/octopus-operator/examples: what a user copies must be accepted by the API server model and the operator. */
class SamplesTest {
    private static final Path DIR = Repo.chart("octopus-operator").resolve("examples");

    private static List<HasMetadata> load(String file) throws IOException {
        return Repo.parse(Files.readString(DIR.resolve(file)));
    }

    @Test
    void minimalAndProductionClustersAreAcceptedWithTheSampleSecrets() throws IOException {
        List<Secret> secrets = Repo.ofType(load("secrets.yaml"), Secret.class);
        assertThat(secrets).extracting(s -> s.getMetadata().getName()).containsExactly("octopus-db", "octopus-admin");
        for (String file : List.of("minimal.yaml", "production.yaml")) {
            List<OctopusCluster> clusters = Clusters.in(load(file));
            assertThat(clusters).as(file).hasSize(1);
            Clusters.assertAcceptedByTheOperator(clusters.get(0), secrets);
        }
    }

    @Test
    void productionClusterUsesTheFeaturesItShowsOff() throws IOException {
        OctopusCluster cluster = Clusters.in(load("production.yaml")).get(0);
        var spec = cluster.getSpec();
        assertThat(spec.adminApiKeySecretRef.name).isEqualTo("octopus-admin");
        assertThat(spec.ingress.enabled).isTrue();
        assertThat(spec.ingress.tls.secretName).isNotBlank();
        assertThat(spec.resources.limits.memory).isNotNull();
        assertThat(spec.affinity.getPodAntiAffinity()).isNotNull();
        // The node's SIGTERM grace must fit inside the pod's, or Kubernetes kills running tasks.
        assertThat(spec.terminationGracePeriodSeconds).isGreaterThan(3600);
        assertThat(spec.nodes).allSatisfy(n -> assertThat(n.name).startsWith(cluster.getMetadata().getName() + "-"));
    }

    @Test
    void ingressIsSetUpForLargeUploadsToTheClientService() throws IOException {
        Ingress ingress = Repo.only(load("ingress.yaml"), Ingress.class);
        assertThat(ingress.getMetadata().getAnnotations())
                .containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "0")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-request-buffering", "off")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-send-timeout", "3600");
        var backend = ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService();
        OctopusCluster cluster = Clusters.in(load("production.yaml")).get(0);
        assertThat(backend.getName()).isEqualTo(Names.clientService(cluster));
        assertThat(backend.getPort().getNumber()).isEqualTo(cluster.getSpec().service.port);
    }

    @Test
    void kustomizationListsFilesThatExist() throws IOException {
        Map<?, ?> kustomization = Serialization.unmarshal(Files.readString(DIR.resolve("kustomization.yaml")), Map.class);
        assertThat(kustomization.get("kind")).isEqualTo("Kustomization");
        assertThat((List<?>) kustomization.get("resources")).isNotEmpty()
                .allSatisfy(r -> assertThat(DIR.resolve(r.toString())).isRegularFile());
    }
}
