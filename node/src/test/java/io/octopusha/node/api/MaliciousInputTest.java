package io.octopusha.node.api;

import io.octopusha.node.OctopusNode;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.TestCluster;
import io.octopusha.node.testing.Uploads;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Requests no ordinary client would send, written byte by byte to a raw socket. */
class MaliciousInputTest {
    private static TestCluster cluster;
    private static OctopusNode node;
    private static Api api;

    @BeforeAll
    static void start() {
        cluster = new TestCluster();
        node = cluster.start("target", java.util.Map.of("OCTOPUS_TASK_CAP", "0"));
        api = cluster.api(node);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), node.port());
        socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
        return socket;
    }

    private static String send(Socket socket, String request) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        int n = in.read(buffer);
        return n < 0 ? "" : new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
    }

    @Test
    void aTenGigabyteContentLengthWithAShortBodyIsRefusedAtOnce() throws Exception {
        try (Socket socket = connect()) {
            long started = System.nanoTime();
            String response = send(socket, "POST /api/tasks HTTP/1.1\r\nHost: x\r\nX-Octopus-ApiKey: " + TestCluster.ADMIN_KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n{\"Name\":\"Delay\"}");
            assertThat(response).startsWith("HTTP/1.1 413");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        }
        assertThat(api.get("/api/tasks").json().get("TotalResults").asInt()).isZero();
    }

    @Test
    void aTenGigabytePackageUploadThatStopsEarlyLeavesNothing() throws Exception {
        Path tmp = cluster.root().resolve("shared/tmp");
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/Spaces-1/packages/raw HTTP/1.1\r\nHost: x\r\nX-Octopus-ApiKey: " + TestCluster.ADMIN_KEY
                    + "\r\nContent-Type: multipart/form-data; boundary=" + Uploads.BOUNDARY
                    + "\r\nContent-Length: 10737418240\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(Uploads.head("file", "Huge.1.0.0.zip"));
            out.write(new byte[4096]);
            out.flush();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (var files = Files.list(tmp)) {
                return files.noneMatch(p -> p.getFileName().toString().startsWith("upload-"));
            }
        });
        assertThat(api.get("/api/Spaces-1/packages/packages-Huge.1.0.0").status()).isEqualTo(404);
    }

    /** Answers given without reading the body (unknown task, missing key, too large) must reach a client mid-send. */
    @Test
    void aBodyTheRouteNeverReadsStillGetsItsAnswer() {
        String body = "{\"Reason\":\"" + "x".repeat(600_000) + "\"}";
        String tooLarge = "{\"Name\":\"Delay\",\"Description\":\"" + "x".repeat(3_000_000) + "\"}";
        for (int i = 0; i < 10; i++) {
            assertThat(api.post("/api/tasks/ServerTasks-999999/cancel", body).status()).as("try " + i).isEqualTo(404);
            assertThat(api.withKey(null).post("/api/tasks", body).status()).as("try " + i).isEqualTo(401);
            assertThat(api.post("/api/tasks", tooLarge).status()).as("try " + i).isEqualTo(413);
        }
    }

    @Test
    void encodedLineBreaksInThePathCannotInjectResponseHeaders() throws Exception {
        try (Socket socket = connect()) {
            String response = send(socket, "GET /api/tasks/ServerTasks-1%0d%0aX-Injected:%20yes/raw HTTP/1.1\r\nHost: x\r\n"
                    + "X-Octopus-ApiKey: " + TestCluster.ADMIN_KEY + "\r\nConnection: close\r\n\r\n");
            String headers = response.substring(0, Math.max(0, response.indexOf("\r\n\r\n")));
            assertThat(headers).startsWith("HTTP/1.1 4").doesNotContainIgnoringCase("X-Injected");
        }
        try (Socket socket = connect()) {
            String response = send(socket, "GET /api HTTP/1.1\r\nHost: x\r\nX-Octopus-ApiKey: API-A\rX-Injected: yes\r\n\r\n");
            assertThat(response).startsWith("HTTP/1.1 400");
        }
    }

    @Test
    void aPathJettyRefusesIsAnsweredAsAnApiErrorAndTheConnectionIsClosedSayingSo() throws Exception {
        try (Socket socket = connect()) {
            String response = send(socket, "DELETE /api/apikeys/%00 HTTP/1.1\r\nHost: x\r\nX-Octopus-ApiKey: "
                    + TestCluster.ADMIN_KEY + "\r\n\r\n");
            int end = response.indexOf("\r\n\r\n");
            String headers = response.substring(0, end).toLowerCase(java.util.Locale.ROOT);
            assertThat(headers).startsWith("http/1.1 400").contains("connection: close", "content-type: application/json",
                    "x-octopus-node: target");
            assertThat(Json.mapper().readTree(response.substring(end + 4)).get("ErrorMessage").asText())
                    .startsWith("The request could not be read");
        }
        // A client that keeps connections alive is told not to reuse this one, so its next request is answered.
        assertThat(api.delete("/api/apikeys/%00").status()).isEqualTo(400);
        assertThat(api.delete("/api/apikeys/%00").status()).isEqualTo(400);
    }

    @Test
    void traversalInIdsFindsNothing() {
        for (String path : List.of("/api/tasks/..%2F..%2F..%2Fetc%2Fpasswd/raw", "/api/artifacts/..%2F..%2Fetc%2Fpasswd/content",
                "/api/Spaces-1/packages/..%2F..%2Fetc%2Fpasswd/raw", "/api/tasks/ServerTasks-1%2F..%2F..%2Fx/raw")) {
            Api.Response response = api.get(path);
            assertThat(response.status()).as(path).isIn(400, 404);
            assertThat(response.body()).as(path).doesNotContain("root:");
        }
    }

    @Test
    void manySlowClientsHoldingHalfSentRequestsDoNotStopOthersBeingServed() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket s = connect();
                s.getOutputStream().write("GET /api HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                slow.add(s);
            }
            for (int i = 0; i < 20; i++) assertThat(api.get("/api/octopusservernodes/ping").status()).isEqualTo(200);
        } finally {
            for (Socket s : slow) s.close();
        }
    }

    /**
     * The settings reach the connector that serves: set on the server's connectors in modifyServer, they found none
     * (Javalin adds its own later) and the node read bodies 8 KiB at a time; the idle timeout only matched because
     * Jetty's default is also 30 s, which the slow test below cannot tell apart.
     */
    @Test
    void theServingConnectorHasTheIdleTimeoutAndReadBufferTheNodeSets() {
        var connectors = node.api().javalin().jettyServer().server().getConnectors();
        assertThat(connectors).hasSize(1);
        var connector = (ServerConnector) connectors[0];
        assertThat(connector.getLocalPort()).isEqualTo(node.api().port());
        assertThat(connector.getIdleTimeout()).isEqualTo(ApiServer.IDLE_TIMEOUT.toMillis());
        assertThat(connector.getConnectionFactory(HttpConnectionFactory.class).getInputBufferSize())
                .isEqualTo(ApiServer.REQUEST_READ_BUFFER);
    }

    @Test
    @Tag("slow")
    void aSlowClientIsDisconnectedAfterTheIdleTimeout() throws Exception {
        try (Socket socket = connect()) {
            socket.setSoTimeout((int) ApiServer.IDLE_TIMEOUT.plusSeconds(15).toMillis());
            socket.getOutputStream().write("GET /api HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            long started = System.nanoTime();
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // drain whatever the server says before it closes
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(ApiServer.IDLE_TIMEOUT.plusSeconds(10));
        }
    }
}
