package io.octopusha.node.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.octopusha.node.InvalidInputException;
import io.octopusha.node.auth.Role;
import io.octopusha.node.queue.TaskRecord;
import io.octopusha.node.storage.ArtifactStore;
import io.octopusha.node.storage.ArtifactStore.ArtifactInfo;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** Artifacts tasks attached: {@code GET /api/artifacts?regarding=ServerTasks-n} and their content, from any node. */
public final class ArtifactsApi implements ApiRoutes {
    public static final String PATH = "/api/artifacts";
    private final ArtifactStore artifacts;

    public ArtifactsApi(ArtifactStore artifacts) {
        this.artifacts = artifacts;
    }

    record ArtifactResource(String id, String spaceId, String filename, String serverTaskId, long size,
                            OffsetDateTime created, Map<String, String> links) {
        static ArtifactResource of(ArtifactInfo a) {
            return new ArtifactResource(a.id(), a.spaceId(), a.fileName(), a.taskId(), a.sizeBytes(), a.created(),
                    Map.of("Self", PATH + "/" + a.id(), "Content", PATH + "/" + a.id() + "/content"));
        }
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(PATH, this::list, Role.Viewer);
        routes.get(PATH + "/{id}", ctx -> ctx.json(ArtifactResource.of(find(ctx))), Role.Viewer);
        routes.get(PATH + "/{id}/content", ctx -> {
            ArtifactInfo artifact = find(ctx);
            Path file = artifacts.file(artifact).orElseThrow(() -> new ApiException(404, "The file of "
                    + artifact.fileName() + " is missing from the shared directory.", List.of()));
            Downloads.send(ctx, file, artifact.fileName(), "application/octet-stream");
        }, Role.Viewer);
    }

    private void list(Context ctx) {
        Paging paging = Paging.from(ctx);
        String regarding = ctx.queryParam("regarding");
        Long taskNumber = null;
        if (regarding != null && !regarding.isEmpty()) {
            taskNumber = TaskRecord.numberOf(regarding);
            if (taskNumber < 0) throw new InvalidInputException("regarding must be a task Id such as ServerTasks-1.");
        }
        ctx.json(paging.collection("Artifact", artifacts.list(taskNumber, paging.skip(), paging.take()).stream()
                .map(ArtifactResource::of).toList(), artifacts.count(taskNumber), PATH));
    }

    private ArtifactInfo find(Context ctx) {
        String id = ctx.pathParam("id");
        return artifacts.find(id).orElseThrow(() -> ApiException.notFound(id));
    }
}
