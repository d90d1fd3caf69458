package io.octopusha.node.storage;

import io.octopusha.node.input.InvalidInputException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.io.Content;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Streams the one file part of a multipart/form-data body into a file, hashed and written by an
 * {@link UploadWriter} with fixed buffers: memory use does not depend on the file's size. Other form fields are
 * ignored.
 */
public final class MultipartFileReader {
    private static final int BUFFER = 64 * 1024;

    /** What was received: the part's file name, its size and SHA-256. */
    public record Received(String fileName, long size, String sha256) {
    }

    private MultipartFileReader() {
    }

    /**
     * Reads {@code body} to its end, writing the file part to {@code target}, which must not exist, and returns
     * once the file is on disk. {@code onFileName} sees the file name as soon as the part's headers arrive and
     * may refuse it by throwing, before any content is written.
     */
    public static Received read(InputStream body, String contentType, Path target, Consumer<String> onFileName) throws IOException {
        return read(body, contentType, target, onFileName, true);
    }

    /** {@code directIfSupported} false: buffered writes even where direct ones would be taken. */
    static Received read(InputStream body, String contentType, Path target, Consumer<String> onFileName,
                         boolean directIfSupported) throws IOException {
        String boundary = contentType == null ? null : MultiPart.extractBoundary(contentType);
        if (boundary == null || boundary.isEmpty()) {
            throw new InvalidInputException("The upload must be multipart/form-data with one file part.");
        }
        try (UploadWriter out = UploadWriter.create(target, directIfSupported)) {
            FilePartListener listener = new FilePartListener(out, onFileName);
            MultiPart.Parser parser = new MultiPart.Parser(boundary, listener);
            parser.setMaxParts(100);
            byte[] buffer = new byte[BUFFER];
            int n;
            while ((n = body.read(buffer)) >= 0) {
                if (n > 0) parser.parse(Content.Chunk.from(ByteBuffer.wrap(buffer, 0, n), false));
                listener.rethrow();
            }
            parser.parse(Content.Chunk.EOF);
            listener.rethrow();
            if (!listener.complete) throw new InvalidInputException("The multipart body ended before its closing boundary.");
            if (listener.fileName == null) throw new InvalidInputException("The upload has no file part.");
            return new Received(listener.fileName, out.size(), finish(out));
        }
    }

    private static String finish(UploadWriter out) {
        try {
            return out.finish();
        } catch (IOException e) {
            throw writeFailed(e);
        }
    }

    private static UncheckedIOException writeFailed(IOException e) {
        return new UncheckedIOException("the upload could not be written to the shared directory", e);
    }

    private static final class FilePartListener extends MultiPart.AbstractPartsListener {
        private final UploadWriter out;
        private final Consumer<String> onFileName;
        private String fileName;
        private boolean inFilePart;
        private boolean complete;
        private RuntimeException failure;

        FilePartListener(UploadWriter out, Consumer<String> onFileName) {
            this.out = out;
            this.onFileName = onFileName;
        }

        @Override
        public void onPartHeaders() {
            if (failure != null || getFileName() == null) return;
            if (fileName != null) {
                failure = new InvalidInputException("The upload has more than one file part; send one package at a time.");
                return;
            }
            try {
                onFileName.accept(getFileName());
                fileName = getFileName();
                inFilePart = true;
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        @Override
        public void onPartContent(Content.Chunk chunk) {
            try {
                if (inFilePart && failure == null) out.write(chunk.getByteBuffer());
            } catch (IOException e) {
                failure = writeFailed(e);
            }
        }

        @Override
        public void onPart(String name, String fileName, HttpFields headers) {
            inFilePart = false;
        }

        @Override
        public void onComplete() {
            complete = true;
        }

        @Override
        public void onFailure(Throwable cause) {
            if (failure == null) failure = new InvalidInputException("The multipart body is malformed: " + cause.getMessage());
        }

        void rethrow() {
            if (failure != null) throw failure;
        }
    }
}
