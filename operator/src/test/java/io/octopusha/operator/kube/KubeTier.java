package io.octopusha.operator.kube;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts the {@link KubeEnvironment} once per test JVM, on the first {@link KubeTest} class, and stops it when the JVM's
 * tests are done. Without the binaries the tier is skipped with one line saying how to get them; under CI=true that is
 * a failure instead.
 */
public final class KubeTier implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KubeTier.class);
    static final String SKIPPED = "kube tier skipped: the Kubernetes control-plane binaries are not built"
            + " (make kube builds them from Go modules; it needs Go 1.26 or newer)";

    @Override
    public void beforeAll(ExtensionContext context) {
        environment(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == KubeEnvironment.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return environment(context);
    }

    private static KubeEnvironment environment(ExtensionContext context) {
        Optional<Path> binaries = KubeBinaries.find();
        if (binaries.isEmpty()) skip(SKIPPED);
        PodNetwork.ensureRoute().ifPresent(why -> skip("kube tier skipped: " + why));
        return context.getRoot().getStore(NAMESPACE).computeIfAbsent(KubeEnvironment.class,
                k -> KubeEnvironment.start(binaries.get(), Path.of("target", "kube-tier").toAbsolutePath()),
                KubeEnvironment.class);
    }

    /** Skips the tier, and notes why for the summary line `make test` prints at its end; under CI=true it fails. */
    private static void skip(String why) {
        if ("true".equals(System.getenv("CI"))) throw new IllegalStateException(why);
        try {
            Files.writeString(Files.createDirectories(Path.of("target")).resolve("kube-tier-skipped.txt"), why + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Assumptions.abort(why);
    }
}
