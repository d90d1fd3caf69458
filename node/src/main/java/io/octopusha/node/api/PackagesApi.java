package io.octopusha.node.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.octopusha.node.audit.AuditLog;
import io.octopusha.node.auth.Role;
import io.octopusha.node.input.InvalidInputException;
import io.octopusha.node.storage.PackageStore.OverwriteMode;
import io.octopusha.node.storage.PackageStore.PackageInfo;
import io.octopusha.node.storage.PackageStore;
import io.octopusha.node.storage.SpaceStore;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in package repository: {@code POST /api/{spaceId}/packages/raw} streams an upload to the shared
 * directory; list (Octopus's nuGetPackageId, filter, latest), get, download, delete one, delete in bulk, release notes.
 * {@code /api/packages/...} is the Default space.
 */
public final class PackagesApi implements ApiRoutes {
    public static final String TEMPLATE = "/api/{spaceId}/packages{/id}{?nuGetPackageId,filter,latest,skip,take,includeNotes}";
    static final String ID_PREFIX = "packages-";
    private static final int MAX_BULK = 1_000;

    private final PackageStore packages;
    private final SpaceStore spaces;
    private final AuditLog audit;

    public PackagesApi(PackageStore packages, SpaceStore spaces, AuditLog audit) {
        this.packages = packages;
        this.spaces = spaces;
        this.audit = audit;
    }

    record PackageResource(String id, String spaceId, String packageId, String nuGetPackageId, String feedId,
                           String nuGetFeedId, String title, String version, String fileExtension,
                           long packageSizeBytes, String hash, OffsetDateTime published, String releaseNotes,
                           Map<String, String> links) {
        static PackageResource of(PackageInfo p) {
            String self = "/api/" + p.spaceId() + "/packages/" + p.id();
            return new PackageResource(p.id(), p.spaceId(), p.packageId(), p.packageId(), FeedsApi.BUILT_IN, FeedsApi.BUILT_IN,
                    p.packageId(), p.version(), p.fileExtension(), p.sizeBytes(), p.hash(), p.published(), null,
                    Map.of("Self", self, "Raw", self + "/raw"));
        }
    }

    record Notes(boolean succeeded, String value, String failureReason) {
    }

    record PackageNotes(String packageId, String feedId, Notes notes) {
    }

    record PackageNotesList(List<PackageNotes> packages) {
    }

    @Override
    public void register(RoutesConfig routes) {
        for (String base : new String[]{"/api/{spaceId}/packages", "/api/packages"}) {
            // Fixed paths before {id}, which Javalin would match first otherwise.
            routes.post(base + "/raw", this::upload, Role.Administrator);
            routes.delete(base + "/bulk", this::deleteBulk, Role.Administrator);
            routes.get(base + "/notes", this::notes, Role.Viewer);
            routes.get(base, this::list, Role.Viewer);
            routes.get(base + "/{id}", ctx -> ctx.json(PackageResource.of(find(ctx))), Role.Viewer);
            routes.get(base + "/{id}/raw", ctx -> {
                PackageInfo pkg = find(ctx);
                Downloads.send(ctx, packages.file(pkg), pkg.fileName(), "application/octet-stream");
            }, Role.Viewer);
            routes.delete(base + "/{id}", ctx -> {
                String spaceId = space(ctx);
                PackageInfo pkg = find(ctx);
                if (!packages.delete(spaceId, pkg.id())) throw ApiException.notFound(pkg.id());
                audit.record(AccessControl.actor(ctx), AuditLog.Category.Deleted, "Deleted package " + pkg.id() + " from "
                        + spaceId, List.of(pkg.id(), spaceId));
                ctx.status(204);
            }, Role.Administrator);
        }
    }

    /** The upload takes the one file part of the multipart body whatever its field name (file, fileToUpload, fileData). */
    private void upload(Context ctx) throws IOException {
        String spaceId = space(ctx);
        OverwriteMode mode = overwriteMode(ctx);
        PackageStore.UploadResult result = packages.upload(spaceId, ctx.req().getInputStream(), ctx.contentType(), mode);
        if (result.stored()) {
            PackageInfo p = result.pkg();
            audit.record(AccessControl.actor(ctx), AuditLog.Category.Created, "Uploaded package " + p.fileName() + " ("
                    + p.sizeBytes() + " bytes, SHA-256 " + p.hash() + ") to " + spaceId + " (" + mode + ")", List.of(p.id(), spaceId));
        }
        ctx.status(result.stored() ? 201 : 200).json(PackageResource.of(result.pkg()));
    }

    /** overwriteMode wins over the legacy replace flag; the default is FailIfExists. */
    private static OverwriteMode overwriteMode(Context ctx) {
        String mode = ctx.queryParam("overwriteMode");
        if (mode != null && !mode.isEmpty()) {
            for (OverwriteMode m : OverwriteMode.values()) if (m.name().equalsIgnoreCase(mode)) return m;
            throw new InvalidInputException("overwriteMode must be FailIfExists, OverwriteExisting or IgnoreIfExists.");
        }
        String replace = ctx.queryParam("replace");
        if (replace == null || replace.isEmpty() || replace.equalsIgnoreCase("false")) return OverwriteMode.FailIfExists;
        if (replace.equalsIgnoreCase("true")) return OverwriteMode.OverwriteExisting;
        throw new InvalidInputException("replace must be true or false.");
    }

    private void list(Context ctx) {
        String spaceId = space(ctx);
        Paging paging = Paging.from(ctx);
        QueryParams.bool(ctx, "includeNotes"); // accepted; packages here carry no release notes
        PackageStore.Query query = new PackageStore.Query(spaceId, QueryParams.text(ctx, "filter", 200),
                QueryParams.text(ctx, "nuGetPackageId", 200), QueryParams.flag(ctx, "latest"));
        ctx.json(paging.collection("Package", paging.take() == 0 ? List.of() : packages.list(query, paging.skip(), paging.take())
                .stream().map(PackageResource::of).toList(), packages.count(query), ctx));
    }

    /** {@code DELETE .../packages/bulk?ids=}: all of them or, if any is not there, none (404 naming those). */
    private void deleteBulk(Context ctx) {
        String spaceId = space(ctx);
        List<String> ids = IdList.from(ctx, "ids");
        if (ids == null || ids.isEmpty()) throw new InvalidInputException("ids is required: the package Ids to delete, comma-separated.");
        if (ids.size() > MAX_BULK) throw new InvalidInputException("ids may name at most " + MAX_BULK + " packages at once.");
        List<String> normalized = ids.stream().map(PackagesApi::packageId).toList();
        List<String> missing = packages.deleteAll(spaceId, normalized);
        if (!missing.isEmpty()) {
            throw new ApiException(404, "No package was deleted: " + String.join(", ", missing) + " not found in " + spaceId + ".", missing);
        }
        audit.record(AccessControl.actor(ctx), AuditLog.Category.Deleted, "Deleted packages " + String.join(", ", normalized)
                + " from " + spaceId, concat(normalized, spaceId));
        ctx.status(204);
    }

    /** {@code GET .../packages/notes?packageIds=}: each package's release notes (none are kept here: empty, found). */
    private void notes(Context ctx) {
        String spaceId = space(ctx);
        List<String> ids = IdList.from(ctx, "packageIds");
        if (ids == null) ids = List.of();
        if (ids.size() > MAX_BULK) throw new InvalidInputException("packageIds may name at most " + MAX_BULK + " packages at once.");
        List<PackageNotes> result = new ArrayList<>();
        for (String raw : ids) {
            String id = packageId(raw);
            Optional<PackageInfo> pkg = packages.find(spaceId, id);
            result.add(new PackageNotes(id, FeedsApi.BUILT_IN, pkg.isPresent() ? new Notes(true, null, null)
                    : new Notes(false, null, "There is no package " + id + " in " + spaceId + ".")));
        }
        ctx.json(new PackageNotesList(result));
    }

    private PackageInfo find(Context ctx) {
        String id = ctx.pathParam("id");
        return packages.find(space(ctx), packageId(id)).orElseThrow(() -> ApiException.notFound(id));
    }

    /** A package Id as stored ({@code packages-MyApp.1.2.3}); Octopus's client also asks for {@code MyApp.1.2.3}. */
    static String packageId(String id) {
        return id.startsWith(ID_PREFIX) ? id : ID_PREFIX + id;
    }

    private String space(Context ctx) {
        String spaceId = ctx.pathParamMap().getOrDefault("spaceId", "Spaces-1");
        if (!spaces.exists(spaceId)) throw ApiException.notFound(spaceId);
        return spaceId;
    }

    private static List<String> concat(List<String> ids, String also) {
        List<String> all = new ArrayList<>(ids);
        all.add(also);
        return all;
    }
}
