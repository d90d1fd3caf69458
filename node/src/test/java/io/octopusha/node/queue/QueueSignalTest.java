package io.octopusha.node.queue;

import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.TestCluster;
import io.octopusha.node.testing.Tasks;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A task queued through one node starts at once on an idle other node. Tasks are queued through a cap-0 node,
 * so only the other node's wake-ups can start them, and check-ins are 2 s apart so that they do not wake it
 * either: polling alone (once a second) would start a task about 500 ms after it was queued on average, and
 * five tasks in a row all starting within 250 ms means the signal reached the idle node.
 */
class QueueSignalTest {
    private static final Map<String, String> SLOW_CHECK_INS = Map.of(
            "OCTOPUS_HEARTBEAT_INTERVAL", "PT2S", "OCTOPUS_OFFLINE_AFTER", "PT10S");

    @Test
    void aTaskQueuedThroughOneNodeWakesAnIdleOtherAtOnce() {
        try (TestCluster cluster = new TestCluster()) {
            cluster.start("runner", SLOW_CHECK_INS);
            Map<String, String> client = new HashMap<>(SLOW_CHECK_INS);
            client.put("OCTOPUS_TASK_CAP", "0");
            Api api = cluster.api(cluster.start("client", client));
            for (int i = 0; i < 5; i++) {
                var task = Tasks.awaitCompleted(api, Tasks.delay(api, 0), Duration.ofSeconds(5));
                assertThat(task.get("ServerNode").asText()).isEqualTo("runner");
                Duration waited = Duration.between(OffsetDateTime.parse(task.get("QueueTime").asText()),
                        OffsetDateTime.parse(task.get("StartTime").asText()));
                assertThat(waited).as("queued to started, task %d", i).isLessThan(Duration.ofMillis(250));
            }
        }
    }
}
