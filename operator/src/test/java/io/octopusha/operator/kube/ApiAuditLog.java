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

    /** Write requests of {@code user} logged after {@code offset} bytes, as "verb requestURI". */
    static List<String> writesBy(Path log, long offset, String user) {
        List<String> writes = new ArrayList<>();
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            file.seek(offset);
            byte[] rest = new byte[(int) (file.length() - offset)];
            file.readFully(rest);
            for (String line : new String(rest, StandardCharsets.UTF_8).split("\n")) {
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
