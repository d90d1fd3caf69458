package io.octopusha.operator.kube;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
    static final String NOT_BUILT = "the Kubernetes control-plane binaries are not built"
            + " (enable: make kube, which builds them from Go modules and needs Go 1.26 or newer)";

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
        Class<?> suite = context.getRequiredTestClass();
        if (binaries.isEmpty()) skip(suite, NOT_BUILT);
        PodNetwork.ensureRoute().ifPresent(why -> skip(suite, why));
        return context.getRoot().getStore(NAMESPACE).computeIfAbsent(KubeEnvironment.class,
                k -> KubeEnvironment.start(binaries.get(), Path.of("target", "kube-tier").toAbsolutePath()),
                KubeEnvironment.class);
    }

    /** Skips the suite, and notes why for the summary `make test` prints at its end; under CI=true it fails. */
    private static void skip(Class<?> suite, String why) {
        if ("true".equals(System.getenv("CI"))) {
            throw new IllegalStateException(suite.getSimpleName() + " cannot run, and CI=true runs every suite: " + why);
        }
        String line = suite.getSimpleName() + " skipped: " + why;
        try {
            Files.writeString(Files.createDirectories(Path.of("target")).resolve("skipped-suites.txt"), line + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Assumptions.abort(line);
    }
}
