package io.octopusha.node.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.octopusha.node.audit.AuditLog;
import io.octopusha.node.auth.Role;
import io.octopusha.node.input.InvalidInputException;
import io.octopusha.node.input.JsonFields;
import io.octopusha.node.queue.TaskQueue;
import io.octopusha.node.queue.TaskRecord;
import io.octopusha.node.storage.ArtifactStore.ArtifactInfo;
import io.octopusha.node.storage.ArtifactStore;
import io.octopusha.node.storage.SpaceStore;

import java.io.IOException;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * Artifacts, under {@code /api/artifacts} and {@code /api/{spaceId}/artifacts}: files tasks attached, and files
 * attached to a task through the API as Octopus's clients do it ({@code POST} the record, then {@code PUT} its
 * content, raw or multipart).
 */
public final class ArtifactsApi implements ApiRoutes {
    public static final String PATH = "/api/artifacts";
    public static final String TEMPLATE = "/api/{spaceId}/artifacts{/id}{?skip,take,regarding,ids,partialName,order}";

    private final ArtifactStore artifacts;
    private final TaskQueue tasks;
    private final SpaceStore spaces;
    private final AuditLog audit;

    public ArtifactsApi(ArtifactStore artifacts, TaskQueue tasks, SpaceStore spaces, AuditLog audit) {
        this.artifacts = artifacts;
        this.tasks = tasks;
        this.spaces = spaces;
        this.audit = audit;
    }

    record ArtifactResource(String id, String spaceId, String filename, String source, String serverTaskId,
                            OffsetDateTime created, String logCorrelationId, long size, Map<String, String> links) {
        static ArtifactResource of(ArtifactInfo a) {
            String self = "/api/" + a.spaceId() + "/artifacts/" + a.id();
            return new ArtifactResource(a.id(), a.spaceId(), a.fileName(), null, a.taskId(), a.created(), null,
                    a.sizeBytes(), Map.of("Self", self, "Content", self + "/content"));
        }
    }

    @Override
    public void register(RoutesConfig routes) {
        for (String base : List.of(PATH, "/api/{spaceId}/artifacts")) {
            routes.get(base, this::list, Role.Viewer);
            routes.post(base, this::create, Role.Operator);
            routes.get(base + "/{id}", ctx -> ctx.json(ArtifactResource.of(find(ctx))), Role.Viewer);
            routes.get(base + "/{id}/content", ctx -> {
                ArtifactInfo artifact = find(ctx);
                Path file = artifacts.file(artifact).orElseThrow(() -> new ApiException(404, "The file of "
                        + artifact.fileName() + " is missing from the shared directory" + (artifact.sizeBytes() == 0
                        ? ", or its content was not uploaded yet." : "."), List.of()));
                Downloads.send(ctx, file, artifact.fileName(), "application/octet-stream");
            }, Role.Viewer);
            routes.put(base + "/{id}/content", this::putContent, Role.Operator);
            routes.delete(base + "/{id}", this::delete, Role.Administrator);
        }
    }

    private void list(Context ctx) {
        Paging paging = Paging.from(ctx);
        String regarding = QueryParams.text(ctx, "regarding", 100);
        Long taskNumber = null;
        if (regarding != null) {
            taskNumber = TaskRecord.numberOf(regarding);
            if (taskNumber < 0) throw new InvalidInputException("regarding must be a task Id such as ServerTasks-1.");
        }
        String order = QueryParams.text(ctx, "order", 10);
        if (order != null && !order.equalsIgnoreCase("asc") && !order.equalsIgnoreCase("desc")) {
            throw new InvalidInputException("order must be asc (oldest first) or desc (newest first, the default).");
        }
        ArtifactStore.Filter filter = new ArtifactStore.Filter(space(ctx), taskNumber, IdList.from(ctx, "ids"),
                QueryParams.text(ctx, "partialName", 255), !"asc".equalsIgnoreCase(order));
        ctx.json(paging.collection("Artifact", paging.take() == 0 ? List.of() : artifacts.list(filter, paging.skip(), paging.take())
                .stream().map(ArtifactResource::of).toList(), artifacts.count(filter), ctx));
    }

    /** {@code {Filename, ServerTaskId}} → 201 with the record; its content follows with {@code PUT {id}/content}. */
    private void create(Context ctx) {
        String scoped = space(ctx);
        ObjectNode body = RequestBodies.object(ctx);
        String fileName = JsonFields.requiredString(body, "Filename", 255);
        String taskId = JsonFields.requiredString(body, "ServerTaskId", 100);
        long number = TaskRecord.numberOf(taskId);
        TaskRecord task = number < 0 ? null : tasks.find(number).orElse(null);
        if (task == null || (scoped != null && !scoped.equals(task.spaceId()))) {
            throw new InvalidInputException("ServerTaskId must name a task" + (scoped == null ? "" : " of " + scoped)
                    + "; there is no " + taskId + ".");
        }
        ArtifactInfo artifact = artifacts.create(task, fileName);
        audit.record(AccessControl.actor(ctx), AuditLog.Category.Created, "Created artifact " + artifact.id() + " ("
                + fileName + ") of task " + task.id(), List.of(artifact.id(), task.id(), task.spaceId()));
        ctx.status(201).json(ArtifactResource.of(artifact));
    }

    private void putContent(Context ctx) throws IOException {
        ArtifactInfo artifact = find(ctx);
        ArtifactInfo stored = artifacts.writeContent(artifact, ctx.req().getInputStream(), ctx.contentType())
                .orElseThrow(() -> ApiException.notFound(artifact.id()));
        audit.record(AccessControl.actor(ctx), AuditLog.Category.Modified, "Uploaded the content of artifact " + stored.id()
                + " (" + stored.fileName() + ", " + stored.sizeBytes() + " bytes) of task " + stored.taskId(),
                List.of(stored.id(), stored.taskId(), stored.spaceId()));
        ctx.json(ArtifactResource.of(stored));
    }

    private void delete(Context ctx) {
        ArtifactInfo artifact = find(ctx);
        if (!artifacts.delete(artifact.id())) throw ApiException.notFound(artifact.id());
        audit.record(AccessControl.actor(ctx), AuditLog.Category.Deleted, "Deleted artifact " + artifact.id() + " ("
                + artifact.fileName() + ") of task " + artifact.taskId(), List.of(artifact.id(), artifact.taskId(), artifact.spaceId()));
        ctx.status(204);
    }

    private ArtifactInfo find(Context ctx) {
        String id = ctx.pathParam("id");
        String scoped = space(ctx);
        return artifacts.find(id).filter(a -> scoped == null || scoped.equals(a.spaceId()))
                .orElseThrow(() -> ApiException.notFound(id));
    }

    /** The space of a space-scoped route (404 if there is none of that Id); null for {@code /api/artifacts}. */
    private String space(Context ctx) {
        String spaceId = ctx.pathParamMap().get("spaceId");
        if (spaceId != null && !spaces.exists(spaceId)) throw ApiException.notFound(spaceId);
        return spaceId;
    }
}
