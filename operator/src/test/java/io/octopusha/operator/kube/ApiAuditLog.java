package io.octopusha.operator.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The API server's audit log (one JSON event per write request, see {@link ControlPlane}), read from an offset. */
final class ApiAuditLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiAuditLog() {
    }

    /**
     * Write requests of {@code user} logged after {@code offset} bytes, as "verb requestURI". The API server may be
     * writing a line as we read: only whole lines count (a line cut by {@code offset} began before it, one without
     * its newline is not finished).
     */
    static List<String> writesBy(Path log, long offset, String user) {
        List<String> writes = new ArrayList<>();
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            // Read from the byte before the offset: the text then starts with the newline that ends the line before.
            long from = Math.max(0, offset - 1);
            file.seek(from);
            byte[] rest = new byte[(int) (file.length() - from)];
            file.readFully(rest);
            String text = (offset == 0 ? "\n" : "") + new String(rest, StandardCharsets.UTF_8);
            int start = text.indexOf('\n') + 1;
            int end = text.lastIndexOf('\n');
            if (end < start) return writes;
            for (String line : text.substring(start, end).split("\n")) {
                if (line.isBlank()) continue;
                JsonNode event = JSON.readTree(line);
                if (user.equals(event.path("user").path("username").asText())) {
                    writes.add(event.path("verb").asText() + " " + event.path("requestURI").asText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return writes;
    }
}
