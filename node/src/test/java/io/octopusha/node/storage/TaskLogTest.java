package io.octopusha.node.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TaskLogTest {

    @Test
    void eachLineOfAMessageIsAnEntryWithItsCategoryAndTheTimeItWasWritten(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("logs/ServerTasks-1.log");
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        try (TaskLog log = new TaskLog(file)) {
            log.info("one line");
            log.warn("first\nsecond\r\nthird");
            log.write(TaskLog.Category.Verbose, "");
            assertThat(log.hasWarningsOrErrors()).isTrue();
        }
        Instant after = Instant.now();

        List<TaskLog.Entry> entries = Files.readAllLines(file).stream().map(TaskLog.Entry::parse).toList();
        assertThat(entries).extracting(TaskLog.Entry::category).containsExactly("Info", "Warning", "Warning", "Warning", "Verbose");
        assertThat(entries).extracting(TaskLog.Entry::messageText).containsExactly("one line", "first", "second", "third", "");
        assertThat(entries).allSatisfy(entry -> assertThat(entry.occurredAt().toInstant()).isBetween(before, after));
    }

    @Test
    void anEntryCanBeReadAsSoonAsItIsWrittenAndALaterOpenAppends(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("ServerTasks-2.log");
        try (TaskLog log = new TaskLog(file)) {
            log.info("running");
            assertThat(Files.readAllLines(file)).singleElement().satisfies(line ->
                    assertThat(TaskLog.Entry.parse(line).messageText()).isEqualTo("running"));
        }
        try (TaskLog log = new TaskLog(file)) {
            log.error("rerun\nfailed");
        }
        assertThat(Files.readAllLines(file).stream().map(TaskLog.Entry::parse).map(TaskLog.Entry::messageText))
                .containsExactly("running", "rerun", "failed");
    }

    @Test
    void anInterruptedThreadStillWritesItsEntries(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("ServerTasks-3.log");
        try (TaskLog log = new TaskLog(file)) {
            Thread.currentThread().interrupt();
            try {
                log.error("Task finished: Canceled");
                log.info("after");
            } finally {
                assertThat(Thread.interrupted()).isTrue();
            }
        }
        assertThat(Files.readAllLines(file).stream().map(TaskLog.Entry::parse).map(TaskLog.Entry::messageText))
                .containsExactly("Task finished: Canceled", "after");
    }

    @Test
    void timesAreIsoUtcToTheMillisecondAcrossSecondBoundaries() {
        Set<Long> seconds = new HashSet<>();
        // Checked every millisecond until the formatted second has changed at least once.
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(1)).until(() -> {
            Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            String now = TaskLog.now();
            Instant after = Instant.now();
            assertThat(now).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
            assertThat(Instant.parse(now)).isBetween(before, after);
            seconds.add(Instant.parse(now).getEpochSecond());
            return seconds.size() > 1;
        });
    }
}
