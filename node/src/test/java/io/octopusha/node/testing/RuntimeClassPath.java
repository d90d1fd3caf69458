package io.octopusha.node.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The node's runtime dependencies as Maven resolved them for the image ({@code target/runtime-classpath.txt}, written
 * at generate-resources): the class path a node ships with, without the test libraries of this JVM's.
 */
public final class RuntimeClassPath {
    private RuntimeClassPath() {
    }

    public static List<Path> jars() {
        try {
            return Arrays.stream(Files.readString(Path.of("target", "runtime-classpath.txt")).strip().split(":")).map(Path::of).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("target/runtime-classpath.txt is written by the build (generate-resources)", e);
        }
    }
}
