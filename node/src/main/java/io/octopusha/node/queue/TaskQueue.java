package io.octopusha.node.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.octopusha.node.db.schema.tables.records.ServerTaskRecord;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.Row4;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static io.octopusha.node.db.schema.Tables.CLAIM_TASKS;
import static io.octopusha.node.db.schema.Tables.OCTOPUS_SERVER_NODE;
import static io.octopusha.node.db.schema.Tables.SERVER_TASK;
import static org.jooq.impl.DSL.currentOffsetDateTime;

/**
 * The one FIFO task queue in PostgreSQL. Every state change is a guarded UPDATE (it names the state it
 * expects), so concurrent nodes can race on any of them and each change still happens exactly once.
 */
public final class TaskQueue {
    private static final ObjectMapper MAPPER = new ObjectMapper();

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
        var insert = db.insertInto(SERVER_TASK, SERVER_TASK.SPACE_ID, SERVER_TASK.NAME, SERVER_TASK.DESCRIPTION,
                SERVER_TASK.ARGUMENTS, SERVER_TASK.STATE, SERVER_TASK.QUEUE_TIME_EXPIRY);
        for (NewTask t : tasks) {
            insert = insert.values(t.spaceId(), t.name(), t.description(), JSONB.valueOf(t.arguments().toString()),
                    TaskState.Queued.name(), t.queueTimeExpiry());
        }
        // Numbers are drawn row by row in VALUES order, so sorting by number restores the order given.
        return insert.returning().fetch().sortAsc(SERVER_TASK.NUMBER).map(TaskQueue::toRecord);
    }

    /**
     * Takes up to {@code max} queued tasks, oldest first, for {@code nodeId}, marking them Executing and
     * recording each start in the append-only execution table: one statement and one round trip, under the
     * cluster-wide claim lock, so start times follow queue order across all nodes. The statement is the
     * database function {@code claim_tasks} (migration V5), which says why it is one.
     */
    public List<TaskRecord> claim(String nodeId, int max) {
        if (max <= 0) return List.of();
        return db.selectFrom(CLAIM_TASKS.call(nodeId, max)).fetch(TaskQueue::toRecord);
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
        var rows = completions.stream().map(c -> DSL.row(c.number(), c.outcome().state().name(), c.outcome().errorMessage(),
                c.hasWarningsOrErrors() || c.outcome().state() != TaskState.Success)).toList();
        var finished = DSL.values(rows.toArray(Row4[]::new))
                .as("finished", "number", "state", "error_message", "has_warnings_or_errors");
        return new HashSet<>(db.update(SERVER_TASK)
                .set(SERVER_TASK.STATE, finished.field("state", String.class))
                .set(SERVER_TASK.ERROR_MESSAGE, finished.field("error_message", String.class))
                .set(SERVER_TASK.HAS_WARNINGS_OR_ERRORS, finished.field("has_warnings_or_errors", Boolean.class))
                .set(SERVER_TASK.COMPLETED_TIME, currentOffsetDateTime())
                .set(SERVER_TASK.LAST_UPDATED_TIME, currentOffsetDateTime())
                .from(finished)
                .where(SERVER_TASK.NUMBER.eq(finished.field("number", Long.class)))
                .and(SERVER_TASK.SERVER_NODE.eq(nodeId))
                .and(SERVER_TASK.COMPLETED_TIME.isNull())
                .returning(SERVER_TASK.NUMBER)
                .fetch(SERVER_TASK.NUMBER));
    }

    public enum CancelResult { CANCELED, CANCELLING, ALREADY_COMPLETED, NOT_FOUND }

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
        return find(number).map(t -> t.state() == TaskState.Cancelling ? CancelResult.CANCELLING
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
     * Running tasks whose node is offline (or whose node record is gone) become Failed, naming the node.
     * Any node may run this; the guarded UPDATE makes each task fail exactly once.
     */
    public int failTasksOfOfflineNodes() {
        var liveNode = DSL.selectOne().from(OCTOPUS_SERVER_NODE)
                .where(OCTOPUS_SERVER_NODE.ID.eq(SERVER_TASK.SERVER_NODE))
                .and(DSL.not(io.octopusha.node.cluster.NodeRegistry.IS_OFFLINE));
        return db.update(SERVER_TASK)
                .set(SERVER_TASK.STATE, TaskState.Failed.name())
                .set(SERVER_TASK.ERROR_MESSAGE, DSL.concat(DSL.val("The node "), SERVER_TASK.SERVER_NODE,
                        DSL.val(" that was running this task went offline; the task did not finish.")))
                .set(SERVER_TASK.HAS_WARNINGS_OR_ERRORS, true)
                .set(SERVER_TASK.COMPLETED_TIME, currentOffsetDateTime())
                .set(SERVER_TASK.LAST_UPDATED_TIME, currentOffsetDateTime())
                .where(SERVER_TASK.STATE.in(TaskState.Executing.name(), TaskState.Cancelling.name()))
                .andNotExists(liveNode)
                .execute();
    }

    /** At start-up: tasks this node was running before it died are lost with that process. */
    public int failLeftoversOf(String nodeId) {
        return db.update(SERVER_TASK)
                .set(SERVER_TASK.STATE, TaskState.Failed.name())
                .set(SERVER_TASK.ERROR_MESSAGE, "The node " + nodeId + " restarted while running this task; the task did not finish.")
                .set(SERVER_TASK.HAS_WARNINGS_OR_ERRORS, true)
                .set(SERVER_TASK.COMPLETED_TIME, currentOffsetDateTime())
                .set(SERVER_TASK.LAST_UPDATED_TIME, currentOffsetDateTime())
                .where(SERVER_TASK.SERVER_NODE.eq(nodeId))
                .and(SERVER_TASK.STATE.in(TaskState.Executing.name(), TaskState.Cancelling.name()))
                .execute();
    }

    public Optional<TaskRecord> find(long number) {
        return db.selectFrom(SERVER_TASK).where(SERVER_TASK.NUMBER.eq(number)).fetchOptional(TaskQueue::toRecord);
    }

    /** Tasks matching the filter, newest first. */
    public List<TaskRecord> list(TaskFilter filter, int skip, int take) {
        return db.selectFrom(SERVER_TASK).where(conditionOf(filter))
                .orderBy(SERVER_TASK.QUEUE_TIME.desc(), SERVER_TASK.NUMBER.desc())
                .offset(skip).limit(take)
                .fetch(TaskQueue::toRecord);
    }

    public int count(TaskFilter filter) {
        return db.fetchCount(SERVER_TASK, conditionOf(filter));
    }

    /** Running tasks per node are counted by the nodes summary; this lists one node's. */
    public List<TaskRecord> runningOn(String nodeId) {
        return list(new TaskFilter(null, TaskState.RUNNING, List.of(nodeId), null, null), 0, Integer.MAX_VALUE);
    }

    private static Condition conditionOf(TaskFilter f) {
        List<Condition> conditions = new ArrayList<>();
        if (f.numbers() != null) conditions.add(SERVER_TASK.NUMBER.in(f.numbers()));
        if (f.states() != null) conditions.add(SERVER_TASK.STATE.in(f.states().stream().map(Enum::name).toList()));
        if (f.nodes() != null) conditions.add(SERVER_TASK.SERVER_NODE.in(f.nodes()));
        if (f.names() != null) conditions.add(SERVER_TASK.NAME.in(f.names()));
        if (f.spaces() != null) conditions.add(SERVER_TASK.SPACE_ID.in(f.spaces()));
        return DSL.and(conditions);
    }

    static TaskRecord toRecord(ServerTaskRecord r) {
        ObjectNode arguments;
        try {
            arguments = (ObjectNode) MAPPER.readTree(r.getArguments().data());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("task " + r.getNumber() + " has unreadable arguments", e);
        }
        return new TaskRecord(r.getNumber(), r.getSpaceId(), r.getName(), r.getDescription(), arguments,
                TaskState.valueOf(r.getState()), r.getQueueTime(), r.getQueueTimeExpiry(), r.getStartTime(),
                r.getCompletedTime(), r.getLastUpdatedTime(), r.getServerNode(), r.getErrorMessage(),
                r.getHasWarningsOrErrors());
    }
}
