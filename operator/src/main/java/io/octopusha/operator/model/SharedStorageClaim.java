package io.octopusha.operator.model;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.octopusha.operator.crd.Defaults;
import io.octopusha.operator.crd.OctopusCluster;
import java.util.Map;
import java.util.Optional;

/** The shared directory every node mounts, when the spec names no existing claim. */
public final class SharedStorageClaim {
    private SharedStorageClaim() {
    }

    public static String claimName(OctopusCluster cr) {
        return Defaults.existingClaim(cr.getSpec()).orElse(Names.sharedClaim(cr));
    }

    public static PersistentVolumeClaim desired(OctopusCluster cr) {
        var storage = Optional.ofNullable(cr.getSpec().sharedStorage);
        return new PersistentVolumeClaimBuilder()
                .withMetadata(Meta.of(cr, Names.sharedClaim(cr)))
                .withNewSpec()
                .withAccessModes("ReadWriteMany")
                .withStorageClassName(storage.map(s -> s.storageClassName).orElse(null))
                .withNewResources()
                .withRequests(Map.of("storage", new Quantity(storage.map(s -> s.size).orElse(Defaults.SHARED_STORAGE_SIZE))))
                .endResources()
                .endSpec()
                .build();
    }
}
