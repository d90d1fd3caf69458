package io.octopusha.node.db;

import io.octopusha.node.testing.TcpProxy;
import io.octopusha.node.testing.TestDatabase;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * After a long outage HikariCP waits 5 s between attempts to open a connection. The database may return just
 * after an attempt; the first query after that must still get a connection, not wait out the backoff.
 */
class ReconnectTest {
    /** Ten failed attempts (backoffs of 10 ms doubling to 2.56 s) put the pool's next wait at its 5 s cap. */
    private static final int ATTEMPTS_TO_REACH_THE_LONGEST_BACKOFF = 10;

    @Test
    void theFirstQueryAfterTheDatabaseReturnsSucceedsThoughThePoolIsInItsLongestBackoff() {
        try (TcpProxy proxy = new TcpProxy(TestDatabase.port());
             Database database = new Database(TestDatabase.freshDatabaseUrl().replace(":" + TestDatabase.port() + "/", ":" + proxy.port() + "/"),
                     TestDatabase.user(), null, "reconnect-test")) {
            assertThat(database.dsl().selectOne().fetchOne(0, Integer.class)).isEqualTo(1);

            proxy.cut();
            // The query finds the pool's connections dead, which starts the pool's attempts to open new ones.
            assertThatThrownBy(() -> database.dsl().selectOne().fetch()).isInstanceOf(DataAccessException.class);
            // One refused connection is the failed query's own check that the database is still away.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                    .until(() -> proxy.refusedConnections() >= ATTEMPTS_TO_REACH_THE_LONGEST_BACKOFF + 1);
            proxy.restore();

            long restoredAt = System.nanoTime();
            assertThat(database.dsl().selectOne().fetchOne(0, Integer.class)).isEqualTo(1);
            assertThat(Duration.ofNanos(System.nanoTime() - restoredAt)).isLessThan(Duration.ofSeconds(5));
        }
    }
}
