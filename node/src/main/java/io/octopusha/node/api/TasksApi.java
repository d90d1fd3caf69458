package io.octopusha.node.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.octopusha.node.InvalidInputException;
import io.octopusha.node.JsonFields;
import io.octopusha.node.audit.AuditLog;
import io.octopusha.node.auth.Role;
import io.octopusha.node.queue.Enqueuer;
import io.octopusha.node.queue.TaskFilter;
import io.octopusha.node.queue.TaskQueue;
import io.octopusha.node.queue.TaskRecord;
import io.octopusha.node.queue.TaskState;
import io.octopusha.node.storage.SharedStorage;
import io.octopusha.node.storage.TaskLog;
import io.octopusha.node.tasks.TaskType;
import io.octopusha.node.tasks.TaskTypes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Tasks: list, create, get, details with log, raw log, cancel; also under {@code /api/{spaceId}/tasks}. */
public final class TasksApi implements ApiRoutes {
    public static final String PATH = "/api/tasks";
    private static final String NODE_PREFIX = "OctopusServerNodes-";

    private final TaskQueue queue;
    private final TaskTypes types;
    private final SpacesApi spaces;
    private final SharedStorage storage;
    private final Duration defaultQueueTimeout;
    private final Enqueuer enqueuer;
    private final AuditLog audit;

    public TasksApi(TaskQueue queue, TaskTypes types, SpacesApi spaces, SharedStorage storage,
                    Duration defaultQueueTimeout, Enqueuer enqueuer, AuditLog audit) {
        this.queue = queue;
        this.types = types;
        this.spaces = spaces;
        this.storage = storage;
        this.defaultQueueTimeout = defaultQueueTimeout;
        this.enqueuer = enqueuer;
        this.audit = audit;
    }

    @Override
    public void register(RoutesConfig routes) {
        for (String base : List.of(PATH, "/api/{spaceId}/tasks")) {
            routes.get(base, this::list, Role.Viewer);
            routes.post(base, this::create, Role.Operator);
            routes.get(base + "/{id}", ctx -> ctx.json(resource(find(ctx))), Role.Viewer);
        }
        routes.get(PATH + "/{id}/details", this::details, Role.Viewer);
        routes.get(PATH + "/{id}/raw", this::raw, Role.Viewer);
        routes.post(PATH + "/{id}/cancel", this::cancel, Role.Operator);
    }

    public record TaskResource(String id, String spaceId, String name, String description, ObjectNode arguments,
                               String state, OffsetDateTime queueTime, OffsetDateTime queueTimeExpiry,
                               OffsetDateTime startTime, OffsetDateTime lastUpdatedTime, OffsetDateTime completedTime,
                               String serverNode, String duration, String errorMessage,
                               boolean hasBeenPickedUpByProcessor, boolean isCompleted, boolean finishedSuccessfully,
                               boolean hasPendingInterruptions, boolean hasWarningsOrErrors, boolean canRerun,
                               Map<String, String> links) {
    }

    public static TaskResource resource(TaskRecord t) {
        String self = PATH + "/" + t.id();
        Map<String, String> links = new LinkedHashMap<>();
        links.put("Self", self);
        links.put("Raw", self + "/raw");
        links.put("Details", self + "/details");
        links.put("Cancel", self + "/cancel");
        links.put("Web", "/#/tasks/" + t.id());
        OffsetDateTime end = t.completedTime() != null ? t.completedTime() : OffsetDateTime.now();
        String duration = t.startTime() == null ? null : humanDuration(Duration.between(t.startTime(), end));
        return new TaskResource(t.id(), t.spaceId(), t.name(), t.description(), t.arguments(), t.state().name(),
                t.queueTime(), t.queueTimeExpiry(), t.startTime(), t.lastUpdatedTime(), t.completedTime(),
                nodeName(t.serverNode()), duration, t.errorMessage(), t.startTime() != null, t.state().isCompleted(),
                t.state() == TaskState.Success, false, t.hasWarningsOrErrors(), false, links);
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
        ctx.json(paging.collection("Task", queue.list(filter, paging.skip(), paging.take()).stream()
                .map(TasksApi::resource).toList(), queue.count(filter), ctx.path()));
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
            for (String name : stateNames) states.add(state(name));
        }
        if (flag(ctx, "active")) states = intersect(states, TaskState.ACTIVE);
        if (flag(ctx, "running")) states = intersect(states, TaskState.RUNNING);
        List<String> nodes = IdList.from(ctx, "node");
        if (nodes != null) nodes = nodes.stream().map(n -> n.startsWith(NODE_PREFIX) ? n : NODE_PREFIX + n).toList();
        List<String> spaceIds = IdList.from(ctx, "spaces");
        String scoped = ctx.pathParamMap().get("spaceId");
        if (scoped != null) {
            requireSpace(scoped);
            spaceIds = List.of(scoped);
        }
        return new TaskFilter(numbers, states, nodes, IdList.from(ctx, "name"), spaceIds);
    }

    private static TaskState state(String name) {
        for (TaskState s : TaskState.values()) if (s.name().equalsIgnoreCase(name)) return s;
        throw new InvalidInputException("states: '" + name + "' is not a task state; use " + List.of(TaskState.values()) + ".");
    }

    private static boolean flag(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty() || raw.equalsIgnoreCase("false")) return false;
        if (raw.equalsIgnoreCase("true")) return true;
        throw new InvalidInputException(name + " must be true or false.");
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
        Integer tail = null;
        String rawTail = ctx.queryParam("tail");
        if (rawTail != null && !rawTail.isEmpty()) {
            if (!rawTail.matches("\\d{1,9}")) throw new InvalidInputException("tail must be a whole number of 0 or more.");
            tail = Integer.parseInt(rawTail);
        }
        Path file = storage.taskLog(task.id());
        List<String> lines = readLines(file);
        if (tail != null && lines.size() > tail) lines = lines.subList(lines.size() - tail, lines.size());
        List<Map<String, Object>> elements = lines.stream().map(TaskLog.Entry::parse).map(e -> {
            Map<String, Object> element = new LinkedHashMap<>();
            element.put("Category", e.category());
            element.put("MessageText", e.messageText());
            element.put("OccurredAt", e.occurredAt());
            return element;
        }).toList();
        Map<String, Object> activity = new LinkedHashMap<>();
        activity.put("Id", task.id() + "_activity");
        activity.put("Name", task.description());
        activity.put("Status", activityStatus(task.state()));
        activity.put("LogElements", elements);
        activity.put("Children", List.of());
        long size;
        try {
            size = Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("Task", resource(task));
        details.put("ActivityLogs", List.of(activity));
        details.put("PhysicalLogSize", size);
        details.put("Progress", Map.of("ProgressPercentage", task.state().isCompleted() ? 100 : 0,
                "EstimatedTimeRemaining", task.state().isCompleted() ? "" : "unknown"));
        ctx.json(details);
    }

    private static String activityStatus(TaskState state) {
        return switch (state) {
            case Queued -> "Pending";
            case Executing, Cancelling -> "Running";
            case Success -> "Success";
            case Failed, TimedOut -> "Failed";
            case Canceled -> "Canceled";
        };
    }

    private void raw(Context ctx) {
        TaskRecord task = find(ctx);
        Path file = storage.taskLog(task.id());
        ctx.contentType("text/plain; charset=utf-8");
        try {
            ctx.result(Files.exists(file) ? Files.newInputStream(file) : java.io.InputStream.nullInputStream());
        } catch (NoSuchFileException e) {
            ctx.result("");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        ctx.json(resource(queue.find(task.number()).orElseThrow(() -> ApiException.notFound(task.id()))));
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

    private static List<String> readLines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
