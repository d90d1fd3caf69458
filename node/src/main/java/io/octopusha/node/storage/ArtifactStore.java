package io.octopusha.node.storage;

import io.octopusha.node.db.schema.tables.records.ArtifactRecord;
import io.octopusha.node.input.ConflictException;
import io.octopusha.node.input.InvalidInputException;
import io.octopusha.node.queue.TaskRecord;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
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
        if (nameProblem(name) != null) return "its name is not allowed";
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

    /** What an artifact listing asks for; null fields do not filter. {@code newestFirst} false lists oldest first. */
    public record Filter(String spaceId, Long taskNumber, List<String> ids, String partialName, boolean newestFirst) {
        public static Filter ofTask(Long taskNumber) {
            return new Filter(null, taskNumber, null, null, true);
        }
    }

    public List<ArtifactInfo> list(Long taskNumber, int skip, int take) {
        return list(Filter.ofTask(taskNumber), skip, take);
    }

    public int count(Long taskNumber) {
        return count(Filter.ofTask(taskNumber));
    }

    public List<ArtifactInfo> list(Filter filter, int skip, int take) {
        return db.selectFrom(ARTIFACT).where(condition(filter))
                .orderBy(filter.newestFirst() ? ARTIFACT.CREATED.desc() : ARTIFACT.CREATED.asc(), ARTIFACT.ID)
                .offset(skip).limit(take).fetch(ArtifactStore::toInfo);
    }

    public int count(Filter filter) {
        return db.fetchCount(ARTIFACT, condition(filter));
    }

    /**
     * Records an artifact of a task whose content comes later ({@link #writeContent}), as Octopus's scripts and clients
     * create one: its size is 0 and it has no file until then.
     *
     * @throws ConflictException when the task already has an artifact of that name
     */
    public ArtifactInfo create(TaskRecord task, String fileName) {
        String problem = nameProblem(fileName);
        if (problem != null) throw new InvalidInputException("Filename " + problem + ".");
        ArtifactRecord row = db.insertInto(ARTIFACT).set(ARTIFACT.TASK_NUMBER, task.number()).set(ARTIFACT.SPACE_ID, task.spaceId())
                .set(ARTIFACT.FILE_NAME, fileName).set(ARTIFACT.SIZE_BYTES, 0L)
                .onConflictDoNothing().returning().fetchOne();
        if (row == null) throw new ConflictException("Task " + task.id() + " already has an artifact named " + fileName + ".");
        return toInfo(row);
    }

    /**
     * Stores an artifact's content, replacing what it had: the request body as it comes ({@code application/octet-stream}
     * or any other type), or the one file part of a multipart/form-data body. Streamed to {@code tmp/} and renamed into
     * place while the artifact's row is locked, so concurrent uploads of the same artifact leave one whole file whose
     * size the row states. Returns the artifact as it is now; empty when it was deleted meanwhile.
     */
    public Optional<ArtifactInfo> writeContent(ArtifactInfo artifact, InputStream body, String contentType) throws IOException {
        Path tmp = storage.tmp().resolve("artifact-" + UUID.randomUUID() + ".part");
        try {
            long size;
            if (contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/")) {
                size = MultipartFileReader.read(body, contentType, tmp, name -> { }).size();
            } else {
                try (UploadWriter out = UploadWriter.create(tmp, true)) {
                    byte[] buffer = new byte[64 * 1024];
                    int n;
                    while ((n = body.read(buffer)) >= 0) {
                        if (n > 0) out.write(java.nio.ByteBuffer.wrap(buffer, 0, n));
                    }
                    out.finish();
                    size = out.size();
                }
            }
            Path dir = storage.artifacts().resolve(artifact.taskId());
            Files.createDirectories(dir);
            return db.transactionResult(tx -> {
                ArtifactRecord row = tx.dsl().selectFrom(ARTIFACT).where(ARTIFACT.ID.eq(artifact.id())).forUpdate().fetchOne();
                if (row == null) return Optional.<ArtifactInfo>empty();
                Files.move(tmp, dir.resolve(row.getFileName()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                row.setSizeBytes(size);
                row.store();
                return Optional.of(toInfo(row));
            });
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Removes an artifact's record and its file; false if there was none. */
    public boolean delete(String id) {
        ArtifactRecord row = db.deleteFrom(ARTIFACT).where(ARTIFACT.ID.eq(id)).returning().fetchOne();
        if (row == null) return false;
        try {
            Files.deleteIfExists(storage.artifacts().resolve(TaskRecord.ID_PREFIX + row.getTaskNumber()).resolve(row.getFileName()));
        } catch (IOException e) {
            throw new UncheckedIOException("the file of artifact " + id + " could not be removed", e);
        }
        return true;
    }

    /** Why a file name cannot be an artifact's, or null: the names {@link #collect} attaches, and nothing else. */
    static String nameProblem(String name) {
        if (name == null || name.isBlank()) return "is required";
        if (name.length() > 255) return "must be at most 255 characters";
        if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) return "must not contain control characters";
        if (name.startsWith(".")) return "must not start with '.'";
        if (name.contains("/") || name.contains("\\")) return "must be a file name without a path";
        return null;
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

    private static Condition condition(Filter f) {
        Condition c = DSL.noCondition();
        if (f.spaceId() != null) c = c.and(ARTIFACT.SPACE_ID.eq(f.spaceId()));
        if (f.taskNumber() != null) c = c.and(ARTIFACT.TASK_NUMBER.eq(f.taskNumber()));
        if (f.ids() != null) c = c.and(ARTIFACT.ID.in(f.ids()));
        if (f.partialName() != null) c = c.and(ARTIFACT.FILE_NAME.containsIgnoreCase(f.partialName()));
        return c;
    }

    private static ArtifactInfo toInfo(ArtifactRecord r) {
        return new ArtifactInfo(r.getId(), r.getTaskNumber(), r.getSpaceId(), r.getFileName(), r.getSizeBytes(), r.getCreated());
    }
}
