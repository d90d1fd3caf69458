package io.octopusha.node.storage;

import com.fasterxml.jackson.databind.JsonNode;
import io.octopusha.node.OctopusNode;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.TestCluster;
import io.octopusha.node.testing.Uploads;
import io.octopusha.node.testing.Uploads.Content;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Package uploads through the real API of two nodes sharing one directory and one database. */
class PackagesApiTest {
    private static final String RAW = "/api/Spaces-1/packages/raw";
    private static TestCluster cluster;
    private static String a, b;
    private static Api apiA, apiB;

    @BeforeAll
    static void start() {
        cluster = new TestCluster();
        OctopusNode nodeA = cluster.start("pkg-a");
        OctopusNode nodeB = cluster.start("pkg-b");
        a = "http://127.0.0.1:" + nodeA.port();
        b = "http://127.0.0.1:" + nodeB.port();
        apiA = cluster.api(nodeA);
        apiB = cluster.api(nodeB);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static Path tmp() {
        return cluster.root().resolve("shared/tmp");
    }

    private static List<Path> uploadsInTmp() throws Exception {
        try (var files = Files.list(tmp())) {
            return files.filter(p -> p.getFileName().toString().startsWith("upload-")).toList();
        }
    }

    @Test
    void aTenMebibyteUploadOnOneNodeDownloadsIdenticallyFromAnother() {
        Content content = new Content(10L * 1024 * 1024, 1);
        Api.Response created = Uploads.upload(a, RAW, "file", "Acme.Web.1.2.3.zip", content);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode pkg = created.json();
        assertThat(pkg.get("Id").asText()).isEqualTo("packages-Acme.Web.1.2.3");
        assertThat(pkg.get("PackageId").asText()).isEqualTo("Acme.Web");
        assertThat(pkg.get("Version").asText()).isEqualTo("1.2.3");
        assertThat(pkg.get("FileExtension").asText()).isEqualTo(".zip");
        assertThat(pkg.get("PackageSizeBytes").asLong()).isEqualTo(content.size());
        assertThat(pkg.get("Hash").asText()).isEqualTo(content.sha256());
        assertThat(pkg.get("Published").asText()).isNotBlank();

        String[] download = Uploads.download(b, "/api/Spaces-1/packages/packages-Acme.Web.1.2.3/raw");
        assertThat(download[0]).isEqualTo("200");
        assertThat(download[1]).isEqualTo(content.sha256());
        assertThat(download[2]).isEqualTo(Long.toString(content.size()));
        assertThat(download[3]).contains("attachment").contains("Acme.Web.1.2.3.zip");

        assertThat(apiB.get("/api/Spaces-1/packages/packages-Acme.Web.1.2.3").json().get("Hash").asText()).isEqualTo(content.sha256());
        assertThat(apiB.get("/api/packages/packages-Acme.Web.1.2.3").status()).isEqualTo(200);
    }

    @Test
    void overwriteModesAndTheLegacyReplaceFlag() {
        Content first = new Content(1000, 2), second = new Content(2000, 3), third = new Content(3000, 4);
        String name = "Modes.1.0.0.tgz";
        assertThat(Uploads.upload(a, RAW, "fileToUpload", name, first).status()).isEqualTo(201);

        Api.Response conflict = Uploads.upload(b, RAW, "file", name, second);
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.json().get("ErrorMessage").asText()).contains("already exists");
        assertThat(Uploads.upload(b, RAW + "?replace=false", "file", name, second).status()).isEqualTo(409);

        Api.Response ignored = Uploads.upload(b, RAW + "?overwriteMode=IgnoreIfExists", "file", name, second);
        assertThat(ignored.status()).isEqualTo(200);
        assertThat(ignored.json().get("Hash").asText()).isEqualTo(first.sha256());
        assertThat(Uploads.download(a, "/api/Spaces-1/packages/packages-Modes.1.0.0/raw")[1]).isEqualTo(first.sha256());

        Api.Response overwritten = Uploads.upload(b, RAW + "?overwriteMode=OverwriteExisting", "file", name, second);
        assertThat(overwritten.status()).isEqualTo(201);
        assertThat(Uploads.download(a, "/api/Spaces-1/packages/packages-Modes.1.0.0/raw")[1]).isEqualTo(second.sha256());

        assertThat(Uploads.upload(a, RAW + "?replace=true", "file", name, third).status()).isEqualTo(201);
        assertThat(Uploads.download(b, "/api/Spaces-1/packages/packages-Modes.1.0.0/raw")[1]).isEqualTo(third.sha256());
        assertThat(Uploads.upload(a, RAW + "?overwriteMode=Sometimes", "file", name, third).status()).isEqualTo(400);
    }

    @Test
    void concurrentUploadsOfOnePackageOnTwoNodesHaveExactlyOneWinner() {
        for (int round = 0; round < 5; round++) {
            String name = "Race." + round + ".0.0.zip";
            Content viaA = new Content(3L * 1024 * 1024, 100 + round), viaB = new Content(3L * 1024 * 1024, 200 + round);
            var first = CompletableFuture.supplyAsync(() -> Uploads.upload(a, RAW, "file", name, viaA));
            var second = CompletableFuture.supplyAsync(() -> Uploads.upload(b, RAW, "file", name, viaB));
            List<Api.Response> responses = List.of(first.join(), second.join());
            assertThat(responses).extracting(Api.Response::status).containsExactlyInAnyOrder(201, 409);
            String winnerHash = responses.stream().filter(r -> r.status() == 201).findFirst().orElseThrow().json().get("Hash").asText();
            assertThat(winnerHash).isIn(viaA.sha256(), viaB.sha256());
            assertThat(Uploads.download(a, "/api/Spaces-1/packages/packages-Race." + round + ".0.0/raw")[1]).isEqualTo(winnerHash);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape.1.0.0.zip", "sub/dir.1.0.0.zip", "back\\slash.1.0.0.zip", "Tricky..1.0.0.zip",
            "NoVersion.zip", "Bad.1.0.0.exe", "Ctrl\u0001.1.0.0.zip"})
    void invalidFileNamesAre400AndLeaveNothingBehind(String fileName) throws Exception {
        int before = apiA.get("/api/Spaces-1/packages?take=100000").json().get("TotalResults").asInt();
        Api.Response response = Uploads.upload(a, RAW, "file", fileName, new Content(100, 5));
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().get("ErrorMessage").asText()).isNotBlank();
        assertThat(apiA.get("/api/Spaces-1/packages?take=100000").json().get("TotalResults").asInt()).isEqualTo(before);
        assertThat(uploadsInTmp()).isEmpty();
        assertThat(cluster.root().resolve("escape.1.0.0.zip")).doesNotExist();
    }

    @Test
    void emptyFilesAndBodiesThatAreNotOneFilePartAre400() throws Exception {
        assertThat(Uploads.upload(a, RAW, "file", "Empty.1.0.0.zip", new Content(0, 1)).status()).isEqualTo(400);
        assertThat(apiA.post(RAW, "{\"not\":\"multipart\"}").status()).isEqualTo(400);
        assertThat(apiA.get("/api/Spaces-1/packages/packages-Empty.1.0.0").status()).isEqualTo(404);
        assertThat(Uploads.upload(a, "/api/Spaces-9/packages/raw", "file", "Space.1.0.0.zip", new Content(10, 1)).status())
                .isEqualTo(404);
        assertThat(uploadsInTmp()).isEmpty();
    }

    @Test
    void anUploadAbortedMidwayLeavesNoPackageAndNoTempFile() throws Exception {
        int port = Integer.parseInt(a.substring(a.lastIndexOf(':') + 1));
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + RAW + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Octopus-ApiKey: " + TestCluster.ADMIN_KEY
                    + "\r\nContent-Type: multipart/form-data; boundary=" + Uploads.BOUNDARY
                    + "\r\nContent-Length: 104857600\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(Uploads.head("file", "Aborted.1.0.0.zip"));
            try (var in = new Content(2L * 1024 * 1024, 9).open()) {
                in.transferTo(out);
            }
            out.flush();
            await().atMost(Duration.ofSeconds(5)).until(() -> !uploadsInTmp().isEmpty());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> uploadsInTmp().isEmpty());
        assertThat(apiA.get("/api/Spaces-1/packages/packages-Aborted.1.0.0").status()).isEqualTo(404);
        assertThat(cluster.root().resolve("shared/packages/Spaces-1/Aborted.1.0.0.zip")).doesNotExist();
    }

    @Test
    void packagesAreListedFilteredAndDeleted() {
        for (String v : List.of("1.0.0", "1.1.0", "2.0.0")) {
            assertThat(Uploads.upload(a, RAW, "file", "Listed." + v + ".nupkg", new Content(10, 7)).status()).isEqualTo(201);
        }
        JsonNode listed = apiB.get("/api/Spaces-1/packages?filter=listed&take=2").json();
        assertThat(listed.get("TotalResults").asInt()).isEqualTo(3);
        assertThat(listed.get("Items")).hasSize(2);
        assertThat(listed.get("ItemType").asText()).isEqualTo("Package");

        assertThat(apiB.delete("/api/Spaces-1/packages/packages-Listed.1.0.0").status()).isEqualTo(204);
        assertThat(apiA.get("/api/Spaces-1/packages/packages-Listed.1.0.0").status()).isEqualTo(404);
        assertThat(cluster.root().resolve("shared/packages/Spaces-1/Listed.1.0.0.nupkg")).doesNotExist();
        assertThat(apiA.delete("/api/Spaces-1/packages/packages-Listed.1.0.0").status()).isEqualTo(404);
        assertThat(apiA.withKey(null).get("/api/Spaces-1/packages").status()).isEqualTo(401);
    }

    @Test
    void filesReplacedOrDeletedAreLetGoAfterTheAnswer() throws Exception {
        Path dir = cluster.root().resolve("shared/packages/Spaces-1");
        String id = "/api/Spaces-1/packages/packages-Released.1.0.0";
        assertThat(Uploads.upload(a, RAW, "file", "Released.1.0.0.zip", new Content(1 << 20, 8)).status()).isEqualTo(201);
        Content tgz = new Content(1 << 20, 9);
        assertThat(Uploads.upload(b, RAW + "?overwriteMode=OverwriteExisting", "file", "Released.1.0.0.tgz", tgz).status()).isEqualTo(201);
        assertThat(dir.resolve("Released.1.0.0.zip")).doesNotExist();
        Content again = new Content(1 << 20, 10);
        assertThat(Uploads.upload(a, RAW + "?overwriteMode=OverwriteExisting", "file", "Released.1.0.0.tgz", again).status()).isEqualTo(201);
        assertThat(Uploads.download(b, id + "/raw")[1]).isEqualTo(again.sha256());
        assertThat(apiB.delete(id).status()).isEqualTo(204);
        assertThat(dir.resolve("Released.1.0.0.tgz")).doesNotExist();

        // Both nodes run in this JVM: none may keep a file it replaced or deleted open, or its space is never freed.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(SupersededFilesTest.deletedButOpen(dir)).isEmpty());
    }
}
