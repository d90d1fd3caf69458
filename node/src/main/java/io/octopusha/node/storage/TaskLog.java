package io.octopusha.node.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * A task's log on the shared directory, one line per entry: {@code <time> <Category> <message>}. Each entry is
 * written to the file at once, in one write, so that every node can read the log of a running task.
 */
public final class TaskLog implements AutoCloseable {
    public enum Category { Info, Warning, Error, Verbose }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");
    private static final Pattern LINE_BREAK = Pattern.compile("\\R");
    /** The time of the last line written, formatted to the second: that part changes once a second, not per line. */
    private static volatile FormattedSecond lastSecond = new FormattedSecond(Long.MIN_VALUE, "");
    private final OutputStream file;
    private volatile boolean hasWarningsOrErrors;

    private record FormattedSecond(long epochSecond, String text) {
    }

    public TaskLog(Path file) {
        try {
            this.file = open(file);
        } catch (IOException e) {
            throw new UncheckedIOException("the task log " + file + " cannot be written", e);
        }
    }

    /**
     * The node makes the folder when it starts, so it is only made again when opening the file finds it gone. The
     * stream is unbuffered, and unlike a {@code FileChannel} it still writes from an interrupted thread: a canceled
     * task's last lines.
     */
    private static OutputStream open(Path file) throws IOException {
        try {
            return Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (NoSuchFileException e) {
            Files.createDirectories(file.getParent());
            return Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    public void info(String message) { write(Category.Info, message); }
    public void warn(String message) { write(Category.Warning, message); }
    public void error(String message) { write(Category.Error, message); }

    /**
     * Writes {@code message}, one line per line of it. Formatting the time and splitting the message were a third of a
     * Delay task's CPU in a burn-down profile, so a message without a line break is not split, and the time is
     * formatted to the second only when the second changes. The entry goes out in one write without a buffer: a
     * buffered writer and its encoder took 16 KiB per task, for a log of a few lines.
     */
    public synchronized void write(Category category, String message) {
        if (category == Category.Warning || category == Category.Error) hasWarningsOrErrors = true;
        String prefix = now() + " " + category + " ";
        String entry;
        if (message.indexOf('\n') < 0 && message.indexOf('\r') < 0) {
            entry = prefix + message + System.lineSeparator();
        } else {
            StringBuilder lines = new StringBuilder();
            for (String line : LINE_BREAK.split(message, -1)) lines.append(prefix).append(line).append(System.lineSeparator());
            entry = lines.toString();
        }
        try {
            file.write(entry.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("the task log cannot be written", e);
        }
    }

    /** The current time in UTC to the millisecond, as ISO-8601: 2026-12-07T20:04:48.123Z. */
    static String now() {
        long millis = System.currentTimeMillis();
        long epochSecond = Math.floorDiv(millis, 1000);
        FormattedSecond second = lastSecond;
        if (second.epochSecond() != epochSecond) {
            second = new FormattedSecond(epochSecond, LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC)
                    .format(SECOND));
            lastSecond = second;
        }
        int fraction = (int) Math.floorMod(millis, 1000);
        return second.text() + (fraction < 10 ? ".00" : fraction < 100 ? ".0" : ".") + fraction + "Z";
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
            file.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
