package io.octopusha.node.testing;

import io.octopusha.node.local.Programs;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A program from a Debian package that some suites drive for real. Where one is missing the suite is skipped, and one
 * line naming the suite and the command that would enable it goes to {@code target/skipped-suites.txt}, which
 * {@code make test} prints at its end. Under CI=true a missing tool fails the suite instead: CI must run everything.
 */
public enum SystemTool {
    HAPROXY("haproxy", "haproxy"),
    CHROMIUM("chromium", "chromium"),
    CHROMEDRIVER("chromedriver", "chromium-driver"),
    WRK("wrk", "wrk"),
    CURL("curl", "curl");

    /** Where make test lists the suites it skipped, one line each. */
    public static final Path SKIPPED_SUITES = Path.of("target", "skipped-suites.txt");

    private final String program;
    private final String debianPackage;

    SystemTool(String program, String debianPackage) {
        this.program = program;
        this.debianPackage = debianPackage;
    }

    public boolean installed() {
        return path().isPresent();
    }

    /** The program as found on PATH. */
    public Optional<Path> path() {
        return Programs.find(program);
    }

    /** Skips (or under CI=true fails) the calling suite unless every tool is on PATH. */
    public static void require(Class<?> suite, SystemTool... tools) {
        List<SystemTool> missing = Arrays.stream(tools).filter(t -> !t.installed()).toList();
        if (missing.isEmpty()) return;
        String why = String.join(", ", missing.stream().map(t -> t.program).toList()) + " not on PATH (enable: apt-get install "
                + String.join(" ", missing.stream().map(t -> t.debianPackage).distinct().toList()) + ")";
        if ("true".equals(System.getenv("CI"))) {
            throw new IllegalStateException(suite.getSimpleName() + " cannot run, and CI=true runs every suite: " + why);
        }
        skip(suite.getSimpleName() + " skipped: " + why);
    }

    /**
     * Skips what only root can set up (another user's process, a device file) when the tests do not run as root. No
     * package enables it, so CI=true does not turn it into a failure; the summary still names it.
     */
    public static void requireRoot(String what, String because) {
        if (new com.sun.security.auth.module.UnixSystem().getUid() != 0) skip(what + " skipped: " + because + " needs root");
    }

    private static void skip(String line) {
        try {
            Files.createDirectories(SKIPPED_SUITES.getParent());
            Files.writeString(SKIPPED_SUITES, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Assumptions.abort(line);
    }
}
