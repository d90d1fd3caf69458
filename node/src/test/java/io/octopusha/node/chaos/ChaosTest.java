package io.octopusha.node.chaos;

import io.octopusha.node.testing.SystemTool;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chaos suite: a short pass in {@code make test}; {@code make chaos} runs the long one
 * ({@code -Dchaos.tasks=2000 -Dchaos.seconds=600}). {@code -Dchaos.seed} replays a schedule.
 */
class ChaosTest {

    @Test
    void noTaskIsLostOrRunTwiceAndOnlyTheDatabaseOutageMayFailRequests() throws Exception {
        SystemTool.require(ChaosTest.class, SystemTool.HAPROXY);
        ChaosSuite.Settings settings = new ChaosSuite.Settings(
                Integer.getInteger("chaos.tasks", 500),
                Duration.ofSeconds(Integer.getInteger("chaos.seconds", 60)),
                Long.getLong("chaos.seed", System.currentTimeMillis() % 100_000));
        Path root = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "chaos-");
        ChaosSuite.Result result = new ChaosSuite(settings, root).run();

        String report = result.table() + (result.violations().isEmpty() ? ""
                : "\nViolations:\n- " + String.join("\n- ", result.violations()) + "\n");
        System.out.println("\nChaos suite\n" + report);
        Files.createDirectories(Path.of("target", "chaos"));
        Files.writeString(Path.of("target", "chaos", "results.md"), report);

        assertThat(result.faults().values().stream().mapToInt(Integer::intValue).sum()).isPositive();
        assertThat(result.tasksCreated()).isEqualTo(settings.tasks());
        assertThat(result.violations()).isEmpty();
    }
}
