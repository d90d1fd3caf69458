package io.octopusha.node.storage;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A task's log on the shared directory, one line per entry: {@code <time> <Category> <message>}. Each line is
 * flushed as it is written so that every node can read the log of a running task.
 */
public final class TaskLog implements AutoCloseable {
    public enum Category { Info, Warning, Error, Verbose }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
    private final BufferedWriter writer;
    private volatile boolean hasWarningsOrErrors;

    public TaskLog(Path file) {
        try {
            if (!Files.isDirectory(file.getParent())) Files.createDirectories(file.getParent());
            this.writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("the task log " + file + " cannot be written", e);
        }
    }

    public void info(String message) { write(Category.Info, message); }
    public void warn(String message) { write(Category.Warning, message); }
    public void error(String message) { write(Category.Error, message); }

    public synchronized void write(Category category, String message) {
        if (category == Category.Warning || category == Category.Error) hasWarningsOrErrors = true;
        try {
            for (String line : message.split("\\R", -1)) {
                writer.write(OffsetDateTime.now(ZoneOffset.UTC).format(TIME) + " " + category + " " + line);
                writer.newLine();
            }
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the task log cannot be written", e);
        }
    }

    public boolean hasWarningsOrErrors() {
        return hasWarningsOrErrors;
    }

    /** One parsed log line. */
    public record Entry(OffsetDateTime occurredAt, String category, String messageText) {
        public static Entry parse(String line) {
            int first = line.indexOf(' ');
            int second = first < 0 ? -1 : line.indexOf(' ', first + 1);
            try {
                if (second > 0) {
                    return new Entry(OffsetDateTime.parse(line.substring(0, first), TIME),
                            line.substring(first + 1, second), line.substring(second + 1));
                }
            } catch (RuntimeException e) {
                // not one of our lines: keep it whole
            }
            return new Entry(null, "Info", line);
        }
    }

    @Override
    public synchronized void close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
