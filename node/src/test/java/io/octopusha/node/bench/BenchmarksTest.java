package io.octopusha.node.bench;

import io.octopusha.node.testing.SystemTool;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the harness's quick pass (BENCH_QUICK) so that {@code make bench} cannot rot: it checks that every
 * scenario produced its rows and that the files were written, never the numbers (those belong to make bench).
 */
class BenchmarksTest {

    @Test
    void quickPassProducesEveryScenarioAndItsFiles() throws Exception {
        SystemTool.require(BenchmarksTest.class, SystemTool.WRK, SystemTool.CURL, SystemTool.HAPROXY);
        Path output = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "bench-quick-");

        Results results = Benchmarks.run(Benchmarks.Settings.QUICK, output);

        Set<String> scenarios = results.rows().stream().map(Results.Row::scenario).collect(Collectors.toSet());
        assertThat(scenarios).containsExactlyInAnyOrder("1 queue burn-down", "2 start latency", "3 scaling", "4 ping",
                "5 upload", "6 drain propagation", "7 failover", "8 node start", "9 drain to idle", "10 rolling restart");
        assertThat(results.rows()).allSatisfy(row -> {
            // Counts of failures may be zero (that is their target); every other figure is positive.
            if (row.unit().equals("requests") || row.unit().equals("tasks")) {
                assertThat(row.value()).as(row.measure()).isNotNegative();
            } else {
                assertThat(row.value()).as(row.measure()).isPositive();
            }
            assertThat(row.baseline()).as(row.measure()).isPositive();
        });
        // Each outside peer is either measured (burn-down and start latency) or skipped with one line naming what is missing.
        for (ExternalPeer.Kind peer : ExternalPeer.Kind.values()) {
            long rows = results.rows().stream().filter(r -> r.baselineIs().startsWith(peer.title)).count();
            boolean skipped = results.notes().stream().anyMatch(n -> n.startsWith(peer.title + " skipped"));
            assertThat(rows == 4 || (rows == 0 && skipped)).as(peer.title + ": " + rows + " rows, skipped " + skipped).isTrue();
        }
        String markdown = Files.readString(output.resolve("results.md"));
        assertThat(markdown).contains("synchronous_commit=on", "cores", "| scenario | measure |");
        assertThat(Files.readAllLines(output.resolve("results.csv"))).hasSize(results.rows().size() + 1);
        assertThat(output.resolve("results.md")).isNotEmptyFile();
    }
}
