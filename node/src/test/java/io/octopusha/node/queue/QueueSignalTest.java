package io.octopusha.node.queue;

import io.octopusha.node.db.Database;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.TestCluster;
import io.octopusha.node.testing.Tasks;
import io.octopusha.node.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Signals are folded into a few notifications however fast tasks are queued. A task queued through one node
 * starts at once on an idle other node. Tasks are queued through a cap-0 node,
 * so only the other node's wake-ups can start them, and check-ins are 2 s apart so that they do not wake it
 * either: polling alone (once a second) would start a task about 500 ms after it was queued on average, and
 * five tasks in a row all starting within 250 ms means the signal reached the idle node.
 */
class QueueSignalTest {
    private static final Map<String, String> SLOW_CHECK_INS = Map.of(
            "OCTOPUS_HEARTBEAT_INTERVAL", "PT2S", "OCTOPUS_OFFLINE_AFTER", "PT10S");

    @Test
    void aStreamOfSignalsGoesOutAtMostOnceEveryGap() throws Exception {
        try (Database db = new Database(TestDatabase.freshDatabaseUrl(), TestDatabase.user(), null, "signal-test");
             Connection listener = db.openDedicatedConnection();
             Statement st = listener.createStatement()) {
            st.execute("LISTEN " + QueueSignal.CHANNEL);
            QueueSignal signal = new QueueSignal(db.dsl());
            Duration stream = Duration.ofMillis(300);
            long end = System.nanoTime() + stream.toNanos();
            int sent = 0;
            while (System.nanoTime() < end) {
                signal.tasksQueued();
                sent++;
                LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
            }
            AtomicInteger received = new AtomicInteger();
            PGConnection pg = listener.unwrap(PGConnection.class);
            await().pollInterval(Duration.ofMillis(20)).during(QueueSignal.GAP.multipliedBy(10)).atMost(Duration.ofSeconds(5))
                    .until(() -> received.addAndGet(pg.getNotifications(1).length) > 0);
            long most = stream.dividedBy(QueueSignal.GAP) + 2;
            assertThat(sent).isGreaterThan((int) most * 2);
            assertThat(received.get()).isBetween(2, (int) most);
        }
    }

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
