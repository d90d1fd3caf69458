package io.octopusha.operator.kube;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where {@code operator/kube/build.sh} put the control-plane binaries: the {@code kube.binaries} system property (the
 * Makefile passes it), or the script's own cache location when the binaries are already built there.
 */
final class KubeBinaries {
    static final List<String> NAMES = List.of("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler",
            "kubectl");

    private KubeBinaries() {
    }

    /** The folder holding every binary, or empty when they are not built. */
    static Optional<Path> find() {
        String configured = System.getProperty("kube.binaries", "").strip();
        Path dir = configured.isEmpty() ? cacheLocation() : Path.of(configured);
        return dir != null && NAMES.stream().allMatch(n -> Files.isExecutable(dir.resolve(n)))
                ? Optional.of(dir) : Optional.empty();
    }

    private static Path cacheLocation() {
        Path script = Path.of("kube", "build.sh").toAbsolutePath();
        if (!Files.isExecutable(script)) return null;
        try {
            Process where = new ProcessBuilder(script.toString(), "--where").redirectErrorStream(true).start();
            String out = new String(where.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            where.waitFor(10, TimeUnit.SECONDS);
            return out.isEmpty() ? null : Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** What the API server says of itself, e.g. v1.36.3. */
    static String version(Path dir) {
        try {
            Process p = new ProcessBuilder(dir.resolve("kube-apiserver").toString(), "--version")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor(10, TimeUnit.SECONDS);
            return out.replace("Kubernetes ", "");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
