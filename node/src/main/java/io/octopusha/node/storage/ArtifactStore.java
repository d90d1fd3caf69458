package io.octopusha.node.storage;

import io.octopusha.node.db.schema.tables.records.ArtifactRecord;
import io.octopusha.node.queue.TaskRecord;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static io.octopusha.node.db.schema.Tables.ARTIFACT;

/** Files tasks attach: moved to {@code artifacts/<task id>/} on the shared directory and indexed in the database. */
public final class ArtifactStore {
    public record ArtifactInfo(String id, long taskNumber, String spaceId, String fileName, long sizeBytes,
                               OffsetDateTime created) {
        public String taskId() {
            return TaskRecord.ID_PREFIX + taskNumber;
        }
    }

    private final DSLContext db;
    private final SharedStorage storage;

    public ArtifactStore(DSLContext db, SharedStorage storage) {
        this.db = db;
        this.storage = storage;
    }

    /**
     * Attaches the regular files directly in {@code dir} to the task and returns their names. Names a file
     * system or a browser could misread (control characters, leading dots) are skipped with the reason.
     */
    public List<String> collect(TaskRecord task, Path dir, TaskLog log) {
        if (!Files.isDirectory(dir)) return List.of();
        Path target = storage.artifacts().resolve(task.id());
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> regular = files.filter(Files::isRegularFile).sorted().toList();
            if (regular.isEmpty()) return List.of();
            Files.createDirectories(target);
            return regular.stream().map(file -> {
                String name = file.getFileName().toString();
                if (name.startsWith(".") || name.length() > 255 || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                    log.warn("Artifact '" + name.replaceAll("\\p{Cntrl}", "?") + "' skipped: its name is not allowed");
                    return null;
                }
                try {
                    long size = Files.size(file);
                    Files.move(file, target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                    db.insertInto(ARTIFACT).set(ARTIFACT.TASK_NUMBER, task.number()).set(ARTIFACT.SPACE_ID, task.spaceId())
                            .set(ARTIFACT.FILE_NAME, name).set(ARTIFACT.SIZE_BYTES, size)
                            .onConflict(ARTIFACT.TASK_NUMBER, ARTIFACT.FILE_NAME).doUpdate()
                            .set(ARTIFACT.SIZE_BYTES, size).set(ARTIFACT.CREATED, DSL.currentOffsetDateTime())
                            .execute();
                    log.info("Artifact " + name + " attached (" + size + " bytes)");
                    return name;
                } catch (IOException e) {
                    throw new UncheckedIOException("artifact " + name + " could not be stored", e);
                }
            }).filter(java.util.Objects::nonNull).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<ArtifactInfo> list(Long taskNumber, int skip, int take) {
        return db.selectFrom(ARTIFACT).where(condition(taskNumber)).orderBy(ARTIFACT.CREATED.desc(), ARTIFACT.ID)
                .offset(skip).limit(take).fetch(ArtifactStore::toInfo);
    }

    public int count(Long taskNumber) {
        return db.fetchCount(ARTIFACT, condition(taskNumber));
    }

    public Optional<ArtifactInfo> find(String id) {
        return db.selectFrom(ARTIFACT).where(ARTIFACT.ID.eq(id)).fetchOptional(ArtifactStore::toInfo);
    }

    public Path file(ArtifactInfo artifact) {
        return storage.artifacts().resolve(artifact.taskId()).resolve(artifact.fileName());
    }

    private static Condition condition(Long taskNumber) {
        return taskNumber == null ? DSL.noCondition() : ARTIFACT.TASK_NUMBER.eq(taskNumber);
    }

    private static ArtifactInfo toInfo(ArtifactRecord r) {
        return new ArtifactInfo(r.getId(), r.getTaskNumber(), r.getSpaceId(), r.getFileName(), r.getSizeBytes(), r.getCreated());
    }
}
