package io.octopusha.node.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The directory every node shares: {@code packages/}, {@code artifacts/}, {@code tasklogs/} and {@code tmp/}
 * (uploads land in tmp and are renamed into place, which is atomic on one file system).
 */
public final class SharedStorage {
    private final Path root;

    public SharedStorage(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            for (Path dir : new Path[]{packages(), artifacts(), taskLogs(), tmp()}) Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("the shared directory " + this.root + " cannot be created", e);
        }
    }

    public Path root() { return root; }
    public Path packages() { return root.resolve("packages"); }
    public Path artifacts() { return root.resolve("artifacts"); }
    public Path taskLogs() { return root.resolve("tasklogs"); }
    public Path tmp() { return root.resolve("tmp"); }

    public Path taskLog(String taskId) {
        return taskLogs().resolve(taskId + ".log");
    }

    /**
     * Writes, reads back and removes a probe file: whether this node can really use the shared directory.
     * Returns null when it can, else what went wrong.
     */
    public String checkWritable() {
        Path probe = tmp().resolve(".probe-" + ProcessHandle.current().pid() + "-" + Thread.currentThread().threadId());
        try {
            Files.writeString(probe, "ok");
            String back = Files.readString(probe);
            Files.delete(probe);
            return "ok".equals(back) ? null : "the shared directory returned different content than was written";
        } catch (IOException | RuntimeException e) {
            return "the shared directory " + root + " is not writable: " + e;
        }
    }
}
