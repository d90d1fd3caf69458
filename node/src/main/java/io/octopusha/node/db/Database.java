package io.octopusha.node.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/** The shared PostgreSQL: a small connection pool, jOOQ on top of it, and the schema migrations. */
public final class Database implements AutoCloseable {
    private final String url;
    private final String user;
    private final String password;
    private final HikariDataSource dataSource;
    private final DSLContext dsl;

    public Database(String url, String user, String password, String poolName) {
        this.url = url;
        this.user = user;
        this.password = password;
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
        this.dataSource = new HikariDataSource(config);
        this.dsl = DSL.using(dataSource, SQLDialect.POSTGRES);
    }

    public DSLContext dsl() {
        return dsl;
    }

    /** Applies pending migrations. Safe when several nodes start at once: Flyway takes a database lock. */
    public void migrate() {
        flyway().migrate();
    }

    /** Null when every migration this node knows is applied; otherwise what is wrong with the schema. */
    public String schemaProblem() {
        var info = flyway().info();
        if (info.pending().length > 0) return info.pending().length + " schema migration(s) not applied";
        if (info.current() == null) return "the schema has no migrations applied";
        return info.current().getState().isFailed() ? "migration " + info.current().getVersion() + " failed" : null;
    }

    public String schemaVersion() {
        var current = flyway().info().current();
        return current == null ? "none" : current.getVersion().getVersion();
    }

    private Flyway flyway() {
        return Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load();
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

    @Override
    public void close() {
        dataSource.close();
    }
}
