package io.octopusha.node.queue;

import io.octopusha.node.cluster.NodeRegistry;
import io.octopusha.node.db.Database;
import io.octopusha.node.testing.Tasks;
import io.octopusha.node.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

import static io.octopusha.node.db.schema.Tables.OCTOPUS_SERVER_NODE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What becomes of the tasks of a node that is gone: offline, its record deleted, or its record deleted behind its
 * back while it claimed. Each task fails once, with a message naming the node, and tasks of live nodes are left alone.
 */
class NodeLossTest {
    private Database database;
    private TaskQueue queue;
    private NodeRegistry registry;

    @BeforeEach
    void migrate() {
        database = TestDatabase.migrated("node-loss-test");
        queue = new TaskQueue(database.dsl());
        registry = new NodeRegistry(database.dsl());
        for (String id : new String[]{"node-live", "node-lost"}) {
            registry.register(id, id, 5, Duration.ofSeconds(30), "test", OptionalInt.empty());
        }
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void theSweepFailsTheTasksOfAnOfflineNodeOnlyAndEachOnce() {
        long live = runningOn("node-live");
        long lost = runningOn("node-lost");
        assertThat(queue.failTasksOfOfflineNodes()).as("no node is offline").isZero();

        registry.markStopped("node-lost");
        assertThat(queue.failTasksOfOfflineNodes()).isEqualTo(1);
        assertThat(queue.failTasksOfOfflineNodes()).as("a second sweep finds nothing left").isZero();

        assertThat(queue.find(lost).orElseThrow()).satisfies(t -> {
            assertThat(t.state()).isEqualTo(TaskState.Failed);
            assertThat(t.errorMessage()).isEqualTo("The node node-lost that was running this task went offline; the task did not finish.");
        });
        assertThat(queue.find(live).orElseThrow().state()).isEqualTo(TaskState.Executing);
    }

    @Test
    void deletingTheRecordOfAnOfflineNodeFailsItsTasksAtOnce() {
        long live = runningOn("node-live");
        long lost = runningOn("node-lost");
        registry.markStopped("node-lost");

        assertThat(registry.delete("node-lost")).isEqualTo(NodeRegistry.DeleteResult.DELETED);

        assertThat(queue.find(lost).orElseThrow()).satisfies(t -> {
            assertThat(t.state()).isEqualTo(TaskState.Failed);
            assertThat(t.errorMessage()).isEqualTo("The record of node node-lost, which was running this task, was deleted; the task did not finish.");
        });
        assertThat(queue.find(live).orElseThrow().state()).isEqualTo(TaskState.Executing);
        assertThat(queue.failTasksOfDeletedNodes()).as("nothing is left for the deleted-nodes sweep").isZero();
    }

    @Test
    void aTaskClaimedByANodeWhoseRecordIsGoneFailsAtTheDeletedNodesSweepNotAtTheOfflineSweep() {
        long live = runningOn("node-live");
        // The record goes while the node is online and idle (which the API allows); the node claims before it registers again.
        assertThat(registry.delete("node-lost")).isEqualTo(NodeRegistry.DeleteResult.DELETED);
        long orphan = runningOn("node-lost");

        assertThat(queue.failTasksOfOfflineNodes()).isZero();
        assertThat(queue.failTasksOfDeletedNodes()).isEqualTo(1);

        assertThat(queue.find(orphan).orElseThrow()).satisfies(t -> {
            assertThat(t.state()).isEqualTo(TaskState.Failed);
            assertThat(t.errorMessage()).isEqualTo("The record of node node-lost, which was running this task, was deleted; the task did not finish.");
        });
        assertThat(queue.find(live).orElseThrow().state()).isEqualTo(TaskState.Executing);
        assertThat(database.dsl().fetchCount(OCTOPUS_SERVER_NODE)).isEqualTo(1);
    }

    /** Queues one task and claims it for {@code nodeId}; returns its number. */
    private long runningOn(String nodeId) {
        long number = queue.enqueue(List.of(Tasks.zeroDelay("Spaces-1", ""))).getFirst().number();
        assertThat(queue.claim(nodeId, 1, null)).extracting(TaskRecord::number).containsExactly(number);
        return number;
    }
}
