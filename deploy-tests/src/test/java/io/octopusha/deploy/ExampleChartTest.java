package io.octopusha.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.octopusha.operator.crd.OctopusCluster;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** charts/octopus-example: an OctopusCluster with a PostgreSQL, for trying Octopus HA out. */
class ExampleChartTest {
    private static final String CHART = "octopus-example";
    private static final String NS = "demo";

    private static List<HasMetadata> render(Map<String, String> values) {
        return Repo.render(CHART, "octopus", NS, values);
    }

    @Test
    void lintsCleanInStrictMode() {
        LintResult result = new Helm(Repo.chart(CHART)).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    /** A one-machine cluster (k3s, kind): the chart makes the shared volume. */
    private static final Map<String, String> ONE_MACHINE = Map.of("sharedStorage.hostPath.enabled", "true");

    @Test
    void clusterIsAcceptedAndReachesTheDatabaseTheChartStarts() {
        List<HasMetadata> all = render(ONE_MACHINE);
        OctopusCluster cluster = Clusters.in(all).get(0);
        Secret db = Repo.only(all, Secret.class);
        Clusters.assertAcceptedByTheOperator(cluster, List.of(db));
        assertThat(cluster.getSpec().replicas).isEqualTo(3);

        Service postgres = Repo.only(all, Service.class);
        assertThat(db.getStringData().get("url")).isEqualTo(
                "jdbc:postgresql://" + postgres.getMetadata().getName() + "." + NS + ".svc:5432/octopus");
        assertThat(db.getStringData().get("password")).isEqualTo("octopus-try-out");
        StatefulSet pg = Repo.only(all, StatefulSet.class);
        assertThat(pg.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(postgres.getSpec().getSelector());
        assertThat(pg.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .filteredOn(e -> e.getValueFrom() != null)
                .isNotEmpty()
                .allSatisfy(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo(db.getMetadata().getName()));
    }

    @Test
    void theClusterRunsTheNodeImageThatMakeImagesBuilds() {
        OctopusCluster cluster = Clusters.in(render(ONE_MACHINE)).getFirst();
        assertThat(cluster.getSpec().image).isEqualTo("octopusha/node:" + System.getProperty("image.tag"));
    }

    @Test
    void oneMachineClustersGetAWritableHostPathClaim() {
        List<HasMetadata> all = render(ONE_MACHINE);
        PersistentVolumeClaim claim = Repo.only(all, PersistentVolumeClaim.class);
        PersistentVolume volume = Repo.only(all, PersistentVolume.class);
        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteMany");
        assertThat(claim.getSpec().getVolumeName()).isEqualTo(volume.getMetadata().getName());
        assertThat(volume.getSpec().getClaimRef().getName()).isEqualTo(claim.getMetadata().getName());
        assertThat(Clusters.in(all).get(0).getSpec().sharedStorage.existingClaim).isEqualTo(claim.getMetadata().getName());
        Job chmod = Repo.only(all, Job.class);
        assertThat(chmod.getSpec().getTemplate().getSpec().getVolumes().get(0).getPersistentVolumeClaim().getClaimName())
                .isEqualTo(claim.getMetadata().getName());
    }

    @Test
    void anExistingClaimOrAStorageClassReplacesTheHostPath() {
        List<HasMetadata> existing = render(Map.of("sharedStorage.existingClaim", "nfs-share"));
        assertThat(Repo.ofType(existing, PersistentVolume.class)).isEmpty();
        assertThat(Clusters.in(existing).get(0).getSpec().sharedStorage.existingClaim).isEqualTo("nfs-share");

        List<HasMetadata> byClass = render(Map.of("sharedStorage.storageClassName", "nfs-client"));
        var storage = Clusters.in(byClass).get(0).getSpec().sharedStorage;
        assertThat(storage.existingClaim).isNull();
        assertThat(storage.storageClassName).isEqualTo("nfs-client");
        assertThat(storage.size).isEqualTo("10Gi");
    }

    @Test
    void withoutSharedStorageChosenTheInstallIsRefusedNamingTheSettings() {
        assertThatThrownBy(() -> render(Map.of())).hasMessageContaining("sharedStorage: set existingClaim")
                .hasMessageContaining("storageClassName").hasMessageContaining("sharedStorage.hostPath.enabled=true");
    }

    @Test
    void schemaRefusesNegativeReplicasAndUnknownStrategies() {
        assertThatThrownBy(() -> render(Map.of("cluster.replicas", "-1")))
                .hasMessageContaining("values don't meet the specifications of the schema");
        assertThatThrownBy(() -> render(Map.of("cluster.upgradeStrategy", "YOLO")))
                .hasMessageContaining("values don't meet the specifications of the schema");
    }
}
