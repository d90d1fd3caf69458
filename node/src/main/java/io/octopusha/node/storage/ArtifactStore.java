package io.octopusha.node.storage;

import io.octopusha.node.db.schema.tables.records.ArtifactRecord;
import io.octopusha.node.queue.TaskRecord;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
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
     * Attaches the regular files directly in {@code dir} to the task and returns their names. Anything else is
     * skipped with the reason in the task log: names a file system or a browser could misread (control characters,
     * leading dots), and whatever is not a file of the folder's own: a symbolic link, a file with other hard links
     * (a link to a file elsewhere), a folder, a device, a FIFO or a socket. The node would otherwise publish, to
     * every Viewer, whatever such an entry leads to that the node can read and the script could not.
     */
    public List<String> collect(TaskRecord task, Path dir, TaskLog log) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return List.of();
        Path target = storage.artifacts().resolve(task.id());
        try (Stream<Path> entries = Files.list(dir)) {
            List<Path> files = entries.sorted().filter(file -> {
                String refusal = refusal(file);
                if (refusal != null) {
                    log.warn("Artifact '" + shown(file) + "' skipped: " + refusal);
                    return false;
                }
                return true;
            }).toList();
            if (files.isEmpty()) return List.of();
            Files.createDirectories(target);
            return files.stream().map(file -> {
                String name = file.getFileName().toString();
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
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Why this entry is not attached, or null if it is a plain file of the folder's own with a usable name. */
    private static String refusal(Path file) {
        String name = file.getFileName().toString();
        if (name.startsWith(".") || name.length() > 255 || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return "its name is not allowed";
        }
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink()) return "it is a symbolic link; only files themselves become artifacts";
            if (attributes.isDirectory()) return "it is a folder; only files directly in the artifacts folder become artifacts";
            if (!attributes.isRegularFile()) return "it is not a regular file (a device, FIFO or socket)";
            if ((Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS) > 1) {
                return "it has another hard link, so it may be a file from elsewhere; copy the file instead of linking it";
            }
            return null;
        } catch (IOException e) {
            return "it cannot be read (" + e.getMessage() + ")";
        }
    }

    private static String shown(Path file) {
        return file.getFileName().toString().replaceAll("\\p{Cntrl}", "?");
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

    /**
     * The artifact's file while it is a plain file inside the artifacts folder: a link put there after it was
     * attached (by anything that can write to the shared directory) is not followed.
     */
    public Optional<Path> file(ArtifactInfo artifact) {
        Path file = storage.artifacts().resolve(artifact.taskId()).resolve(artifact.fileName());
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
            return file.toRealPath().startsWith(storage.artifacts().toRealPath()) ? Optional.of(file) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Condition condition(Long taskNumber) {
        return taskNumber == null ? DSL.noCondition() : ARTIFACT.TASK_NUMBER.eq(taskNumber);
    }

    private static ArtifactInfo toInfo(ArtifactRecord r) {
        return new ArtifactInfo(r.getId(), r.getTaskNumber(), r.getSpaceId(), r.getFileName(), r.getSizeBytes(), r.getCreated());
    }
}
