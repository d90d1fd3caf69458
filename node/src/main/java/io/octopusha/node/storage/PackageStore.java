package io.octopusha.node.storage;

import io.octopusha.node.db.schema.tables.records.PackageRecord;
import io.octopusha.node.input.ConflictException;
import io.octopusha.node.input.InvalidInputException;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.octopusha.node.db.schema.Tables.PACKAGE;
import static io.octopusha.node.db.schema.Tables.SPACE;

/**
 * The built-in package repository on the shared directory. An upload is streamed to {@code tmp/} and renamed
 * into place inside the database transaction that records it, so a package is visible only when complete and
 * two nodes racing on the same package cannot both win.
 */
public final class PackageStore {
    public enum OverwriteMode { FailIfExists, OverwriteExisting, IgnoreIfExists }

    public record PackageInfo(String spaceId, String id, String packageId, String version, String fileExtension,
                              long sizeBytes, String hash, OffsetDateTime published) {
        public String fileName() {
            return packageId + "." + version + fileExtension;
        }
    }

    /** The stored package and whether this upload created or replaced it (false: an existing one was kept). */
    public record UploadResult(PackageInfo pkg, boolean stored) {
    }

    private final DSLContext db;
    private final SharedStorage storage;

    public PackageStore(DSLContext db, SharedStorage storage) {
        this.db = db;
        this.storage = storage;
    }

    public UploadResult upload(String spaceId, InputStream body, String contentType, OverwriteMode mode) throws IOException {
        Path tmp = storage.tmp().resolve("upload-" + UUID.randomUUID() + ".part");
        try (SupersededFiles superseded = new SupersededFiles()) {
            PackageFileName[] name = new PackageFileName[1];
            MultipartFileReader.Received received = MultipartFileReader.read(body, contentType, tmp,
                    fileName -> name[0] = PackageFileName.parse(fileName));
            if (received.size() == 0) throw new InvalidInputException("The file " + received.fileName() + " is empty.");
            Path dir = storage.packages().resolve(spaceId);
            Files.createDirectories(dir);
            return db.transactionResult(tx -> publish(tx.dsl(), spaceId, name[0], received, tmp, dir, mode, superseded));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private UploadResult publish(DSLContext t, String spaceId, PackageFileName name, MultipartFileReader.Received received,
                                 Path tmp, Path dir, OverwriteMode mode, SupersededFiles superseded) throws IOException {
        PackageRecord existing = t.selectFrom(PACKAGE).where(key(spaceId, name.id())).forUpdate().fetchOne();
        if (existing != null && mode == OverwriteMode.IgnoreIfExists) return new UploadResult(toInfo(existing), false);
        if (existing != null && mode == OverwriteMode.FailIfExists) throw alreadyExists(name);
        var insert = t.insertInto(PACKAGE)
                .set(PACKAGE.SPACE_ID, spaceId).set(PACKAGE.ID, name.id())
                .set(PACKAGE.PACKAGE_ID, name.packageId()).set(PACKAGE.VERSION, name.version())
                .set(PACKAGE.FILE_EXTENSION, name.extension()).set(PACKAGE.SIZE_BYTES, received.size())
                .set(PACKAGE.HASH, received.sha256());
        PackageRecord row = mode == OverwriteMode.OverwriteExisting
                ? insert.onConflict(PACKAGE.SPACE_ID, PACKAGE.ID).doUpdate()
                        .set(PACKAGE.FILE_EXTENSION, name.extension()).set(PACKAGE.SIZE_BYTES, received.size())
                        .set(PACKAGE.HASH, received.sha256()).set(PACKAGE.PUBLISHED, DSL.currentOffsetDateTime())
                        .returning().fetchOne()
                // A concurrent upload of the same package waits here on its unique key, then finds it taken.
                : insert.onConflictDoNothing().returning().fetchOne();
        if (row == null) {
            if (mode == OverwriteMode.IgnoreIfExists) {
                return new UploadResult(toInfo(t.selectFrom(PACKAGE).where(key(spaceId, name.id())).fetchSingle()), false);
            }
            throw alreadyExists(name);
        }
        Path target = dir.resolve(name.fileName());
        superseded.hold(target);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        // The file is on disk already (MultipartFileReader); its new name must be too before the row commits.
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        }
        if (existing != null && !existing.getFileExtension().equals(name.extension())) {
            Path previous = dir.resolve(toInfo(existing).fileName());
            superseded.hold(previous);
            Files.deleteIfExists(previous);
        }
        return new UploadResult(toInfo(row), true);
    }

    private static ConflictException alreadyExists(PackageFileName name) {
        return new ConflictException("The package " + name.packageId() + " version " + name.version()
                + " already exists in the built-in repository. Upload a new version, or use overwriteMode=OverwriteExisting"
                + " (or IgnoreIfExists) to replace (or keep) it.");
    }

    /**
     * What a package listing asks for: {@code filter} a case-insensitive part of the package Id, {@code packageId} an
     * exact package Id (Octopus's nuGetPackageId), {@code latest} only the highest version of each package. Null fields
     * do not filter.
     */
    public record Query(String spaceId, String filter, String packageId, boolean latest) {
    }

    public List<PackageInfo> list(String spaceId, String filter, int skip, int take) {
        return list(new Query(spaceId, filter, null, false), skip, take);
    }

    public int count(String spaceId, String filter) {
        return count(new Query(spaceId, filter, null, false));
    }

    /** Packages by package Id, newest first within one; with {@code latest}, the highest version of each. */
    public List<PackageInfo> list(Query query, int skip, int take) {
        if (query.latest()) {
            List<PackageInfo> latest = latest(query);
            if (skip >= latest.size()) return List.of();
            return latest.subList(skip, (int) Math.min(latest.size(), (long) skip + take));
        }
        return db.selectFrom(PACKAGE).where(listCondition(query))
                .orderBy(PACKAGE.PACKAGE_ID, PACKAGE.PUBLISHED.desc()).offset(skip).limit(take)
                .fetch(PackageStore::toInfo);
    }

    public int count(Query query) {
        if (query.latest()) {
            return db.fetchCount(DSL.selectDistinct(PACKAGE.PACKAGE_ID).from(PACKAGE).where(listCondition(query)));
        }
        return db.fetchCount(PACKAGE, listCondition(query));
    }

    /** The highest version of each package, by {@link PackageVersion}, in package Id order. */
    private List<PackageInfo> latest(Query query) {
        Map<String, PackageInfo> highest = new TreeMap<>();
        for (PackageInfo p : db.selectFrom(PACKAGE).where(listCondition(query)).fetch(PackageStore::toInfo)) {
            highest.merge(p.packageId(), p, (a, b) -> PackageVersion.compare(a.version(), b.version()) >= 0 ? a : b);
        }
        return List.copyOf(highest.values());
    }

    /** Packages in every space: the built-in feed's statistics. */
    public int countAll() {
        return db.fetchCount(PACKAGE);
    }

    /**
     * Deletes the packages with these Ids in one transaction, with their files; deletes nothing and returns the Ids
     * not found when any is missing.
     */
    public List<String> deleteAll(String spaceId, List<String> ids) {
        try (SupersededFiles superseded = new SupersededFiles()) {
            return db.transactionResult(tx -> {
                DSLContext t = tx.dsl();
                Map<String, PackageRecord> rows = new HashMap<>();
                t.selectFrom(PACKAGE).where(PACKAGE.SPACE_ID.eq(spaceId)).and(PACKAGE.ID.in(ids)).forUpdate()
                        .forEach(r -> rows.put(r.getId(), r));
                List<String> missing = ids.stream().filter(id -> !rows.containsKey(id)).toList();
                if (!missing.isEmpty()) return missing;
                t.deleteFrom(PACKAGE).where(PACKAGE.SPACE_ID.eq(spaceId)).and(PACKAGE.ID.in(ids)).execute();
                for (PackageRecord row : rows.values()) {
                    Path file = file(toInfo(row));
                    superseded.hold(file);
                    Files.deleteIfExists(file);
                }
                return List.<String>of();
            });
        }
    }

    public Optional<PackageInfo> find(String spaceId, String id) {
        return db.selectFrom(PACKAGE).where(key(spaceId, id)).fetchOptional(PackageStore::toInfo);
    }

    public Path file(PackageInfo pkg) {
        return storage.packages().resolve(pkg.spaceId()).resolve(pkg.fileName());
    }

    public boolean delete(String spaceId, String id) {
        try (SupersededFiles superseded = new SupersededFiles()) {
            return db.transactionResult(tx -> {
                PackageRecord row = tx.dsl().deleteFrom(PACKAGE).where(key(spaceId, id)).returning().fetchOne();
                if (row == null) return false;
                Path file = file(toInfo(row));
                superseded.hold(file);
                Files.deleteIfExists(file);
                return true;
            });
        }
    }

    /**
     * Makes the database match the packages folder: files without a row are added (hashed), rows whose file
     * changed size are re-hashed, rows without a file are removed. Returns a line per change.
     */
    public List<String> synchronizeIndex() {
        List<String> changes = new ArrayList<>();
        for (Path spaceDir : children(storage.packages())) {
            String spaceId = spaceDir.getFileName().toString();
            if (!db.fetchExists(SPACE, SPACE.ID.eq(spaceId))) continue;
            Set<String> seen = new HashSet<>();
            for (Path file : children(spaceDir)) {
                PackageFileName name;
                try {
                    name = PackageFileName.parse(file.getFileName().toString());
                } catch (InvalidInputException e) {
                    changes.add("skipped " + file.getFileName() + ": " + e.getMessage());
                    continue;
                }
                seen.add(name.id());
                long size = size(file);
                Optional<PackageInfo> row = find(spaceId, name.id());
                if (row.isPresent() && row.get().sizeBytes() == size && row.get().fileExtension().equals(name.extension())) continue;
                String hash = sha256(file);
                db.insertInto(PACKAGE).set(PACKAGE.SPACE_ID, spaceId).set(PACKAGE.ID, name.id())
                        .set(PACKAGE.PACKAGE_ID, name.packageId()).set(PACKAGE.VERSION, name.version())
                        .set(PACKAGE.FILE_EXTENSION, name.extension()).set(PACKAGE.SIZE_BYTES, size).set(PACKAGE.HASH, hash)
                        .onConflict(PACKAGE.SPACE_ID, PACKAGE.ID).doUpdate()
                        .set(PACKAGE.FILE_EXTENSION, name.extension()).set(PACKAGE.SIZE_BYTES, size).set(PACKAGE.HASH, hash)
                        .execute();
                changes.add((row.isPresent() ? "re-indexed " : "added ") + spaceId + "/" + file.getFileName());
            }
            for (PackageInfo pkg : list(spaceId, null, 0, Integer.MAX_VALUE)) {
                if (!seen.contains(pkg.id())) {
                    db.deleteFrom(PACKAGE).where(key(spaceId, pkg.id())).execute();
                    changes.add("removed " + spaceId + "/" + pkg.fileName() + " (no file)");
                }
            }
        }
        return changes;
    }

    /** Rows without their file (or with the wrong size) and files without a row. */
    public List<String> integrityProblems() {
        List<String> problems = new ArrayList<>();
        Set<Path> indexed = new HashSet<>();
        for (PackageInfo pkg : db.selectFrom(PACKAGE).fetch(PackageStore::toInfo)) {
            Path file = file(pkg);
            indexed.add(file);
            if (!Files.isRegularFile(file)) problems.add("package " + pkg.spaceId() + "/" + pkg.fileName() + " has no file");
            else if (size(file) != pkg.sizeBytes()) problems.add("package " + pkg.spaceId() + "/" + pkg.fileName() + " has the wrong size");
        }
        for (Path spaceDir : children(storage.packages())) {
            for (Path file : children(spaceDir)) {
                if (!indexed.contains(file)) problems.add("file " + storage.packages().relativize(file) + " is not in the package index");
            }
        }
        return problems;
    }

    private static Condition key(String spaceId, String id) {
        return PACKAGE.SPACE_ID.eq(spaceId).and(PACKAGE.ID.eq(id));
    }

    private static Condition listCondition(Query q) {
        Condition c = PACKAGE.SPACE_ID.eq(q.spaceId());
        if (q.filter() != null && !q.filter().isEmpty()) c = c.and(PACKAGE.PACKAGE_ID.containsIgnoreCase(q.filter()));
        if (q.packageId() != null) c = c.and(PACKAGE.PACKAGE_ID.eq(q.packageId()));
        return c;
    }

    private static PackageInfo toInfo(PackageRecord r) {
        return new PackageInfo(r.getSpaceId(), r.getId(), r.getPackageId(), r.getVersion(), r.getFileExtension(),
                r.getSizeBytes(), r.getHash(), r.getPublished());
    }

    private static List<Path> children(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) digest.update(buffer, 0, n);
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
