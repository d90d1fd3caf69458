package io.octopusha.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log is read while the API server writes it: a cut line at either end must not break the read. */
class ApiAuditLogTest {
    private static final String OPERATOR = "system:serviceaccount:ops:octopus-operator";

    private static String event(String user, String verb, String uri) {
        return "{\"user\":{\"username\":\"%s\"},\"verb\":\"%s\",\"requestURI\":\"%s\"}\n".formatted(user, verb, uri);
    }

    @Test
    void readsWholeLinesAfterTheOffsetAndLeavesALineStillBeingWritten(@TempDir Path dir) throws IOException {
        String first = event(OPERATOR, "patch", "/first");
        String second = event("admin", "create", "/second");
        String third = event(OPERATOR, "update", "/third");
        String unfinished = event(OPERATOR, "delete", "/fourth");
        Path log = dir.resolve("audit.log");
        Files.writeString(log, first + second + third + unfinished.substring(0, unfinished.length() / 2));

        assertThat(ApiAuditLog.writesBy(log, 0, OPERATOR)).containsExactly("patch /first", "update /third");
        assertThat(ApiAuditLog.writesBy(log, first.length(), OPERATOR)).containsExactly("update /third");
        assertThat(ApiAuditLog.writesBy(log, first.length() / 2, OPERATOR))
                .as("the line the offset cuts began before it").containsExactly("update /third");
        assertThat(ApiAuditLog.writesBy(log, Files.size(log) - 3, OPERATOR)).isEmpty();
    }
}
