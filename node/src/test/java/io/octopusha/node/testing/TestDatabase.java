package io.octopusha.node.testing;

import io.octopusha.node.db.Database;
import io.octopusha.node.db.EmbeddedDatabase;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL for the whole test JVM (started on first use, stopped at exit); each caller gets a
 * database of its own so tests do not see each other's rows.
 */
public final class TestDatabase {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedDatabase server;

    private TestDatabase() {
    }

    private static synchronized EmbeddedDatabase server() {
        if (server == null) {
            server = EmbeddedDatabase.startWithoutFsync(Path.of("target", "test-pg", "data-" + ProcessHandle.current().pid()).toAbsolutePath(), 0);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        }
        return server;
    }

    /** Creates an empty database and returns its JDBC URL. */
    public static String freshDatabaseUrl() {
        String name = "test_" + COUNTER.incrementAndGet();
        try (Connection c = DriverManager.getConnection(server().jdbcUrl("postgres"), user(), "");
             Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return server().jdbcUrl(name);
    }

    /** A fresh database with every migration applied, for tests that drive the queue's statements directly. */
    public static Database migrated(String purpose) {
        Database database = new Database(freshDatabaseUrl(), user(), null, purpose);
        database.migrate();
        return database;
    }

    public static String user() {
        return server().user();
    }

    public static int port() {
        return server().port();
    }
}
