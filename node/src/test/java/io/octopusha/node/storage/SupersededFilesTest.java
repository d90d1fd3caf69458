package io.octopusha.node.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SupersededFilesTest {
    @TempDir
    Path dir;

    /** Files under {@code dir} that are deleted but still open in this JVM (Linux /proc). */
    static List<String> deletedButOpen(Path dir) throws IOException {
        List<String> open = new ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(dir.toString()) && target.endsWith(" (deleted)")) open.add(target);
                } catch (IOException closedMeanwhile) {
                    // the descriptor was closed while the list was read
                }
            }
        }
        return open;
    }

    @Test
    void aHeldFileOutlivesItsDeletionUntilClosed() throws Exception {
        Path file = Files.write(dir.resolve("Old.1.0.0.zip"), new byte[4096]);
        SupersededFiles superseded = new SupersededFiles();
        superseded.hold(file);
        superseded.hold(dir.resolve("Absent.1.0.0.zip"));
        Files.delete(file);
        assertThat(deletedButOpen(dir)).containsExactly(file + " (deleted)");

        superseded.close();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(deletedButOpen(dir)).isEmpty());
    }
}
