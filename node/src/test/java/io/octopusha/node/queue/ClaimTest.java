package io.octopusha.node.queue;

import io.octopusha.node.db.Database;
import io.octopusha.node.testing.Tasks;
import io.octopusha.node.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The claim function itself (migration V6), on connections that hold their transactions open the way a slow
 * commit does: the claim lock must be gone when the claim statement ends, and also when it fails.
 */
class ClaimTest {
    /** The claim lock's key, as the claim function takes it; another session takes it here to stand in for a claimer. */
    private static final long CLAIM_LOCK = 208666626L;

    private Database database;
    private TaskQueue queue;
    private final List<Connection> connections = new ArrayList<>();

    @BeforeEach
    void migrate() {
        database = TestDatabase.migrated("claim-test");
        queue = new TaskQueue(database.dsl());
    }

    @AfterEach
    void close() throws SQLException {
        for (Connection c : connections) c.close();
        database.close();
    }

    @Test
    void theNextClaimGoesAheadBeforeTheFirstCommitsAndStillTakesTheNextTasksInOrder() throws SQLException {
        List<Long> queued = enqueue(4);
        Connection first = connection();
        first.setAutoCommit(false);
        List<Claimed> firstClaim = claim(first, "node-a", 2);

        // Under a lock held to the commit, this claim would wait for the first transaction and time out.
        Connection second = connection();
        execute(second, "SET statement_timeout = '5s'");
        List<Claimed> secondClaim = claim(second, "node-b", 2);
        first.commit();

        assertThat(firstClaim).extracting(Claimed::number).containsExactly(queued.get(0), queued.get(1));
        assertThat(secondClaim).extracting(Claimed::number).containsExactly(queued.get(2), queued.get(3));
        assertThat(secondClaim.getFirst().startTime()).isAfter(firstClaim.getLast().startTime());
        assertThat(Tasks.startsPerTask(database.dsl())).containsOnlyKeys(queued).values().containsOnly(1);
    }

    @Test
    void aClaimThatFailsAfterTakingTheLockReleasesIt() throws SQLException {
        List<Long> queued = enqueue(1);
        Connection failing = connection();
        // No node id: marking the task Executing fails inside the locked part of the claim.
        assertThatThrownBy(() -> claim(failing, null, 1)).isInstanceOf(SQLException.class)
                .hasMessageContaining("server_task_running_has_node");
        assertThat(holdsClaimLock(failing)).isFalse();

        Connection other = connection();
        execute(other, "SET statement_timeout = '5s'");
        assertThat(claim(other, "node-b", 1)).extracting(Claimed::number).containsExactly(queued.getFirst());
    }

    @Test
    void aClaimCanceledWhileItWaitsForTheLockLeavesNoLockBehind() throws SQLException {
        List<Long> queued = enqueue(1);
        Connection holder = connection();
        execute(holder, "SELECT pg_advisory_lock(" + CLAIM_LOCK + ")");

        Connection waiting = connection();
        execute(waiting, "SET statement_timeout = '200ms'");
        assertThatThrownBy(() -> claim(waiting, "node-a", 1)).isInstanceOf(SQLException.class)
                .hasMessageContaining("statement timeout");
        assertThat(holdsClaimLock(waiting)).isFalse();

        execute(holder, "SELECT pg_advisory_unlock(" + CLAIM_LOCK + ")");
        assertThat(claim(waiting, "node-a", 1)).extracting(Claimed::number).containsExactly(queued.getFirst());
        assertThat(holdsClaimLock(waiting)).isFalse();
    }

    private record Claimed(long number, OffsetDateTime startTime) {
    }

    private List<Long> enqueue(int count) {
        return queue.enqueue(Collections.nCopies(count, Tasks.zeroDelay("Spaces-1", ""))).stream().map(TaskRecord::number).toList();
    }

    private static List<Claimed> claim(Connection c, String node, int max) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT number, start_time FROM claim_tasks(?, ?)")) {
            st.setString(1, node);
            st.setInt(2, max);
            List<Claimed> claimed = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) claimed.add(new Claimed(rs.getLong(1), rs.getObject(2, OffsetDateTime.class)));
            }
            return claimed;
        }
    }

    private static boolean holdsClaimLock(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND objid = " + CLAIM_LOCK)) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private Connection connection() throws SQLException {
        Connection c = database.openDedicatedConnection();
        connections.add(c);
        return c;
    }
}
