package io.octopusha.node.bench;

import io.octopusha.node.db.EmbeddedDatabase;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;

/**
 * The one real PostgreSQL every scenario and baseline runs against (embedded binaries from Maven, with
 * synchronous_commit on), handing out a fresh database per measurement so runs do not see each other's rows.
 */
final class BenchPostgres implements AutoCloseable {
    private final EmbeddedDatabase server;
    private final Path dataDirectory;
    private final AtomicInteger databases = new AtomicInteger();

    BenchPostgres(Path dataDirectory) {
        this(dataDirectory, false);
    }

    /**
     * With {@code statementStatistics} (the profile, {@link Profile}), the server is started a second time with
     * pg_stat_statements loaded, which the measured runs go without.
     */
    BenchPostgres(Path dataDirectory, boolean statementStatistics) {
        this.dataDirectory = dataDirectory;
        EmbeddedDatabase first = EmbeddedDatabase.start(dataDirectory, 0);
        if (statementStatistics) {
            try (Connection c = DriverManager.getConnection(first.jdbcUrl("postgres"), first.user(), ""); Statement st = c.createStatement()) {
                st.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            first.close();
            first = EmbeddedDatabase.start(dataDirectory, 0);
        }
        this.server = first;
    }

    /** The postmaster's process id, from its pid file. */
    long postmasterPid() {
        try {
            return Long.parseLong(java.nio.file.Files.readAllLines(dataDirectory.resolve("postmaster.pid")).getFirst().strip());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    String url(String database) {
        return server.jdbcUrl(database);
    }

    /** Creates an empty database and returns its JDBC URL. */
    String freshDatabase(String purpose) {
        String name = "bench_" + databases.incrementAndGet() + "_" + purpose;
        execute(server.jdbcUrl("postgres"), "CREATE DATABASE " + name);
        return server.jdbcUrl(name);
    }

    /** The same database as a libpq URL on loopback, for the peers' drivers (Go's pgx, Node's pg). */
    String libpqUrl(String jdbcUrl) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("jdbc:postgresql://[^:/]+:(\\d+)/([^?]+).*").matcher(jdbcUrl);
        if (!m.matches()) throw new IllegalArgumentException(jdbcUrl);
        return "postgres://" + server.user() + "@127.0.0.1:" + m.group(1) + "/" + m.group(2) + "?sslmode=disable";
    }

    String user() {
        return server.user();
    }

    void execute(String url, String sql) {
        try (Connection c = connect(url); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Runs the statements in one transaction, so that others see all of their effects at once. */
    void executeTogether(String url, String... statements) {
        try (Connection c = connect(url); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            for (String sql : statements) st.execute(sql);
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException(String.join("; ", statements), e);
        }
    }

    /**
     * Lets the machine settle before a measured window: a checkpoint, the kernel's dirty pages written out, then no
     * autovacuum worker busy. Otherwise the previous scenario's writes (its task logs, its databases' cleanup) land
     * in whichever system's window comes next.
     */
    void quiesce() {
        String url = server.jdbcUrl("postgres");
        execute(url, "CHECKPOINT");
        ProcessBenchmarks.command("sync");
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
            try (Connection c = connect(url); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")) {
                rs.next();
                return rs.getInt(1) == 0;
            }
        });
    }

    Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, server.user(), "");
    }

    /** The server's version and the settings that decide what a commit costs. */
    String describe() {
        try (Connection c = connect(server.jdbcUrl("postgres")); Statement st = c.createStatement()) {
            StringBuilder b = new StringBuilder();
            try (ResultSet rs = st.executeQuery("SELECT current_setting('server_version')")) {
                rs.next();
                b.append("PostgreSQL ").append(rs.getString(1)).append(" (embedded binaries, one server on loopback):");
            }
            for (String setting : new String[]{"synchronous_commit", "fsync", "wal_sync_method", "shared_buffers", "max_connections"}) {
                try (ResultSet rs = st.executeQuery("SHOW " + setting)) {
                    rs.next();
                    b.append(' ').append(setting).append('=').append(rs.getString(1));
                }
            }
            return b.toString();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
