package io.octopusha.node.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** The task logs on the shared directory, which every node reads. A task that has not started yet has no log: it reads as empty. */
public final class TaskLogStore {
    private final SharedStorage storage;

    public TaskLogStore(SharedStorage storage) {
        this.storage = storage;
    }

    /** The task's log to add entries to, created if it is not there yet. */
    public TaskLog append(String taskId) {
        return new TaskLog(storage.taskLog(taskId));
    }

    public List<String> lines(String taskId) {
        Path file = storage.taskLog(taskId);
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The log's size in bytes. */
    public long size(String taskId) {
        Path file = storage.taskLog(taskId);
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The log as it is now, for the caller to close. */
    public InputStream open(String taskId) {
        Path file = storage.taskLog(taskId);
        try {
            return Files.exists(file) ? Files.newInputStream(file) : InputStream.nullInputStream();
        } catch (NoSuchFileException e) {
            return InputStream.nullInputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
