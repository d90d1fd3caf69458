package io.octopusha.node.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jooq.Condition;
import org.jooq.ConnectionCallable;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.ResultQuery;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.postgresql.PGStatement;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.octopusha.node.db.NodeLiveness.IS_OFFLINE;
import static io.octopusha.node.db.schema.Tables.OCTOPUS_SERVER_NODE;
import static io.octopusha.node.db.schema.Tables.SERVER_TASK;
import static org.jooq.impl.DSL.currentOffsetDateTime;

/**
 * The one FIFO task queue in PostgreSQL. Every state change is a guarded UPDATE (it names the state it
 * expects), so concurrent nodes can race on any of them and each change still happens exactly once.
 * <p>
 * The three statements every task goes through (enqueue, claim, complete) are constant SQL run through JDBC, with a
 * batch passed as arrays: built with jOOQ, rendering them and reading their rows back took about two thirds of the
 * JVM's CPU samples under a steady stream. Everything else uses jOOQ.
 */
public final class TaskQueue {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final String ENQUEUE = """
            INSERT INTO server_task (space_id, name, description, arguments, state, queue_time_expiry)
            SELECT space_id, name, description, arguments, 'Queued', queue_time_expiry
            FROM unnest(?::text[], ?::text[], ?::text[], ?::jsonb[], ?::timestamptz[]) WITH ORDINALITY
                AS task (space_id, name, description, arguments, queue_time_expiry, position)
            ORDER BY position
            RETURNING *""";
    private static final String CLAIM = "SELECT * FROM claim_tasks(?, ?, ?::timestamptz)";
    private static final String RUNNING_ON = "SELECT * FROM tasks_running_on(?)";
    private static final String COMPLETE = """
            UPDATE server_task
            SET state = finished.state,
                error_message = finished.error_message,
                has_warnings_or_errors = finished.has_warnings_or_errors,
                completed_time = now(),
                last_updated_time = now()
            FROM unnest(?::bigint[], ?::text[], ?::text[], ?::boolean[])
                AS finished (number, state, error_message, has_warnings_or_errors)
            WHERE server_task.number = finished.number
              AND server_task.server_node = ?
              AND server_task.completed_time IS NULL
            RETURNING server_task.number""";

    private final DSLContext db;

    public TaskQueue(DSLContext db) {
        this.db = db;
    }

    /** A task to queue. */
    public record NewTask(String spaceId, String name, String description, ObjectNode arguments, OffsetDateTime queueTimeExpiry) {
    }

    /** Queues a task. Nodes hear of it through {@link QueueSignal}, which the caller signals once this has committed. */
    public TaskRecord enqueue(String spaceId, String name, String description, ObjectNode arguments,
                              OffsetDateTime queueTimeExpiry) {
        return enqueue(List.of(new NewTask(spaceId, name, description, arguments, queueTimeExpiry))).getFirst();
    }

    /**
     * Queues tasks in one INSERT, in the order given (their numbers follow it), and returns them in that order.
     * As for one task, the caller signals {@link QueueSignal} once this has committed.
     */
    public List<TaskRecord> enqueue(List<NewTask> tasks) {
        return jdbc(c -> {
            try (PreparedStatement insert = c.prepareStatement(ENQUEUE)) {
                insert.setArray(1, c.createArrayOf("text", tasks.stream().map(NewTask::spaceId).toArray()));
                insert.setArray(2, c.createArrayOf("text", tasks.stream().map(NewTask::name).toArray()));
                insert.setArray(3, c.createArrayOf("text", tasks.stream().map(NewTask::description).toArray()));
                insert.setArray(4, c.createArrayOf("text", tasks.stream().map(t -> t.arguments().toString()).toArray()));
                insert.setArray(5, c.createArrayOf("text", tasks.stream().map(t -> t.queueTimeExpiry().toString()).toArray()));
                // Numbers are drawn row by row in the order of position, so sorting by number restores the order given.
                try (ResultSet rows = insert.executeQuery()) {
                    return toRecords(rows).stream().sorted(Comparator.comparingLong(TaskRecord::number)).toList();
                }
            }
        });
    }

    /**
     * Takes up to {@code max} queued tasks, oldest first, for {@code nodeId}, marking them Executing and
     * counting each start in the task's row: one statement and one round trip, under the cluster-wide claim lock, so
     * start times follow queue order across all nodes. The statement is the database function {@code claim_tasks}
     * (db/functions.sql), which says why it is one. With {@code queuedFrom}, only tasks queued at or after it
     * are looked at; null looks at the whole queue.
     */
    public List<TaskRecord> claim(String nodeId, int max, OffsetDateTime queuedFrom) {
        if (max <= 0) return List.of();
        return taskRows(CLAIM, claim -> {
            claim.setString(1, nodeId);
            claim.setInt(2, max);
            claim.setObject(3, queuedFrom, Types.TIMESTAMP_WITH_TIMEZONE);
        });
    }

    /** How one run ended, for {@link #complete}. */
    public record Completion(long number, TaskOutcome outcome, boolean hasWarningsOrErrors) {
    }

    /**
     * Records how runs on {@code nodeId} ended, all in one statement. Returns the numbers recorded; a number
     * missing from it was no longer running on this node (another node had failed it because this node was seen
     * offline, or an earlier attempt whose reply was lost had already recorded it).
     * <p>
     * "Still running" is written as "not completed", not as a running state: a condition on the state would let the
     * planner scan all of this node's entries in the partial running-task index, and between vacuums most of those
     * are dead (at 3,600 tasks/s that took this statement from 0.1 ms to 2 to 4 ms). Rows are found by number.
     */
    public Set<Long> complete(String nodeId, List<Completion> completions) {
        if (completions.isEmpty()) return Set.of();
        return jdbc(c -> {
            try (PreparedStatement update = c.prepareStatement(COMPLETE)) {
                // Planned for each batch: a plan kept for any batch cannot tell how many rows the arrays hold, and
                // under a stream PostgreSQL settled on one that scanned the whole table for every batch.
                update.unwrap(PGStatement.class).setPrepareThreshold(0);
                update.setArray(1, c.createArrayOf("bigint", completions.stream().map(Completion::number).toArray()));
                update.setArray(2, c.createArrayOf("text", completions.stream().map(f -> f.outcome().state().name()).toArray()));
                update.setArray(3, c.createArrayOf("text", completions.stream().map(f -> f.outcome().errorMessage()).toArray()));
                update.setArray(4, c.createArrayOf("boolean", completions.stream()
                        .map(f -> f.hasWarningsOrErrors() || f.outcome().state() != TaskState.Success).toArray()));
                update.setString(5, nodeId);
                Set<Long> recorded = new HashSet<>();
                try (ResultSet rows = update.executeQuery()) {
                    while (rows.next()) recorded.add(rows.getLong(1));
                }
                return recorded;
            }
        });
    }

    /** Notified with a task's number when it becomes Cancelling (a trigger of migration V2), for the node that runs it. */
    public static final String CANCELLING_CHANNEL = "octopus_task_cancelling";

    /** CANCELED and CANCELLING are changes this call made; the others found the task already so, or gone. */
    public enum CancelResult { CANCELED, CANCELLING, ALREADY_CANCELLING, ALREADY_COMPLETED, NOT_FOUND }

    /** Queued tasks are canceled at once; running ones become Cancelling and their node stops them. */
    public CancelResult cancel(long number) {
        int canceled = db.update(SERVER_TASK)
                .set(SERVER_TASK.STATE, TaskState.Canceled.name())
                .set(SERVER_TASK.ERROR_MESSAGE, "The task was canceled before it started.")
                .set(SERVER_TASK.COMPLETED_TIME, currentOffsetDateTime())
                .set(SERVER_TASK.LAST_UPDATED_TIME, currentOffsetDateTime())
                .where(SERVER_TASK.NUMBER.eq(number)).and(SERVER_TASK.STATE.eq(TaskState.Queued.name()))
                .execute();
        if (canceled == 1) return CancelResult.CANCELED;
        int cancelling = db.update(SERVER_TASK)
                .set(SERVER_TASK.STATE, TaskState.Cancelling.name())
                .set(SERVER_TASK.LAST_UPDATED_TIME, currentOffsetDateTime())
                .where(SERVER_TASK.NUMBER.eq(number)).and(SERVER_TASK.STATE.eq(TaskState.Executing.name()))
                .execute();
        if (cancelling == 1) return CancelResult.CANCELLING;
        return find(number).map(t -> t.state() == TaskState.Cancelling ? CancelResult.ALREADY_CANCELLING
                : CancelResult.ALREADY_COMPLETED).orElse(CancelResult.NOT_FOUND);
    }

    /** Queued tasks past their QueueTimeExpiry become TimedOut. Returns how many. */
    public int expireQueued() {
        return db.update(SERVER_TASK)
                .set(SERVER_TASK.STATE, TaskState.TimedOut.name())
                .set(SERVER_TASK.ERROR_MESSAGE, "The task was still queued at its QueueTimeExpiry and was not started.")
                .set(SERVER_TASK.COMPLETED_TIME, currentOffsetDateTime())
                .set(SERVER_TASK.LAST_UPDATED_TIME, currentOffsetDateTime())
                .where(SERVER_TASK.STATE.eq(TaskState.Queued.name()))
                .and(SERVER_TASK.QUEUE_TIME_EXPIRY.le(currentOffsetDateTime()))
                .execute();
    }

    /**
     * Running tasks of offline nodes become Failed, naming the node. Any node may run this; the guarded UPDATE makes
     * each task fail exactly once. The offline nodes are read first and only their tasks looked at: a condition over
     * every running task read the whole running-task index, and between vacuums most of its entries are dead (at a
     * steady 5,800 tasks/s that took this statement, which every node runs every second, to 60 to 130 ms).
     */
    public int failTasksOfOfflineNodes() {
        List<String> offline = db.select(OCTOPUS_SERVER_NODE.ID).from(OCTOPUS_SERVER_NODE)
                .where(IS_OFFLINE).fetch(OCTOPUS_SERVER_NODE.ID);
        if (offline.isEmpty()) return 0;
        var liveNode = DSL.selectOne().from(OCTOPUS_SERVER_NODE)
                .where(OCTOPUS_SERVER_NODE.ID.eq(SERVER_TASK.SERVER_NODE))
                .and(DSL.not(IS_OFFLINE));
        return failRunning(SERVER_TASK.SERVER_NODE.in(offline).andNotExists(liveNode), DSL.concat(DSL.val("The node "),
                SERVER_TASK.SERVER_NODE, DSL.val(" that was running this task went offline; the task did not finish.")));
    }

    /**
     * Running tasks whose node record is gone become Failed. Deleting a record fails its node's tasks at once
     * ({@link #failTasksOfDeletedNode}); this catches a task claimed by a live node between the deletion of its
     * record and its next check-in, if that node then died. It reads the whole running-task index, so it is run
     * seldom.
     */
    public int failTasksOfDeletedNodes() {
        var node = DSL.selectOne().from(OCTOPUS_SERVER_NODE).where(OCTOPUS_SERVER_NODE.ID.eq(SERVER_TASK.SERVER_NODE));
        return failRunning(DSL.notExists(node), deletedNodeMessage(SERVER_TASK.SERVER_NODE));
    }

    /** For the transaction that deletes the node's record. */
    public int failTasksOfDeletedNode(String nodeId) {
        return failRunning(SERVER_TASK.SERVER_NODE.eq(nodeId), deletedNodeMessage(DSL.val(nodeId)));
    }

    /** At start-up: tasks this node was running before it died are lost with that process. */
    public int failLeftoversOf(String nodeId) {
        return failRunning(SERVER_TASK.SERVER_NODE.eq(nodeId),
                DSL.val("The node " + nodeId + " restarted while running this task; the task did not finish."));
    }

    private static Field<String> deletedNodeMessage(Field<String> nodeId) {
        return DSL.concat(DSL.val("The record of node "), nodeId,
                DSL.val(", which was running this task, was deleted; the task did not finish."));
    }

    private int failRunning(Condition which, Field<String> errorMessage) {
        return db.update(SERVER_TASK)
                .set(SERVER_TASK.STATE, TaskState.Failed.name())
                .set(SERVER_TASK.ERROR_MESSAGE, errorMessage)
                .set(SERVER_TASK.HAS_WARNINGS_OR_ERRORS, true)
                .set(SERVER_TASK.COMPLETED_TIME, currentOffsetDateTime())
                .set(SERVER_TASK.LAST_UPDATED_TIME, currentOffsetDateTime())
                .where(SERVER_TASK.STATE.in(TaskState.Executing.name(), TaskState.Cancelling.name()))
                .and(which)
                .execute();
    }

    public Optional<TaskRecord> find(long number) {
        return read(db.selectFrom(SERVER_TASK).where(SERVER_TASK.NUMBER.eq(number))).stream().findFirst();
    }

    /** Tasks matching the filter, newest first. */
    public List<TaskRecord> list(TaskFilter filter, int skip, int take) {
        return read(db.selectFrom(SERVER_TASK).where(conditionOf(filter))
                .orderBy(SERVER_TASK.QUEUE_TIME.desc(), SERVER_TASK.NUMBER.desc())
                .offset(skip).limit(take));
    }

    public int count(TaskFilter filter) {
        return db.fetchCount(SERVER_TASK, conditionOf(filter));
    }

    /**
     * The tasks one node runs, newest first, through the database function {@code tasks_running_on} (db/functions.sql):
     * each node reads its own every second, and the function keeps that from visiting the table row of every task the
     * node finished since the last vacuum.
     */
    public List<TaskRecord> runningOn(String nodeId) {
        return taskRows(RUNNING_ON, running -> running.setString(1, nodeId));
    }

    /**
     * How many tasks match the filter in each state (states it does not match count 0), in one statement: a listing's
     * TotalCounts, and its TotalResults as their sum.
     */
    public Map<TaskState, Integer> countByState(TaskFilter filter) {
        Map<TaskState, Integer> counts = new EnumMap<>(TaskState.class);
        for (TaskState state : TaskState.values()) counts.put(state, 0);
        db.select(SERVER_TASK.STATE, DSL.count()).from(SERVER_TASK).where(conditionOf(filter))
                .groupBy(SERVER_TASK.STATE)
                .forEach(r -> counts.put(TaskState.valueOf(r.value1()), r.value2()));
        return counts;
    }

    /** The queued tasks that start before this one, in the order they start: empty unless it is queued. */
    public List<TaskRecord> queuedAhead(TaskRecord task, int skip, int take) {
        if (task.state() != TaskState.Queued) return List.of();
        return read(db.selectFrom(SERVER_TASK).where(aheadOf(task))
                .orderBy(SERVER_TASK.QUEUE_TIME, SERVER_TASK.NUMBER).offset(skip).limit(take));
    }

    public int countQueuedAhead(TaskRecord task) {
        return task.state() != TaskState.Queued ? 0 : db.fetchCount(SERVER_TASK, aheadOf(task));
    }

    private static Condition aheadOf(TaskRecord task) {
        return SERVER_TASK.STATE.eq(TaskState.Queued.name())
                .and(DSL.row(SERVER_TASK.QUEUE_TIME, SERVER_TASK.NUMBER).lt(task.queueTime(), task.number()));
    }

    /**
     * Moves a queued task to the front of the queue: its queue time becomes one microsecond before that of the first
     * other queued task (claims take tasks in queue-time order). False when it is no longer queued (a node claimed it,
     * or it was canceled). The new queue time is never before the tasks any node has claimed, so claims that read the
     * queue from their last claim (migration V8) find it at once.
     */
    public boolean moveToFront(long number) {
        var front = DSL.select(DSL.min(SERVER_TASK.QUEUE_TIME)).from(SERVER_TASK)
                .where(SERVER_TASK.STATE.eq(TaskState.Queued.name())).and(SERVER_TASK.NUMBER.ne(number));
        return db.update(SERVER_TASK)
                .set(SERVER_TASK.QUEUE_TIME, DSL.least(SERVER_TASK.QUEUE_TIME,
                        DSL.field("({0}) - interval '1 microsecond'", OffsetDateTime.class, front)))
                .set(SERVER_TASK.LAST_UPDATED_TIME, currentOffsetDateTime())
                .where(SERVER_TASK.NUMBER.eq(number)).and(SERVER_TASK.STATE.eq(TaskState.Queued.name()))
                .execute() == 1;
    }

    /** A finished task's state as an administrator sets it afterwards: the state it had, or empty if it is not finished. */
    public Optional<TaskState> changeFinishedState(long number, TaskState newState, String errorMessage) {
        List<String> finished = TaskState.FINISHED.stream().map(Enum::name).toList();
        return db.transactionResult(tx -> {
            DSLContext t = tx.dsl();
            var row = t.select(SERVER_TASK.STATE).from(SERVER_TASK).where(SERVER_TASK.NUMBER.eq(number))
                    .and(SERVER_TASK.STATE.in(finished)).forUpdate().fetchOne();
            if (row == null) return Optional.empty();
            t.update(SERVER_TASK)
                    .set(SERVER_TASK.STATE, newState.name())
                    .set(SERVER_TASK.ERROR_MESSAGE, errorMessage)
                    .set(SERVER_TASK.LAST_UPDATED_TIME, currentOffsetDateTime())
                    .where(SERVER_TASK.NUMBER.eq(number)).execute();
            return Optional.of(TaskState.valueOf(row.value1()));
        });
    }

    private static Condition conditionOf(TaskFilter f) {
        List<Condition> conditions = new ArrayList<>();
        if (f.numbers() != null) conditions.add(SERVER_TASK.NUMBER.in(f.numbers()));
        if (f.states() != null) conditions.add(SERVER_TASK.STATE.in(f.states().stream().map(Enum::name).toList()));
        if (f.nodes() != null) conditions.add(SERVER_TASK.SERVER_NODE.in(f.nodes()));
        if (f.names() != null) conditions.add(SERVER_TASK.NAME.in(f.names()));
        if (f.spaces() != null) conditions.add(SERVER_TASK.SPACE_ID.in(f.spaces()));
        if (f.partialName() != null) conditions.add(SERVER_TASK.NAME.containsIgnoreCase(f.partialName()));
        if (f.descriptionContains() != null) conditions.add(SERVER_TASK.DESCRIPTION.containsIgnoreCase(f.descriptionContains()));
        if (f.excludedNames() != null && !f.excludedNames().isEmpty()) conditions.add(SERVER_TASK.NAME.notIn(f.excludedNames()));
        conditions.add(within(SERVER_TASK.QUEUE_TIME, f.queued()));
        conditions.add(within(SERVER_TASK.START_TIME, f.started()));
        conditions.add(within(SERVER_TASK.COMPLETED_TIME, f.completed()));
        return DSL.and(conditions);
    }

    private static Condition within(Field<OffsetDateTime> time, TaskFilter.TimeRange range) {
        if (range == null || range.isAny()) return DSL.noCondition();
        Condition c = DSL.noCondition();
        if (range.from() != null) c = c.and(time.ge(range.from()));
        if (range.to() != null) c = c.and(time.le(range.to()));
        return c;
    }

    private interface Parameters {
        void bind(PreparedStatement statement) throws SQLException;
    }

    /** The tasks a constant statement returns, one row each. */
    private List<TaskRecord> taskRows(String sql, Parameters parameters) {
        return jdbc(c -> {
            try (PreparedStatement statement = c.prepareStatement(sql)) {
                parameters.bind(statement);
                try (ResultSet rows = statement.executeQuery()) {
                    return toRecords(rows);
                }
            }
        });
    }

    private <T> T jdbc(ConnectionCallable<T> work) {
        return db.connectionResult(c -> {
            try {
                return work.run(c);
            } catch (SQLException e) {
                throw new DataAccessException(e.getMessage(), e);
            }
        });
    }

    private static List<TaskRecord> read(ResultQuery<?> query) {
        try (ResultSet rows = query.fetchResultSet()) {
            return toRecords(rows);
        } catch (SQLException e) {
            throw new DataAccessException(e.getMessage(), e);
        }
    }

    private static List<TaskRecord> toRecords(ResultSet rows) throws SQLException {
        List<TaskRecord> records = new ArrayList<>();
        while (rows.next()) {
            long number = rows.getLong("number");
            ObjectNode arguments;
            try {
                arguments = (ObjectNode) MAPPER.readTree(rows.getString("arguments"));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("task " + number + " has unreadable arguments", e);
            }
            records.add(new TaskRecord(number, rows.getString("space_id"), rows.getString("name"),
                    rows.getString("description"), arguments, TaskState.valueOf(rows.getString("state")),
                    rows.getObject("queue_time", OffsetDateTime.class), rows.getObject("queue_time_expiry", OffsetDateTime.class),
                    rows.getObject("start_time", OffsetDateTime.class), rows.getObject("completed_time", OffsetDateTime.class),
                    rows.getObject("last_updated_time", OffsetDateTime.class), rows.getString("server_node"),
                    rows.getString("error_message"), rows.getBoolean("has_warnings_or_errors")));
        }
        return records;
    }
}
