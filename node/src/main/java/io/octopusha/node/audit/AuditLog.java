package io.octopusha.node.audit;

import io.octopusha.node.db.schema.tables.records.EventRecord;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.octopusha.node.db.schema.Tables.EVENT;

/**
 * The audit trail in the shared database: every change made through the API, with who made it (an API key's id
 * and purpose, never the key), from which address, and which node served it. Any route records its changes with
 * {@link #record}, after the change: the call returns once the event is committed. Events of concurrent requests
 * share one INSERT, so that a stream of task creations does not cost the database a commit per event as well.
 * An event that cannot be written (the database went away after the change) is written to the node's log instead.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    public static final String ID_PREFIX = "Events-";
    private static final int MAX_BATCH = 500;
    /** How soon the writer notices {@link #close()}; it is not interrupted, which could break a write in flight. */
    private static final Duration CLOSE_CHECK = Duration.ofMillis(100);

    /** What happened, in Octopus's words. */
    public enum Category { Created, Modified, Deleted, Canceled, LoginFailed }

    /** Who made a change: the API key's id (null without a valid key) and purpose, and the client's address. */
    public record Actor(String apiKeyId, String username, String ipAddress) {
        public static Actor anonymous(String ipAddress) {
            return new Actor(null, "anonymous", ipAddress);
        }
    }

    public record Event(long number, Category category, String message, OffsetDateTime occurred, String apiKeyId,
                        String username, String ipAddress, String serverNode, List<String> relatedDocumentIds) {
        public String id() {
            return ID_PREFIX + number;
        }
    }

    /** Events about any of {@code regarding} (null: all), at or after {@code from} and at or before {@code to}. */
    public record Filter(List<String> regarding, OffsetDateTime from, OffsetDateTime to) {
    }

    private record Pending(Actor who, Category category, String message, List<String> related,
                           CompletableFuture<Void> written) {
    }

    private final DSLContext db;
    private final String nodeName;
    private final BlockingQueue<Pending> waiting = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;

    public AuditLog(DSLContext db, String nodeName) {
        this.db = db;
        this.nodeName = nodeName;
        this.writer = Thread.ofPlatform().daemon().name("audit-writer").start(this::writeLoop);
    }

    /** Records a change this node made for {@code who}, about the documents {@code related}; returns once it is stored. */
    public void record(Actor who, Category category, String message, List<String> related) {
        Pending pending = new Pending(who, category, message, List.copyOf(related), new CompletableFuture<>());
        if (!closed) waiting.add(pending);
        else pending.written().completeExceptionally(new IllegalStateException("the node is stopping"));
        try {
            pending.written().join();
        } catch (CompletionException e) {
            log.warn("audit event not stored ({}): {} by {} ({}, key {}) from {}: {} [{}]",
                    e.getCause() == null ? e.getMessage() : e.getCause().getMessage(), category, who.username(),
                    nodeName, who.apiKeyId(), who.ipAddress(), message, String.join(", ", related));
        }
    }

    public List<Event> list(Filter filter, int skip, int take) {
        return db.selectFrom(EVENT).where(condition(filter)).orderBy(EVENT.OCCURRED.desc(), EVENT.NUMBER.desc())
                .offset(skip).limit(take).fetch(AuditLog::toEvent);
    }

    public int count(Filter filter) {
        return db.fetchCount(EVENT, condition(filter));
    }

    public Optional<Event> find(String id) {
        if (!id.startsWith(ID_PREFIX) || !id.substring(ID_PREFIX.length()).matches("[0-9]{1,18}")) return Optional.empty();
        return db.selectFrom(EVENT).where(EVENT.NUMBER.eq(Long.parseLong(id.substring(ID_PREFIX.length()))))
                .fetchOptional(AuditLog::toEvent);
    }

    private static Condition condition(Filter filter) {
        Condition c = DSL.noCondition();
        if (filter.regarding() != null) {
            // Overlap, which the GIN index on the column serves.
            c = c.and(DSL.condition("{0} && {1}", EVENT.RELATED_DOCUMENT_IDS,
                    DSL.val(filter.regarding().toArray(String[]::new), EVENT.RELATED_DOCUMENT_IDS.getDataType())));
        }
        if (filter.from() != null) c = c.and(EVENT.OCCURRED.ge(filter.from()));
        if (filter.to() != null) c = c.and(EVENT.OCCURRED.le(filter.to()));
        return c;
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>();
        while (!closed) {
            try {
                Pending first = waiting.poll(CLOSE_CHECK.toMillis(), TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
            } catch (InterruptedException e) {
                break;
            }
            waiting.drainTo(batch, MAX_BATCH - 1);
            try {
                var insert = db.insertInto(EVENT, EVENT.CATEGORY, EVENT.MESSAGE, EVENT.API_KEY_ID, EVENT.USERNAME,
                        EVENT.IP_ADDRESS, EVENT.SERVER_NODE, EVENT.RELATED_DOCUMENT_IDS);
                for (Pending p : batch) {
                    insert = insert.values(p.category().name(), p.message(), p.who().apiKeyId(), p.who().username(),
                            p.who().ipAddress(), nodeName, p.related().toArray(String[]::new));
                }
                insert.execute();
                batch.forEach(p -> p.written().complete(null));
            } catch (RuntimeException e) {
                batch.forEach(p -> p.written().completeExceptionally(e));
            }
            batch.clear();
        }
        failWaiting();
    }

    private void failWaiting() {
        for (Pending p = waiting.poll(); p != null; p = waiting.poll()) {
            p.written().completeExceptionally(new IllegalStateException("the node is stopping"));
        }
    }

    private static Event toEvent(EventRecord r) {
        return new Event(r.getNumber(), Category.valueOf(r.getCategory()), r.getMessage(), r.getOccurred(),
                r.getApiKeyId(), r.getUsername(), r.getIpAddress(), r.getServerNode(), List.of(r.getRelatedDocumentIds()));
    }

    /** Requests still waiting are logged instead; a write in flight finishes first. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failWaiting();
    }
}
