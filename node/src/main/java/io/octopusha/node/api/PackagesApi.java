package io.octopusha.node.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.octopusha.node.InvalidInputException;
import io.octopusha.node.audit.AuditLog;
import io.octopusha.node.auth.Role;
import io.octopusha.node.storage.PackageStore;
import io.octopusha.node.storage.PackageStore.OverwriteMode;
import io.octopusha.node.storage.PackageStore.PackageInfo;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * The built-in package repository: {@code POST /api/{spaceId}/packages/raw} streams an upload to the shared
 * directory; list, get, download and delete. {@code /api/packages/...} is the Default space.
 */
public final class PackagesApi implements ApiRoutes {
    private final PackageStore packages;
    private final SpacesApi spaces;
    private final AuditLog audit;

    public PackagesApi(PackageStore packages, SpacesApi spaces, AuditLog audit) {
        this.packages = packages;
        this.spaces = spaces;
        this.audit = audit;
    }

    record PackageResource(String id, String spaceId, String packageId, String version, String fileExtension,
                           long packageSizeBytes, String hash, OffsetDateTime published, Map<String, String> links) {
        static PackageResource of(PackageInfo p) {
            String self = "/api/" + p.spaceId() + "/packages/" + p.id();
            return new PackageResource(p.id(), p.spaceId(), p.packageId(), p.version(), p.fileExtension(),
                    p.sizeBytes(), p.hash(), p.published(), Map.of("Self", self, "Raw", self + "/raw"));
        }
    }

    @Override
    public void register(RoutesConfig routes) {
        for (String base : new String[]{"/api/{spaceId}/packages", "/api/packages"}) {
            routes.post(base + "/raw", this::upload, Role.Administrator);
            routes.get(base, this::list, Role.Viewer);
            routes.get(base + "/{id}", ctx -> ctx.json(PackageResource.of(find(ctx))), Role.Viewer);
            routes.get(base + "/{id}/raw", ctx -> {
                PackageInfo pkg = find(ctx);
                Downloads.send(ctx, packages.file(pkg), pkg.fileName(), "application/octet-stream");
            }, Role.Viewer);
            routes.delete(base + "/{id}", ctx -> {
                String spaceId = space(ctx);
                String id = ctx.pathParam("id");
                if (!packages.delete(spaceId, id)) throw ApiException.notFound(id);
                audit.record(AccessControl.actor(ctx), AuditLog.Category.Deleted, "Deleted package " + id + " from "
                        + spaceId, List.of(id, spaceId));
                ctx.status(204);
            }, Role.Administrator);
        }
    }

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
        String filter = ctx.queryParam("filter");
        ctx.json(paging.collection("Package", packages.list(spaceId, filter, paging.skip(), paging.take()).stream()
                .map(PackageResource::of).toList(), packages.count(spaceId, filter), ctx.path()));
    }

    private PackageInfo find(Context ctx) {
        String id = ctx.pathParam("id");
        return packages.find(space(ctx), id).orElseThrow(() -> ApiException.notFound(id));
    }

    private String space(Context ctx) {
        String spaceId = ctx.pathParamMap().getOrDefault("spaceId", "Spaces-1");
        if (!spaces.exists(spaceId)) throw ApiException.notFound(spaceId);
        return spaceId;
    }
}
