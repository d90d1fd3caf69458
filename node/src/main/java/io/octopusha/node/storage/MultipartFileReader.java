package io.octopusha.node.storage;

import io.octopusha.node.InvalidInputException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.io.Content;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Consumer;

/**
 * Streams the one file part of a multipart/form-data body into a file, hashing it on the way, with fixed
 * buffers (64 KiB to read, 1 MiB to write): memory use does not depend on the file's size. Other form fields
 * are ignored.
 */
public final class MultipartFileReader {
    private static final int BUFFER = 64 * 1024;
    /**
     * Parts arrive in chunks of any size; writing them as they come makes the file system zero and copy partial
     * blocks, which halved upload speed. Whole, aligned megabytes are written instead.
     */
    private static final int WRITE_BUFFER = 1024 * 1024;

    /** What was received: the part's file name, its size and SHA-256. */
    public record Received(String fileName, long size, String sha256) {
    }

    private MultipartFileReader() {
    }

    /**
     * Reads {@code body} to its end, writing the file part to {@code target}. {@code onFileName} sees the file
     * name as soon as the part's headers arrive and may refuse it by throwing, before any content is written.
     */
    public static Received read(InputStream body, String contentType, Path target, Consumer<String> onFileName) throws IOException {
        String boundary = contentType == null ? null : MultiPart.extractBoundary(contentType);
        if (boundary == null || boundary.isEmpty()) {
            throw new InvalidInputException("The upload must be multipart/form-data with one file part.");
        }
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
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
            listener.flush();
            listener.rethrow();
            if (!listener.complete) throw new InvalidInputException("The multipart body ended before its closing boundary.");
            if (listener.fileName == null) throw new InvalidInputException("The upload has no file part.");
            return new Received(listener.fileName, listener.size, HexFormat.of().formatHex(listener.digest.digest()));
        }
    }

    private static final class FilePartListener extends MultiPart.AbstractPartsListener {
        private final FileChannel out;
        private final ByteBuffer pending = ByteBuffer.allocateDirect(WRITE_BUFFER);
        private final Consumer<String> onFileName;
        private final MessageDigest digest;
        private String fileName;
        private boolean inFilePart;
        private boolean complete;
        private long size;
        private RuntimeException failure;

        FilePartListener(FileChannel out, Consumer<String> onFileName) {
            this.out = out;
            this.onFileName = onFileName;
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
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
                if (!inFilePart || failure != null) return;
                ByteBuffer data = chunk.getByteBuffer();
                digest.update(data.duplicate());
                size += data.remaining();
                while (data.hasRemaining()) {
                    int n = Math.min(data.remaining(), pending.remaining());
                    pending.put(pending.position(), data, data.position(), n);
                    pending.position(pending.position() + n);
                    data.position(data.position() + n);
                    if (!pending.hasRemaining()) writePending();
                }
            } catch (IOException e) {
                failure = new UncheckedIOException("the upload could not be written to the shared directory", e);
            }
        }

        void flush() {
            try {
                if (failure == null) writePending();
            } catch (IOException e) {
                failure = new UncheckedIOException("the upload could not be written to the shared directory", e);
            }
        }

        private void writePending() throws IOException {
            pending.flip();
            while (pending.hasRemaining()) out.write(pending);
            pending.clear();
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
