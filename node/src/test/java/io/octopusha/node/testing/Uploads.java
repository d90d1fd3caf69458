package io.octopusha.node.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * Package uploads as clients send them: multipart/form-data with one file part, streamed from generated
 * content so that neither side needs the file in memory.
 */
public final class Uploads {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    public static final String BOUNDARY = "----octopus-test-boundary-7d1f";

    private Uploads() {
    }

    /** Deterministic bytes of a given size from a seed, and their SHA-256. */
    public record Content(long size, long seed) {
        public InputStream open() {
            return new InputStream() {
                private final Random random = new Random(seed);
                private final byte[] block = new byte[8192];
                private long left = size;
                private int pos = block.length;

                @Override
                public int read() {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    if (left == 0) return -1;
                    if (pos == block.length) {
                        random.nextBytes(block);
                        pos = 0;
                    }
                    int n = (int) Math.min(Math.min(len, block.length - pos), left);
                    System.arraycopy(block, pos, b, off, n);
                    pos += n;
                    left -= n;
                    return n;
                }
            };
        }

        public String sha256() {
            try (InputStream in = open()) {
                return sha256Of(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public static String sha256Of(InputStream in) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) digest.update(buffer, 0, n);
            return HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] head(String fieldName, String fileName) {
        return ("--" + BOUNDARY + "\r\n"
                + "Content-Disposition: form-data; name=\"" + fieldName + "\"; filename=\"" + fileName + "\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] tail() {
        return ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8);
    }

    public static Api.Response upload(String baseUrl, String path, String fieldName, String fileName, Content content) {
        long length = head(fieldName, fileName).length + content.size() + tail().length;
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofMinutes(30))
                .header("X-Octopus-ApiKey", TestCluster.ADMIN_KEY)
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() ->
                        new SequenceInputStream(java.util.Collections.enumeration(List.of(
                                new ByteArrayInputStream(head(fieldName, fileName)), content.open(),
                                new ByteArrayInputStream(tail()))))), length))
                .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Api.Response(response.statusCode(), response.body(), response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Downloads to nowhere, returning the size and SHA-256 of what arrived. */
    public static String[] download(String baseUrl, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofMinutes(30))
                .header("X-Octopus-ApiKey", TestCluster.ADMIN_KEY).build();
        try {
            HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                return new String[]{Integer.toString(response.statusCode()), sha256Of(in),
                        response.headers().firstValue("Content-Length").orElse(""),
                        response.headers().firstValue("Content-Disposition").orElse("")};
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
