package io.octopusha.node.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code BENCH_PROFILE=1 make bench}: what one burn-down costs each system, per task. Taken around a burn-down
 * (after the workers are up, before the jobs are inserted, until the last completion is seen): PostgreSQL's CPU (the
 * postmaster, its live children and the children it has reaped, from /proc), WAL written ({@code pg_current_wal_lsn()}),
 * statements sent ({@code pg_stat_statements}, top level only: a statement a function runs is not a round trip) and
 * transactions committed in the system's database, and the CPU of the system's own processes (the harness's JVM for
 * ours and db-scheduler, whose nodes and schedulers run in it; the worker processes for River and Graphile Worker).
 */
final class Profile {
    private static final double TICK_MICROS = 1e6 / 100; // USER_HZ

    private final BenchPostgres postgres;
    private final List<String> lines = new ArrayList<>();
    private String database;
    private long tasks;
    private List<Long> clientPids;
    private long postgresTicks;
    private long clientMicros;
    private String walLsn;
    private long statements;
    private long commits;

    Profile(BenchPostgres postgres) {
        this.postgres = postgres;
        postgres.execute(postgres.url("postgres"), "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        lines.add("| system | tasks | PostgreSQL CPU µs/task | WAL bytes/task | statements/task | commits/task | client CPU µs/task | burn-down tasks/s |");
        lines.add("|---|---|---|---|---|---|---|---|");
    }

    /** {@code clientPids}: the system's processes; empty for this JVM. */
    void begin(String jdbcUrl, long tasks, List<Long> clientPids) {
        this.database = jdbcUrl.replaceAll(".*/([^/?]+)(\\?.*)?$", "$1");
        this.tasks = tasks;
        this.clientPids = clientPids;
        this.statements = statementCount();
        this.commits = commitCount();
        this.walLsn = string("SELECT pg_current_wal_lsn()::text");
        this.clientMicros = clientMicros();
        this.postgresTicks = postgresTicks();
    }

    void end(String system, double rate) {
        double pgMicros = (postgresTicks() - postgresTicks) * TICK_MICROS;
        double client = clientMicros() - clientMicros;
        double wal = Double.parseDouble(string("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '" + walLsn + "')::text"));
        long statementsSent = statementCount() - statements;
        long committed = commitCount() - commits;
        lines.add(String.format(Locale.ROOT, "| %s | %,d | %.1f | %.0f | %.2f | %.2f | %.1f | %,.0f |", system, tasks, pgMicros / tasks,
                wal / tasks, (double) statementsSent / tasks, (double) committed / tasks, client / tasks, rate));
        System.out.println("profile: " + lines.getLast());
        topStatements(system);
    }

    private void topStatements(String system) {
        try (Connection c = postgres.connect(postgres.url("postgres")); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT calls, round(total_exec_time::numeric, 1), rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 160)"
                     + " FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '" + database + "')"
                     + " ORDER BY total_exec_time DESC LIMIT 6")) {
            List<String> top = new ArrayList<>();
            while (rs.next()) {
                top.add(String.format(Locale.ROOT, "  - %s: %,d calls, %s ms, %,d rows: `%s`", system, rs.getLong(1), rs.getString(2),
                        rs.getLong(3), rs.getString(4).replace("|", "\\|")));
            }
            statementsBySystem.addAll(top);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private final List<String> statementsBySystem = new ArrayList<>();

    String markdown() {
        StringBuilder b = new StringBuilder("## Burn-down profile (BENCH_PROFILE=1)\n\n");
        lines.forEach(l -> b.append(l).append('\n'));
        b.append("\nStatements by total execution time, per system (since its database was made, so warm-ups included):\n\n");
        statementsBySystem.forEach(l -> b.append(l).append('\n'));
        return b.toString();
    }

    private long statementCount() {
        return (long) Double.parseDouble(string("SELECT coalesce(sum(calls), 0)::text FROM pg_stat_statements WHERE dbid = "
                + "(SELECT oid FROM pg_database WHERE datname = '" + database + "')"));
    }

    private long commitCount() {
        return Long.parseLong(string("SELECT xact_commit::text FROM pg_stat_database WHERE datname = '" + database + "'"));
    }

    private String string(String sql) {
        try (Connection c = postgres.connect(postgres.url("postgres")); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private long clientMicros() {
        if (clientPids.isEmpty()) {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1000;
        }
        long ticks = 0;
        for (long pid : clientPids) ticks += stat(pid)[0];
        return (long) (ticks * TICK_MICROS);
    }

    /** The postmaster's own and reaped children's ticks, plus those of its live children. */
    private long postgresTicks() {
        long postmaster = postgres.postmasterPid();
        long[] own = stat(postmaster);
        long ticks = own[0] + own[1];
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                long pid = Long.parseLong(p.getFileName().toString());
                long[] s = stat(pid);
                if (s[2] == postmaster) ticks += s[0];
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return ticks;
    }

    /** utime + stime, cutime + cstime, parent pid; zeros for a process that is gone. */
    private static long[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
            return new long[]{Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14]), Long.parseLong(f[1])};
        } catch (IOException | RuntimeException e) {
            return new long[]{0, 0, -1};
        }
    }
}
