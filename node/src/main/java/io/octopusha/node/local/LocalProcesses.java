package io.octopusha.node.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The processes a {@code make run} started, written to {@code .state/processes} as they start, so that none outlives it
 * however it ends: on a kill -9 or a closed terminal its {@link Reaper} stops them, and should the reaper die too, the
 * next {@code make run} does before it starts anything. A process is only stopped while its command line names this
 * state folder, so a recycled process id is never touched.
 */
public final class LocalProcesses {
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final Path state;
    private final Path file;

    private LocalProcesses(Path state) {
        this.state = state;
        this.file = state.resolve("processes");
    }

    public static LocalProcesses in(Path state) {
        return new LocalProcesses(state);
    }

    /** The JVM option that marks a node's command line as started from this state folder. */
    public String marker() {
        return "-Doctopusha.local.state=" + state;
    }

    public void add(String name, long pid) {
        try {
            Files.writeString(file, name + " " + pid + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** After a clean stop: nothing is left to clear. */
    public void forget() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts the reaper: a small JVM reading a pipe from this one. The pipe closes when this JVM ends, however it ends,
     * and the reaper then stops whatever is still listed.
     */
    public Process startReaper() {
        List<String> command = new ArrayList<>();
        if (Programs.find("setsid").isPresent()) command.add("setsid");
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Reaper.class.getName(),
                state.toString()));
        try {
            Process reaper = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            add("reaper", reaper.pid());
            return reaper;
        } catch (IOException e) {
            throw new UncheckedIOException("the reaper did not start", e);
        }
    }

    /** Stops every listed process, and the embedded PostgreSQL, still running from this folder; returns their names. */
    public List<String> stopLeftovers() {
        List<Listed> alive = new ArrayList<>();
        for (Listed listed : listed()) {
            if (listed.pid() != ProcessHandle.current().pid() && startedHere(listed.pid())) alive.add(listed);
        }
        // Nodes and HAProxy first, PostgreSQL last: a node whose database vanished first only logs errors for nothing.
        alive.sort((a, b) -> Boolean.compare(a.name().equals("postgres"), b.name().equals("postgres")));
        for (Listed listed : alive) {
            ProcessHandle.of(listed.pid()).ifPresent(process -> {
                process.destroy();
                try {
                    process.onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    process.destroyForcibly();
                }
            });
        }
        forget();
        return alive.stream().map(l -> l.name() + " (pid " + l.pid() + ")").toList();
    }

    private record Listed(String name, long pid) {
    }

    private List<Listed> listed() {
        List<Listed> listed = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String[] fields = line.strip().split(" ");
                if (fields.length == 2) listed.add(new Listed(fields[0], Long.parseLong(fields[1])));
            }
        } catch (NoSuchFileException e) {
            // nothing was left
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The postmaster is started by pg_ctl, not by this JVM: its own pid file says where it is.
        postmasterPid().ifPresent(pid -> listed.add(new Listed("postgres", pid)));
        return listed;
    }

    private Optional<Long> postmasterPid() {
        try {
            List<String> lines = Files.readAllLines(state.resolve("pg").resolve("postmaster.pid"));
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.getFirst().strip()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private boolean startedHere(long pid) {
        try {
            String commandLine = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8);
            return commandLine.contains(state.toString());
        } catch (IOException e) {
            return false;
        }
    }
}
