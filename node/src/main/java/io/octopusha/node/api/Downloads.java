package io.octopusha.node.api;

import io.javalin.http.Context;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Streams a file from the shared directory as an attachment, with its exact Content-Length and no compression. */
final class Downloads {
    private Downloads() {
    }

    static void send(Context ctx, Path file, String fileName, String contentType) {
        if (!Files.isRegularFile(file)) {
            throw new ApiException(404, "The file of " + fileName + " is missing from the shared directory.", java.util.List.of());
        }
        try {
            ctx.res().setContentType(contentType);
            ctx.res().setContentLengthLong(Files.size(file));
            ctx.res().setHeader("Content-Disposition", "attachment; filename=\"" + fileName.replace("\"", "") + "\"");
            // Straight to the servlet stream: Javalin's result pipeline would buffer or compress a gigabyte.
            try (OutputStream out = ctx.res().getOutputStream()) {
                Files.copy(file, out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
