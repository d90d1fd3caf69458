package io.octopusha.node.bench;

import com.github.kagkarlsson.scheduler.CurrentlyExecuting;
import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerBuilder;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.event.AbstractSchedulerListener;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;

/**
 * The peer baseline: db-scheduler (Maven Central) on the same PostgreSQL, in a database of its own with its
 * documented PostgreSQL table, several schedulers in this JVM as several nodes would be, each with its own
 * connection pool of the size a node has. Its task is a no-op one-time task, the counterpart of a Delay of 0 ms.
 */
final class DbSchedulerPeer implements AutoCloseable {
    /** db-scheduler's PostgreSQL table, as its documentation gives it. */
    private static final String TABLE = """
            CREATE TABLE scheduled_tasks (
              task_name text NOT NULL,
              task_instance text NOT NULL,
              task_data bytea,
              execution_time timestamp with time zone NOT NULL,
              picked boolean NOT NULL,
              picked_by text,
              last_success timestamp with time zone,
              last_failure timestamp with time zone,
              consecutive_failures int,
              last_heartbeat timestamp with time zone,
              version bigint NOT NULL,
              priority smallint,
              PRIMARY KEY (task_name, task_instance)
            );
            CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
            CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
            CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC);
            """;

    /** How the schedulers look for due executions. */
    enum Polling {
        /** Builder defaults: fetch-and-lock-on-execute, polling every 10 s. */
        DEFAULT("defaults (fetch, 10 s polling)"),
        /** Lock-and-fetch (select for update skip locked), polling every second like a node's backstop poll. */
        LOCK_AND_FETCH("lock-and-fetch, 1 s polling"),
        /** The fastest it offers: lock-and-fetch polling every 10 ms, plus immediate execution of new work. */
        FASTEST("lock-and-fetch, 10 ms polling, immediate execution");

        final String description;

        Polling(String description) {
            this.description = description;
        }

        SchedulerBuilder configure(SchedulerBuilder builder) {
            return switch (this) {
                case DEFAULT -> builder;
                case LOCK_AND_FETCH -> builder.pollUsingLockAndFetch(0.5, 1.0).pollingInterval(Duration.ofSeconds(1));
                case FASTEST -> builder.pollUsingLockAndFetch(0.5, 1.0).pollingInterval(Duration.ofMillis(10))
                        .enableImmediateExecution();
            };
        }
    }

    private final BenchPostgres postgres;
    private final String url;
    private final OneTimeTask<Void> delay = Tasks.oneTime("delay").execute((instance, context) -> { });
    private final List<HikariDataSource> pools = new ArrayList<>();
    private final List<Scheduler> schedulers = new ArrayList<>();
    private final AtomicLong firstStartNanos = new AtomicLong();
    private final AtomicLong lastCompletionNanos = new AtomicLong();
    private final AtomicInteger completed = new AtomicInteger();
    private final ConcurrentLinkedQueue<Double> startLatenciesMillis = new ConcurrentLinkedQueue<>();

    DbSchedulerPeer(BenchPostgres postgres) {
        this.postgres = postgres;
        this.url = postgres.freshDatabase("dbscheduler");
        postgres.execute(url, TABLE);
    }

    /** Builds {@code count} schedulers of {@code threads} threads each; they start polling only on {@link #start()}. */
    DbSchedulerPeer build(int count, int threads, Polling polling) {
        for (int i = 1; i <= count; i++) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            config.setUsername(postgres.user());
            config.setMaximumPoolSize(10);
            config.setPoolName("db-scheduler-" + i);
            HikariDataSource pool = new HikariDataSource(config);
            pools.add(pool);
            schedulers.add(polling.configure(Scheduler.create(pool, delay))
                    .threads(threads)
                    .schedulerName(new SchedulerName.Fixed("peer-" + i))
                    .addSchedulerListener(new AbstractSchedulerListener() {
                        @Override
                        public void onExecutionStart(CurrentlyExecuting execution) {
                            long now = System.nanoTime();
                            firstStartNanos.compareAndSet(0, now);
                            Instant due = execution.getExecution().executionTime;
                            startLatenciesMillis.add(Duration.between(due, Instant.now()).toNanos() / 1e6);
                        }

                        @Override
                        public void onExecutionComplete(com.github.kagkarlsson.scheduler.task.ExecutionComplete complete) {
                            lastCompletionNanos.accumulateAndGet(System.nanoTime(), Math::max);
                            completed.incrementAndGet();
                        }
                    })
                    .build());
        }
        return this;
    }

    String url() {
        return url;
    }

    void start() {
        schedulers.forEach(Scheduler::start);
    }

    /** Inserts {@code count} due executions in one statement, as a pre-filled queue, with its statistics current. */
    void enqueueAll(int count) {
        postgres.execute(url, "INSERT INTO scheduled_tasks (task_name, task_instance, execution_time, picked, version) "
                + "SELECT 'delay', 'burn-' || g, now(), false, 1 FROM generate_series(1, " + count + ") g");
        postgres.execute(url, "ANALYZE scheduled_tasks");
    }

    /** Schedules one execution due now, through one of the schedulers (which is how immediate execution is triggered). */
    void enqueueOne(int sequence) {
        schedulers.get(sequence % schedulers.size()).schedule(delay.instance("steady-" + sequence), Instant.now());
    }

    /**
     * Tasks per second from the first start to the last completion, as its listener saw them; the table must
     * be empty at the end.
     */
    double awaitBurnDown(int count, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(10)).until(() -> completed.get() >= count);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> remaining() == 0);
        if (completed.get() != count) throw new IllegalStateException("db-scheduler completed " + completed.get() + " of " + count);
        return count / ((lastCompletionNanos.get() - firstStartNanos.get()) / 1e9);
    }

    /** Start latencies (due time to start) of every execution so far, once {@code count} have completed. */
    List<Double> awaitStartLatencies(int count, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> completed.get() >= count);
        return List.copyOf(startLatenciesMillis);
    }

    /** Starts counting executions afresh, after a warm-up. */
    void forgetExecutions() {
        startLatenciesMillis.clear();
        completed.set(0);
    }

    private long remaining() throws SQLException {
        try (Connection c = postgres.connect(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM scheduled_tasks")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() {
        schedulers.forEach(Scheduler::stop);
        pools.forEach(HikariDataSource::close);
    }
}
