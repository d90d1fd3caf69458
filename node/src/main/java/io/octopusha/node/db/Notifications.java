package io.octopusha.node.db;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * PostgreSQL LISTEN on one dedicated connection, dispatching NOTIFY payloads by channel. When the
 * connection breaks it reconnects by itself and then runs the reconnect callbacks, because
 * notifications sent while it was away are lost and caches must reload in full.
 */
public final class Notifications implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Notifications.class);
    private static final int WAIT_MILLIS = 250;
    private static final long MAX_BACKOFF_MILLIS = 2_000;

    private final Database database;
    private final Map<String, List<Consumer<String>>> listeners = new ConcurrentHashMap<>();
    private final List<Runnable> onReconnect = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Connection connection;

    public Notifications(Database database) {
        this.database = database;
        this.thread = Thread.ofPlatform().daemon().name("pg-listen").unstarted(this::run);
    }

    /** Register before {@link #start()}: channels are listened to when the connection opens. */
    public void listen(String channel, Consumer<String> listener) {
        listeners.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(listener);
    }

    public void onReconnect(Runnable callback) {
        onReconnect.add(callback);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        long backoff = 100;
        boolean first = true;
        while (running) {
            try (Connection conn = database.openDedicatedConnection(); Statement st = conn.createStatement()) {
                connection = conn;
                for (String channel : listeners.keySet()) st.execute("LISTEN " + channel);
                if (!first) {
                    log.info("notification connection restored");
                    onReconnect.forEach(Notifications::runSafely);
                }
                first = false;
                backoff = 100;
                PGConnection pg = conn.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] batch = pg.getNotifications(WAIT_MILLIS);
                    if (batch == null) continue;
                    for (PGNotification n : batch) dispatch(n.getName(), n.getParameter());
                }
            } catch (SQLException e) {
                if (!running) return;
                if (backoff == 100) log.warn("notification connection lost, reconnecting: {}", e.getMessage());
                first = false;
                sleepQuietly(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    private void dispatch(String channel, String payload) {
        for (Consumer<String> listener : listeners.getOrDefault(channel, List.of())) {
            runSafely(() -> listener.accept(payload));
        }
    }

    private static void runSafely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("notification handler failed", e);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        Connection conn = connection;
        try {
            if (conn != null) conn.close();
        } catch (SQLException ignored) {
            // closing a broken connection: nothing to do
        }
        thread.interrupt();
    }
}
