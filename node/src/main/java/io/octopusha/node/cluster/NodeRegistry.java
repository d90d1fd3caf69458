package io.octopusha.node.cluster;

import io.octopusha.node.db.schema.tables.records.OctopusServerNodeRecord;
import io.octopusha.node.queue.TaskQueue;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.impl.DSL;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static io.octopusha.node.db.NodeLiveness.IS_OFFLINE;
import static io.octopusha.node.db.schema.Tables.OCTOPUS_SERVER_NODE;
import static io.octopusha.node.db.schema.Tables.SERVER_TASK;
import static org.jooq.impl.DSL.currentOffsetDateTime;

/** The node records in the shared database: registration, check-ins, settings, and the cluster's view of every node. */
public final class NodeRegistry {
    private static final long REGISTRATION_LOCK = 0x0C70_0001L;

    private static final Field<Integer> RUNNING_TASKS = DSL.field(DSL.selectCount().from(SERVER_TASK)
            .where(SERVER_TASK.SERVER_NODE.eq(OCTOPUS_SERVER_NODE.ID))
            .and(SERVER_TASK.STATE.in("Executing", "Cancelling"))).as("running_tasks");

    private final DSLContext db;

    public NodeRegistry(DSLContext db) {
        this.db = db;
    }

    /**
     * Registers or re-registers a node and returns its check-in. The task cap is only taken from
     * {@code initialTaskCap} the first time; afterwards the stored cap wins, as an administrator may have changed it.
     *
     * @throws NodeLimitExceededException when the node limit is already reached by other online nodes
     */
    public CheckIn register(String id, String name, int initialTaskCap, Duration offlineAfter, String version,
                                 OptionalInt nodeLimit) {
        return db.transactionResult(tx -> {
            DSLContext t = tx.dsl();
            // Serialises joins so that two nodes starting together cannot both take the last place under the limit.
            t.select(DSL.field("pg_advisory_xact_lock({0})", Object.class, DSL.val(REGISTRATION_LOCK))).fetch();
            if (nodeLimit.isPresent()) {
                int othersOnline = t.fetchCount(OCTOPUS_SERVER_NODE,
                        OCTOPUS_SERVER_NODE.ID.ne(id).and(DSL.not(IS_OFFLINE)));
                if (othersOnline >= nodeLimit.getAsInt()) {
                    throw new NodeLimitExceededException("OCTOPUS_NODE_LIMIT is " + nodeLimit.getAsInt() + " and "
                            + othersOnline + " other nodes are online: node " + name + " does not join");
                }
            }
            OctopusServerNodeRecord row = t.insertInto(OCTOPUS_SERVER_NODE)
                    .set(OCTOPUS_SERVER_NODE.ID, id)
                    .set(OCTOPUS_SERVER_NODE.NAME, name)
                    .set(OCTOPUS_SERVER_NODE.MAX_CONCURRENT_TASKS, initialTaskCap)
                    .set(OCTOPUS_SERVER_NODE.OFFLINE_AFTER_MS, offlineAfter.toMillis())
                    .set(OCTOPUS_SERVER_NODE.LAST_SEEN, currentOffsetDateTime())
                    .set(OCTOPUS_SERVER_NODE.REGISTERED_AT, currentOffsetDateTime())
                    .set(OCTOPUS_SERVER_NODE.VERSION, version)
                    .onConflict(OCTOPUS_SERVER_NODE.ID).doUpdate()
                    .set(OCTOPUS_SERVER_NODE.OFFLINE_AFTER_MS, offlineAfter.toMillis())
                    .set(OCTOPUS_SERVER_NODE.LAST_SEEN, currentOffsetDateTime())
                    .set(OCTOPUS_SERVER_NODE.HAS_STOPPED, false)
                    .set(OCTOPUS_SERVER_NODE.IS_SHUTTING_DOWN, false)
                    .set(OCTOPUS_SERVER_NODE.VERSION, version)
                    .returning()
                    .fetchOne();
            return new CheckIn(row.getLastSeen(), settingsOf(row));
        });
    }

    /** Records that the node is alive now and returns its current settings; empty if its record was deleted. */
    public Optional<CheckIn> checkIn(String id) {
        return db.update(OCTOPUS_SERVER_NODE)
                .set(OCTOPUS_SERVER_NODE.LAST_SEEN, currentOffsetDateTime())
                .set(OCTOPUS_SERVER_NODE.HAS_STOPPED, false)
                .where(OCTOPUS_SERVER_NODE.ID.eq(id))
                .returning()
                .fetchOptional()
                .map(r -> new CheckIn(r.getLastSeen(), settingsOf(r)));
    }

    public record CheckIn(OffsetDateTime lastSeen, NodeSettings settings) {
    }

    public Optional<NodeSettings> settings(String id) {
        return db.selectFrom(OCTOPUS_SERVER_NODE).where(OCTOPUS_SERVER_NODE.ID.eq(id)).fetchOptional()
                .map(NodeRegistry::settingsOf);
    }

    public List<NodeRecord> all() {
        return select().orderBy(OCTOPUS_SERVER_NODE.NAME).fetch(NodeRegistry::toNodeRecord);
    }

    public Optional<NodeRecord> find(String id) {
        return select().where(OCTOPUS_SERVER_NODE.ID.eq(id)).fetchOptional(NodeRegistry::toNodeRecord);
    }

    /** A change to a node's settings: what they were, and the node as it is now. */
    public record Change(NodeSettings before, NodeRecord after) {
        public boolean changedAnything() {
            return before.maxConcurrentTasks() != after.maxConcurrentTasks()
                    || before.inMaintenanceMode() != after.inMaintenanceMode();
        }
    }

    /**
     * Changes what a node may run; null leaves that setting as it is. A real change also records who made it
     * (LastModifiedOn/By). Every node hears of it by NOTIFY.
     */
    public Optional<Change> update(String id, Integer maxConcurrentTasks, Boolean inMaintenanceMode, String modifiedBy) {
        return db.transactionResult(tx -> {
            DSLContext t = tx.dsl();
            OctopusServerNodeRecord row = t.selectFrom(OCTOPUS_SERVER_NODE).where(OCTOPUS_SERVER_NODE.ID.eq(id))
                    .forUpdate().fetchOne();
            if (row == null) return Optional.empty();
            NodeSettings before = settingsOf(row);
            int cap = maxConcurrentTasks == null ? before.maxConcurrentTasks() : maxConcurrentTasks;
            boolean drained = inMaintenanceMode == null ? before.inMaintenanceMode() : inMaintenanceMode;
            if (cap != before.maxConcurrentTasks() || drained != before.inMaintenanceMode()) {
                t.update(OCTOPUS_SERVER_NODE)
                        .set(OCTOPUS_SERVER_NODE.MAX_CONCURRENT_TASKS, cap)
                        .set(OCTOPUS_SERVER_NODE.IS_IN_MAINTENANCE_MODE, drained)
                        .set(OCTOPUS_SERVER_NODE.LAST_MODIFIED_ON, currentOffsetDateTime())
                        .set(OCTOPUS_SERVER_NODE.LAST_MODIFIED_BY, modifiedBy)
                        .where(OCTOPUS_SERVER_NODE.ID.eq(id)).execute();
            }
            return Optional.of(new Change(before, new NodeRegistry(t).find(id).orElseThrow()));
        });
    }

    public enum DeleteResult { DELETED, NOT_FOUND, BUSY }

    /**
     * Removes a node record, refusing while that node is online and running tasks. Tasks the node was running (it is
     * offline, or claimed them meanwhile) become Failed in the same transaction.
     */
    public DeleteResult delete(String id) {
        return db.transactionResult(tx -> {
            DSLContext t = tx.dsl();
            Record row = t.select(IS_OFFLINE, RUNNING_TASKS).from(OCTOPUS_SERVER_NODE)
                    .where(OCTOPUS_SERVER_NODE.ID.eq(id)).forUpdate().of(OCTOPUS_SERVER_NODE).fetchOne();
            if (row == null) return DeleteResult.NOT_FOUND;
            if (!row.get(IS_OFFLINE) && row.get(RUNNING_TASKS) > 0) return DeleteResult.BUSY;
            t.deleteFrom(OCTOPUS_SERVER_NODE).where(OCTOPUS_SERVER_NODE.ID.eq(id)).execute();
            new TaskQueue(t).failTasksOfDeletedNode(id);
            return DeleteResult.DELETED;
        });
    }

    public void markShuttingDown(String id) {
        db.update(OCTOPUS_SERVER_NODE).set(OCTOPUS_SERVER_NODE.IS_SHUTTING_DOWN, true)
                .where(OCTOPUS_SERVER_NODE.ID.eq(id)).execute();
    }

    /** A clean exit: the node is offline at once instead of after OFFLINE_AFTER. */
    public void markStopped(String id) {
        db.update(OCTOPUS_SERVER_NODE).set(OCTOPUS_SERVER_NODE.HAS_STOPPED, true)
                .where(OCTOPUS_SERVER_NODE.ID.eq(id)).execute();
    }

    private org.jooq.SelectJoinStep<Record> select() {
        return db.select(OCTOPUS_SERVER_NODE.asterisk()).select(IS_OFFLINE.as("is_offline"), RUNNING_TASKS)
                .from(OCTOPUS_SERVER_NODE);
    }

    private static NodeRecord toNodeRecord(Record r) {
        return new NodeRecord(
                r.get(OCTOPUS_SERVER_NODE.ID),
                r.get(OCTOPUS_SERVER_NODE.NAME),
                r.get(OCTOPUS_SERVER_NODE.MAX_CONCURRENT_TASKS),
                r.get(OCTOPUS_SERVER_NODE.IS_IN_MAINTENANCE_MODE),
                r.get(OCTOPUS_SERVER_NODE.IS_SHUTTING_DOWN),
                r.get(OCTOPUS_SERVER_NODE.LAST_SEEN),
                r.get("is_offline", Boolean.class),
                r.get("running_tasks", Integer.class),
                r.get(OCTOPUS_SERVER_NODE.VERSION),
                r.get(OCTOPUS_SERVER_NODE.LAST_MODIFIED_ON),
                r.get(OCTOPUS_SERVER_NODE.LAST_MODIFIED_BY));
    }

    private static NodeSettings settingsOf(OctopusServerNodeRecord r) {
        return new NodeSettings(r.getMaxConcurrentTasks(), r.getIsInMaintenanceMode());
    }
}
