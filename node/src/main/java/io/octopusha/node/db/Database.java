package io.octopusha.node.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jooq.ConnectionProvider;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;

/** The shared PostgreSQL: a small connection pool, jOOQ on top of it, and the schema migrations. */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private final String url;
    private final String user;
    private final String password;
    private final String poolName;
    private final ReentrantLock replacing = new ReentrantLock();
    private volatile HikariDataSource pool;
    private volatile boolean closed;
    private final DSLContext dsl;

    public Database(String url, String user, String password, String poolName) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.poolName = poolName;
        this.pool = newPool();
        this.dsl = DSL.using(new PoolConnections(), SQLDialect.POSTGRES);
    }

    private HikariDataSource newPool() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        if (user != null) config.setUsername(user);
        if (password != null) config.setPassword(password);
        config.setPoolName(poolName);
        config.setMaximumPoolSize(10);
        config.setMinimumIdle(2);
        // Fail fast while the database is away: callers (heartbeat, claim loop) retry on their own schedule.
        config.setConnectionTimeout(Duration.ofSeconds(2).toMillis());
        config.setValidationTimeout(Duration.ofSeconds(1).toMillis());
        config.setInitializationFailTimeout(-1);
        config.addDataSourceProperty("socketTimeout", "30");
        config.addDataSourceProperty("connectTimeout", "5");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        return new HikariDataSource(config);
    }

    public DSLContext dsl() {
        return dsl;
    }

    /** What {@link #migrate()} found. */
    public enum Migration { CURRENT, MIGRATED }

    /**
     * Applies pending migrations. Safe when several nodes start at once: Flyway takes a database lock. A schema that
     * already has every migration is left alone without Flyway (see {@link SchemaMigrations}); its validation of the
     * applied scripts' checksums then runs in the System Integrity Check task rather than at every start.
     */
    public Migration migrate() {
        var bundled = SchemaMigrations.bundledVersions();
        if (bundled.isPresent() && SchemaMigrations.allApplied(dsl, bundled.get())) return Migration.CURRENT;
        flyway().migrate();
        return Migration.MIGRATED;
    }

    /** Null when every migration this node knows is applied; otherwise what is wrong with the schema. */
    public String schemaProblem() {
        Flyway flyway = flyway();
        var info = flyway.info();
        if (info.pending().length > 0) return info.pending().length + " schema migration(s) not applied";
        if (info.current() == null) return "the schema has no migrations applied";
        if (info.current().getState().isFailed()) return "migration " + info.current().getVersion() + " failed";
        var validation = flyway.validateWithResult();
        return validation.validationSuccessful ? null : validation.getAllErrorMessages();
    }

    public String schemaVersion() {
        var current = flyway().info().current();
        return current == null ? "none" : current.getVersion().getVersion();
    }

    private Flyway flyway() {
        return Flyway.configure().dataSource(pool).locations("classpath:" + SchemaMigrations.LOCATION).load();
    }

    /** A connection outside the pool, for a session that lives long (LISTEN). */
    public Connection openDedicatedConnection() throws SQLException {
        Properties props = new Properties();
        if (user != null) props.setProperty("user", user);
        if (password != null) props.setProperty("password", password);
        props.setProperty("connectTimeout", "5");
        props.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection(url, props);
    }

    /**
     * HikariCP retries a connection it could not open after a backoff that doubles up to 5 s and cannot be
     * configured, so after an outage the pool stayed empty for up to 5 s while the database was already back,
     * and the node answered 503 all that time. When the pool holds no connection at all and a direct one
     * opens, a new pool replaces it; nothing of the old pool is in use, so closing it aborts nothing.
     * Whether the caller should ask the (new) pool again.
     */
    private boolean replaceIfStuck(HikariDataSource stuck) {
        if (!replacing.tryLock()) return false;
        try {
            if (closed) return false;
            if (pool != stuck) return true;
            if (stuck.getHikariPoolMXBean().getTotalConnections() > 0) return false;
            try (Connection probe = openDedicatedConnection()) {
                log.info("the database is reachable again; replacing connection pool {}, which waits out its retry backoff", poolName);
            } catch (SQLException stillAway) {
                return false;
            }
            pool = newPool();
            Thread.ofPlatform().daemon().name(poolName + "-retired-pool").start(stuck::close);
            return true;
        } finally {
            replacing.unlock();
        }
    }

    /** jOOQ's connections: the current pool's, with a pool stuck in its backoff replaced (see replaceIfStuck). */
    private final class PoolConnections implements ConnectionProvider {
        @Override
        public Connection acquire() {
            HikariDataSource current = pool;
            try {
                return current.getConnection();
            } catch (SQLTransientConnectionException e) {
                if (!replaceIfStuck(current)) throw new DataAccessException("No connection from pool " + poolName, e);
                try {
                    return pool.getConnection();
                } catch (SQLException again) {
                    throw new DataAccessException("No connection from pool " + poolName, again);
                }
            } catch (SQLException e) {
                throw new DataAccessException("No connection from pool " + poolName, e);
            }
        }

        @Override
        public void release(Connection connection) {
            try {
                connection.close();
            } catch (SQLException e) {
                throw new DataAccessException("Could not return a connection to pool " + poolName, e);
            }
        }
    }

    @Override
    public void close() {
        replacing.lock();
        try {
            closed = true;
            pool.close();
        } finally {
            replacing.unlock();
        }
    }
}
