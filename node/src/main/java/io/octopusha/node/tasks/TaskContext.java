package io.octopusha.node.tasks;

import io.octopusha.node.queue.TaskRecord;
import io.octopusha.node.storage.TaskLog;

import java.nio.file.Path;

/**
 * What a running task gets: itself, its log, its cancellation, and a private working directory. The
 * directory does not exist until a task type creates it (most types need none, and creating and removing
 * it per task is measurable disk work); whatever is in it is removed when the task ends.
 */
public record TaskContext(TaskRecord task, TaskLog log, Cancellation cancellation, Path workDirectory) {
    /** Files the task leaves here become its artifacts when it ends. */
    public Path artifactsDirectory() {
        return workDirectory.resolve("artifacts");
    }
}
