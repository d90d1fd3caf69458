package io.octopusha.operator.kube;

import java.nio.file.Path;
import java.util.Objects;

/** Paths in the repository that the tier installs from: the CRD and the charts as users get them. */
final class Repo {
    private Repo() {
    }

    static Path root() {
        return Path.of(Objects.requireNonNull(System.getProperty("repo.root"), "system property repo.root")).normalize();
    }

    static Path crd() {
        return root().resolve("crds").resolve("octopusclusters.octopusha.io-v1.yml");
    }

    static Path chart(String name) {
        return root().resolve("charts").resolve(name);
    }
}
