package io.octopusha.node.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.octopusha.node.audit.AuditLog;
import io.octopusha.node.auth.Role;
import io.octopusha.node.input.InvalidInputException;
import io.octopusha.node.input.JsonFields;
import io.octopusha.node.queue.Enqueuer;
import io.octopusha.node.queue.TaskFilter;
import io.octopusha.node.queue.TaskQueue;
import io.octopusha.node.queue.TaskRecord;
import io.octopusha.node.queue.TaskState;
import io.octopusha.node.storage.SpaceStore;
import io.octopusha.node.storage.TaskLogStore;
import io.octopusha.node.tasks.TaskActivity;
import io.octopusha.node.tasks.TaskAdministration;
import io.octopusha.node.tasks.TaskType;
import io.octopusha.node.tasks.TaskTypes;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Tasks, every route both under {@code /api/tasks} and {@code /api/{spaceId}/tasks} as Octopus serves them: list
 * (with Octopus's filters and TotalCounts), create, get, details with the activity log, raw log, cancel, re-run
 * ({@code POST .../tasks/rerun/{id}}), queued-behind, state, prioritize, and the task types.
 */
public final class TasksApi implements ApiRoutes {
    public static final String PATH = "/api/tasks";
    public static final String TEMPLATE = PATH + "{/id}{?skip,take,ids,partialName,states,name,node,running,active,spaces,"
            + "includeSystem,description,fromQueueDate,toQueueDate,fromStartDate,toStartDate,fromCompletedDate,toCompletedDate}";
    public static final String TASK_TYPES = PATH + "/tasktypes";
    private static final String NODE_PREFIX = "OctopusServerNodes-";
    private static final int MAX_REASON = 1_000;
    private static final DateTimeFormatter COMPLETED = DateTimeFormatter.ofPattern("EEEE, MMMM d, yyyy h:mm a", Locale.ENGLISH);

    private final TaskQueue queue;
    private final TaskTypes types;
    private final SpaceStore spaces;
    private final TaskLogStore logs;
    private final Duration defaultQueueTimeout;
    private final Enqueuer enqueuer;
    private final TaskAdministration administration;
    private final AuditLog audit;

    public TasksApi(TaskQueue queue, TaskTypes types, SpaceStore spaces, TaskLogStore logs,
                    Duration defaultQueueTimeout, Enqueuer enqueuer, AuditLog audit) {
        this.queue = queue;
        this.types = types;
        this.spaces = spaces;
        this.logs = logs;
        this.defaultQueueTimeout = defaultQueueTimeout;
        this.enqueuer = enqueuer;
        this.audit = audit;
        this.administration = new TaskAdministration(queue, types, enqueuer, logs, defaultQueueTimeout);
    }

    @Override
    public void register(RoutesConfig routes) {
        for (String base : List.of(PATH, "/api/{spaceId}/tasks")) {
            // Fixed paths first: Javalin takes the first route that matches, and {id} matches "tasktypes" too.
            routes.get(base + "/tasktypes", this::taskTypes, Role.Viewer);
            routes.get(base + "/taskTypes", this::taskTypes, Role.Viewer);
            routes.post(base + "/rerun/{id}", this::rerun, Role.Operator);
            routes.get(base, this::list, Role.Viewer);
            routes.post(base, this::create, Role.Operator);
            routes.get(base + "/{id}", ctx -> ctx.json(resource(find(ctx))), Role.Viewer);
            routes.get(base + "/{id}/details", this::details, Role.Viewer);
            routes.get(base + "/{id}/raw", this::raw, Role.Viewer);
            routes.get(base + "/{id}/queued-behind", this::queuedBehind, Role.Viewer);
            routes.post(base + "/{id}/cancel", this::cancel, Role.Operator);
            routes.post(base + "/{id}/state", this::state, Role.Operator);
            routes.post(base + "/{id}/prioritize", this::prioritize, Role.Operator);
        }
    }

    public record TaskResource(String id, String spaceId, String name, String description, ObjectNode arguments,
                               String state, String completed, OffsetDateTime queueTime, OffsetDateTime queueTimeExpiry,
                               OffsetDateTime startTime, OffsetDateTime lastUpdatedTime, OffsetDateTime completedTime,
                               String serverNode, String duration, String errorMessage,
                               boolean hasBeenPickedUpByProcessor, boolean isCompleted, boolean finishedSuccessfully,
                               boolean hasPendingInterruptions, boolean canRerun, boolean hasWarningsOrErrors,
                               String projectId, Map<String, String> links) {
    }

    /** A task listing: Octopus's collection with TotalCounts, the matching tasks in each state (every state is named). */
    public record TaskCollection(String itemType, long totalResults, int itemsPerPage, int numberOfPages,
                                 int lastPageNumber, Map<TaskState, Integer> totalCounts, List<TaskResource> items,
                                 Map<String, String> links) {
    }

    record TaskTypeResource(String id, String name, boolean isSystem, Map<String, String> links) {
    }

    public static TaskResource resource(TaskRecord t) {
        String self = PATH + "/" + t.id();
        Map<String, String> links = new LinkedHashMap<>();
        links.put("Self", self);
        links.put("Web", "/#/tasks/" + t.id());
        links.put("Raw", self + "/raw");
        links.put("Rerun", PATH + "/rerun/" + t.id());
        links.put("Cancel", self + "/cancel");
        links.put("State", self + "/state");
        links.put("Prioritize", self + "/prioritize");
        links.put("QueuedBehind", self + "/queued-behind{?skip,take}");
        links.put("Details", self + "/details{?verbose,tail,ranges}");
        links.put("Artifacts", "/api/" + t.spaceId() + "/artifacts?regarding=" + t.id());
        OffsetDateTime end = t.completedTime() != null ? t.completedTime() : OffsetDateTime.now();
        String duration = t.startTime() == null ? null : humanDuration(Duration.between(t.startTime(), end));
        String completed = t.completedTime() == null ? null : t.completedTime().atZoneSameInstant(ZoneOffset.UTC).format(COMPLETED);
        return new TaskResource(t.id(), t.spaceId(), t.name(), t.description(), t.arguments(), t.state().name(),
                completed, t.queueTime(), t.queueTimeExpiry(), t.startTime(), t.lastUpdatedTime(), t.completedTime(),
                nodeName(t.serverNode()), duration, t.errorMessage(), t.startTime() != null, t.state().isCompleted(),
                t.state() == TaskState.Success, false, TaskAdministration.canRerun(t), t.hasWarningsOrErrors(), null, links);
    }

    private static String nodeName(String nodeId) {
        return nodeId == null ? null : nodeId.startsWith(NODE_PREFIX) ? nodeId.substring(NODE_PREFIX.length()) : nodeId;
    }

    static String humanDuration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) return s == 1 ? "1 second" : s + " seconds";
        long m = s / 60;
        if (m < 60) return m == 1 ? "1 minute" : m + " minutes";
        long h = m / 60;
        return h == 1 ? "1 hour" : h + " hours";
    }

    private void list(Context ctx) {
        Paging paging = Paging.from(ctx);
        TaskFilter filter = filterFrom(ctx);
        // One statement counts the matching tasks in each state (a state the request leaves out counts 0): counting
        // every state whatever the request asked would read every finished task for a states=Queued count, which the
        // operator and the portal ask for every few seconds and the queued-task index answers alone.
        Map<TaskState, Integer> counts = queue.countByState(filter);
        long total = counts.values().stream().mapToLong(Integer::longValue).sum();
        List<TaskResource> items = paging.take() == 0 ? List.of()
                : queue.list(filter, paging.skip(), paging.take()).stream().map(TasksApi::resource).toList();
        int pages = paging.numberOfPages(total);
        ctx.json(new TaskCollection("Task", total, paging.take(), pages, Math.max(0, pages - 1), counts, items,
                paging.links(ctx, total)));
    }

    private TaskFilter filterFrom(Context ctx) {
        List<Long> numbers = null;
        List<String> ids = IdList.from(ctx, "ids");
        if (ids != null) {
            numbers = new ArrayList<>();
            for (String id : ids) {
                long n = TaskRecord.numberOf(id);
                if (n >= 0) numbers.add(n);
            }
        }
        Set<TaskState> states = null;
        List<String> stateNames = IdList.from(ctx, "states");
        if (stateNames != null) {
            states = EnumSet.noneOf(TaskState.class);
            for (String name : stateNames) states.add(state(name, "states"));
        }
        if (QueryParams.flag(ctx, "active")) states = intersect(states, TaskState.ACTIVE);
        if (QueryParams.flag(ctx, "running")) states = intersect(states, TaskState.RUNNING);
        List<String> nodes = IdList.from(ctx, "node");
        if (nodes != null) nodes = nodes.stream().map(n -> n.startsWith(NODE_PREFIX) ? n : NODE_PREFIX + n).toList();
        List<String> spaceIds = IdList.from(ctx, "spaces");
        if (spaceIds != null && spaceIds.stream().anyMatch(s -> s.equalsIgnoreCase("all"))) spaceIds = null;
        String scoped = ctx.pathParamMap().get("spaceId");
        if (scoped != null) {
            requireSpace(scoped);
            spaceIds = List.of(scoped);
        }
        Boolean includeSystem = QueryParams.bool(ctx, "includeSystem");
        return new TaskFilter(numbers, states, nodes, IdList.from(ctx, "name"), spaceIds,
                QueryParams.text(ctx, "partialName", 200), QueryParams.text(ctx, "description", 1_000),
                Boolean.FALSE.equals(includeSystem) ? types.systemNames() : null,
                range(ctx, "fromQueueDate", "toQueueDate"), range(ctx, "fromStartDate", "toStartDate"),
                range(ctx, "fromCompletedDate", "toCompletedDate"));
    }

    private static TaskFilter.TimeRange range(Context ctx, String fromName, String toName) {
        OffsetDateTime from = QueryParams.time(ctx, fromName);
        OffsetDateTime to = QueryParams.time(ctx, toName);
        if (from != null && to != null && from.isAfter(to)) throw new InvalidInputException(fromName + " must not be after " + toName + ".");
        return new TaskFilter.TimeRange(from, to);
    }

    private static TaskState state(String name, String what) {
        for (TaskState s : TaskState.values()) if (s.name().equalsIgnoreCase(name)) return s;
        throw new InvalidInputException(what + ": '" + name + "' is not a task state; use " + List.of(TaskState.values()) + ".");
    }

    private static Set<TaskState> intersect(Set<TaskState> states, Set<TaskState> with) {
        Set<TaskState> result = EnumSet.copyOf(with);
        if (states != null) result.retainAll(states);
        return result;
    }

    private void create(Context ctx) {
        ObjectNode body = RequestBodies.object(ctx);
        String spaceId = ctx.pathParamMap().getOrDefault("spaceId", JsonFields.optionalString(body, "SpaceId", 100));
        if (spaceId == null) spaceId = "Spaces-1";
        requireSpace(spaceId);
        TaskType type = types.get(JsonFields.requiredString(body, "Name", 200));
        type.authorize(AccessControl.principal(ctx).role());
        ObjectNode arguments = JsonFields.optionalObject(body, "Arguments");
        if (arguments == null) arguments = JsonNodeFactory.instance.objectNode();
        type.validate(arguments);
        String description = JsonFields.optionalString(body, "Description", 1_000);
        if (description == null || description.isBlank()) description = type.defaultDescription();
        OffsetDateTime expiry = OffsetDateTime.now().plus(defaultQueueTimeout);
        String rawExpiry = JsonFields.optionalString(body, "QueueTimeExpiry", 100);
        if (rawExpiry != null) {
            try {
                expiry = OffsetDateTime.parse(rawExpiry);
            } catch (DateTimeParseException e) {
                throw new InvalidInputException("QueueTimeExpiry must be an ISO-8601 time with offset, such as 2030-01-01T00:00:00Z.");
            }
            if (!expiry.isAfter(OffsetDateTime.now())) throw new InvalidInputException("QueueTimeExpiry must be in the future.");
            if (expiry.getYear() > 9999) throw new InvalidInputException("QueueTimeExpiry must be before the year 10000.");
        }
        TaskRecord task = enqueuer.enqueue(new TaskQueue.NewTask(spaceId, type.name(), description, arguments, expiry));
        audit.record(AccessControl.actor(ctx), AuditLog.Category.Created, "Queued task " + task.id() + " (" + task.name()
                + ": " + task.description() + ")", List.of(task.id(), task.spaceId()));
        ctx.status(201).json(resource(task));
    }

    private void details(Context ctx) {
        TaskRecord task = find(ctx);
        Boolean verbose = QueryParams.bool(ctx, "verbose");
        Integer tail = QueryParams.count(ctx, "tail");
        List<TaskActivity.Range> ranges = TaskActivity.parseRanges(ctx.queryParam("ranges"));
        TaskActivity.ActivityElement activity = TaskActivity.of(task, logs.lines(task.id()), Boolean.TRUE.equals(verbose), ranges, tail);
        long size = logs.size(task.id());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("Task", resource(task));
        details.put("ActivityLogs", List.of(activity));
        details.put("PhysicalLogSize", size);
        details.put("Progress", Map.of("ProgressPercentage", task.state().isCompleted() ? 100 : 0,
                "EstimatedTimeRemaining", task.state().isCompleted() ? "" : "unknown"));
        details.put("Links", Map.of("Self", PATH + "/" + task.id() + "/details"));
        ctx.json(details);
    }

    private void raw(Context ctx) {
        TaskRecord task = find(ctx);
        ctx.contentType("text/plain; charset=utf-8");
        ctx.result(logs.open(task.id()));
    }

    private void queuedBehind(Context ctx) {
        TaskRecord task = find(ctx);
        Paging paging = Paging.from(ctx);
        List<TaskResource> ahead = paging.take() == 0 ? List.of()
                : queue.queuedAhead(task, paging.skip(), paging.take()).stream().map(TasksApi::resource).toList();
        ctx.json(paging.collection("Task", ahead, queue.countQueuedAhead(task), ctx));
    }

    private void cancel(Context ctx) {
        TaskRecord task = find(ctx);
        TaskQueue.CancelResult result = queue.cancel(task.number());
        if (result == TaskQueue.CancelResult.NOT_FOUND) throw ApiException.notFound(task.id());
        if (result == TaskQueue.CancelResult.CANCELED || result == TaskQueue.CancelResult.CANCELLING) {
            audit.record(AccessControl.actor(ctx), AuditLog.Category.Canceled, (result == TaskQueue.CancelResult.CANCELED
                    ? "Canceled task " + task.id() + " before it started" : "Canceled task " + task.id() + ", which was running")
                    + " (" + task.name() + ": " + task.description() + ")", List.of(task.id(), task.spaceId()));
        }
        ctx.json(resource(reread(task)));
    }

    /** {@code POST /api/tasks/rerun/{id}}: a new task with the same name and arguments; 200 with it, as Octopus answers. */
    private void rerun(Context ctx) {
        TaskRecord original = find(ctx);
        TaskRecord task = administration.rerun(original, AccessControl.principal(ctx).role());
        audit.record(AccessControl.actor(ctx), AuditLog.Category.Created, "Re-ran task " + original.id() + " as " + task.id()
                + " (" + task.name() + ": " + task.description() + ")", List.of(task.id(), original.id(), task.spaceId()));
        ctx.json(resource(task));
    }

    /** {@code {state, reason}} (Octopus's client sends them in lower case): marks a finished task Success, Failed or Canceled. */
    private void state(Context ctx) {
        TaskRecord task = find(ctx);
        ObjectNode body = RequestBodies.object(ctx);
        String rawState = field(body, "State", 50);
        String reason = field(body, "Reason", MAX_REASON);
        if (rawState == null || rawState.isBlank()) throw new InvalidInputException("state is required: Success, Failed or Canceled.");
        if (reason == null || reason.isBlank()) throw new InvalidInputException("reason is required: say why the state is changed.");
        TaskState newState = state(rawState, "state");
        AuditLog.Actor who = AccessControl.actor(ctx);
        TaskState before = administration.markAs(task, newState, reason.strip(), who.username());
        audit.record(who, AuditLog.Category.Modified, "Changed the state of task " + task.id() + " from " + before + " to "
                + newState + ": " + reason.strip(), List.of(task.id(), task.spaceId()));
        ctx.json(resource(reread(task)));
    }

    /** {@code POST .../prioritize}: a queued task moves to the front of the queue. */
    private void prioritize(Context ctx) {
        TaskRecord task = find(ctx);
        administration.moveToFront(task);
        audit.record(AccessControl.actor(ctx), AuditLog.Category.Modified, "Moved task " + task.id()
                + " to the front of the queue (" + task.name() + ": " + task.description() + ")", List.of(task.id(), task.spaceId()));
        ctx.json(resource(reread(task)));
    }

    private void taskTypes(Context ctx) {
        String scoped = ctx.pathParamMap().get("spaceId");
        if (scoped != null) requireSpace(scoped);
        ctx.json(types.all().stream().map(t -> new TaskTypeResource(t.name(), t.defaultDescription(), t.isSystem(),
                Map.of("Tasks", PATH + "?name=" + t.name()))).toList());
    }

    /** A field by its PascalCase name or in lower camel case, as Octopus accepts both. */
    private static String field(ObjectNode body, String name, int maxLength) {
        String lower = Character.toLowerCase(name.charAt(0)) + name.substring(1);
        if (body.has(name) && body.has(lower)) throw new InvalidInputException("Send " + name + " once, not also as " + lower + ".");
        return JsonFields.optionalString(body, body.has(name) ? name : lower, maxLength);
    }

    private TaskRecord reread(TaskRecord task) {
        return queue.find(task.number()).orElseThrow(() -> ApiException.notFound(task.id()));
    }

    private TaskRecord find(Context ctx) {
        String id = ctx.pathParam("id");
        String scoped = ctx.pathParamMap().get("spaceId");
        long number = TaskRecord.numberOf(id);
        TaskRecord task = number < 0 ? null : queue.find(number).orElse(null);
        if (task == null || (scoped != null && !scoped.equals(task.spaceId()))) throw ApiException.notFound(id);
        return task;
    }

    private void requireSpace(String spaceId) {
        if (!spaces.exists(spaceId)) throw ApiException.notFound(spaceId);
    }
}
