package io.octopusha.node.storage;

import com.fasterxml.jackson.databind.JsonNode;
import io.octopusha.node.OctopusNode;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.SystemTool;
import io.octopusha.node.testing.TestCluster;
import io.octopusha.node.testing.Tasks;
import io.octopusha.node.testing.Uploads;
import io.octopusha.node.queue.TaskQueue;
import io.octopusha.node.queue.TaskRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Artifacts and package indexing across nodes, and what a node does when the shared directory stops working. */
class ArtifactsAndStorageTest {
    private static TestCluster cluster;
    private static OctopusNode worker;
    private static Api viaWorker, viaOther;

    @BeforeAll
    static void start() {
        cluster = new TestCluster();
        worker = cluster.start("art-worker");
        viaWorker = cluster.api(worker);
        viaOther = cluster.api(cluster.start("art-other", Map.of("OCTOPUS_TASK_CAP", "0")));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void filesAScriptLeavesInItsArtifactsDirectoryAreListedAndDownloadableFromAnotherNode() throws Exception {
        String id = Tasks.script(viaOther, "printf 'hello artifact' > \"$OCTOPUS_ARTIFACTS_DIR/report.txt\"; "
                + "head -c 1048576 /dev/zero > \"$OCTOPUS_ARTIFACTS_DIR/zeros.bin\"; "
                + "printf x > \"$OCTOPUS_ARTIFACTS_DIR/.hidden\"");
        assertThat(Tasks.awaitCompleted(viaOther, id, Duration.ofSeconds(10)).get("State").asText()).isEqualTo("Success");

        JsonNode artifacts = viaOther.get("/api/artifacts?regarding=" + id).json();
        assertThat(artifacts.get("TotalResults").asInt()).isEqualTo(2);
        assertThat(artifacts.get("Items")).extracting(x -> x.get("Filename").asText()).containsExactlyInAnyOrder("report.txt", "zeros.bin");
        for (JsonNode artifact : artifacts.get("Items")) {
            assertThat(artifact.get("ServerTaskId").asText()).isEqualTo(id);
            String[] download = Uploads.download(viaOther.baseUrl(), artifact.get("Links").get("Content").asText());
            byte[] expected = artifact.get("Filename").asText().equals("report.txt")
                    ? "hello artifact".getBytes(StandardCharsets.UTF_8) : new byte[1048576];
            assertThat(download[0]).isEqualTo("200");
            assertThat(download[1]).isEqualTo(Uploads.sha256Of(new ByteArrayInputStream(expected)));
            assertThat(download[2]).isEqualTo(Integer.toString(expected.length));
        }
        assertThat(viaOther.get("/api/tasks/" + id + "/raw").body()).contains("Artifact report.txt attached")
                .contains("'.hidden' skipped");
        assertThat(viaOther.get("/api/artifacts?regarding=nonsense").status()).isEqualTo(400);
        assertThat(viaOther.get("/api/artifacts/Artifacts-99999/content").status()).isEqualTo(404);
    }

    @Test
    void linksAndFifosAScriptLeavesInItsArtifactsDirectoryAreSkippedWithAWarning() throws Exception {
        // A file only the node's own user may read: a link to it must not make it readable to every Viewer.
        Path secret = Files.writeString(cluster.root().resolve("node-only-secret.txt"), "not for viewers");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        String id = Tasks.script(viaOther, String.join("\n",
                "cd \"$OCTOPUS_ARTIFACTS_DIR\"",
                "ln -s '" + secret + "' symlink.txt",
                "echo mine > ../elsewhere.txt && ln ../elsewhere.txt hardlink.txt",
                "mkfifo fifo",
                "echo fine > plain.txt",
                "ls -l"));
        assertThat(Tasks.awaitCompleted(viaOther, id, Duration.ofSeconds(10)).get("State").asText()).isEqualTo("Success");

        JsonNode artifacts = viaOther.get("/api/artifacts?regarding=" + id).json();
        assertThat(artifacts.get("Items")).extracting(x -> x.get("Filename").asText()).containsExactly("plain.txt");
        String log = viaOther.get("/api/tasks/" + id + "/raw").body();
        assertThat(log).contains("symlink.txt ->", "hardlink.txt", "fifo")
                .containsPattern("Warning Artifact 'symlink.txt' skipped: .*symbolic link")
                .containsPattern("Warning Artifact 'hardlink.txt' skipped: .*hard link")
                .containsPattern("Warning Artifact 'fifo' skipped: .*not a regular file")
                .doesNotContain("not for viewers");
    }

    @Test
    void aDeviceInTheArtifactsDirectoryIsSkippedWithAWarning() throws Exception {
        // Scripts cannot make devices (they do not run as root), so the folder is laid out here, as root.
        SystemTool.requireRoot("ArtifactsAndStorageTest.aDeviceInTheArtifactsDirectoryIsSkippedWithAWarning", "mknod");
        Path dir = Files.createDirectories(cluster.root().resolve("device-artifacts"));
        assertThat(new ProcessBuilder("mknod", dir.resolve("null").toString(), "c", "1", "3").inheritIO().start().waitFor()).isZero();
        Files.writeString(dir.resolve("plain.txt"), "fine");
        String id = Tasks.delay(viaOther, 0);
        Tasks.awaitCompleted(viaOther, id, Duration.ofSeconds(10));
        TaskRecord task = new TaskQueue(cluster.dsl()).find(TaskRecord.numberOf(id)).orElseThrow();
        Path logFile = cluster.root().resolve("device-artifacts.log");
        List<String> attached;
        try (TaskLog log = new TaskLog(logFile)) {
            attached = new ArtifactStore(cluster.dsl(), new SharedStorage(cluster.root().resolve("shared"))).collect(task, dir, log);
        }
        assertThat(attached).containsExactly("plain.txt");
        assertThat(Files.readString(logFile)).containsPattern("Warning Artifact 'null' skipped: .*not a regular file");
    }

    @Test
    void synchronizingTheIndexPicksUpFilesAndDropsRowsWithoutFiles() throws Exception {
        Path dir = cluster.root().resolve("shared/packages/Spaces-1");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("Dropped.In.3.2.1.zip"), "copied by hand");
        assertThat(Uploads.upload(viaWorker.baseUrl(), "/api/Spaces-1/packages/raw", "file", "Vanishing.1.0.0.zip",
                new Uploads.Content(10, 1)).status()).isEqualTo(201);
        Files.delete(dir.resolve("Vanishing.1.0.0.zip"));

        JsonNode integrity = Tasks.awaitCompleted(viaOther, Tasks.create(viaOther, "SystemIntegrityCheck", "{}"), Duration.ofSeconds(10));
        assertThat(integrity.get("State").asText()).isEqualTo("Failed");
        assertThat(integrity.get("ErrorMessage").asText()).contains("Vanishing.1.0.0.zip has no file")
                .contains("Dropped.In.3.2.1.zip is not in the package index");

        String sync = Tasks.create(viaOther, "SynchronizeBuiltInPackageRepositoryIndex", "{}");
        assertThat(Tasks.awaitCompleted(viaOther, sync, Duration.ofSeconds(10)).get("State").asText()).isEqualTo("Success");
        JsonNode dropped = viaOther.get("/api/Spaces-1/packages/packages-Dropped.In.3.2.1").json();
        assertThat(dropped.get("PackageSizeBytes").asLong()).isEqualTo("copied by hand".length());
        assertThat(dropped.get("Hash").asText()).isEqualTo(Uploads.sha256Of(new ByteArrayInputStream("copied by hand".getBytes(StandardCharsets.UTF_8))));
        assertThat(viaOther.get("/api/Spaces-1/packages/packages-Vanishing.1.0.0").status()).isEqualTo(404);
        assertThat(Tasks.awaitCompleted(viaOther, Tasks.create(viaOther, "SystemIntegrityCheck", "{}"), Duration.ofSeconds(10))
                .get("State").asText()).isEqualTo("Success");
    }

    @Test
    void aNodeWhoseSharedDirectoryIsNotWritableAnswers503AndStartsNoTasksUntilItIsBack() throws Exception {
        // Root ignores permissions, so break the directory the way a lost mount does: tmp/ is no longer a directory.
        Path tmp = cluster.root().resolve("shared/tmp");
        Path aside = cluster.root().resolve("shared/tmp-aside");
        Files.move(tmp, aside);
        Files.writeString(tmp, "not a directory");
        String held;
        try {
            await().atMost(Duration.ofSeconds(2)).until(() -> viaWorker.get("/api/octopusservernodes/ping").status() == 503);
            assertThat(viaWorker.get("/api/health/live").status()).isEqualTo(200);
            held = Tasks.delay(viaOther, 1);
            assertThat(Tasks.state(viaOther, held)).isEqualTo("Queued");
            assertThat(new SharedStorage(cluster.root().resolve("other-shared")).checkWritable()).isNull();
        } finally {
            Files.delete(tmp);
            Files.move(aside, tmp);
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> viaWorker.get("/api/octopusservernodes/ping").status() == 200);
        assertThat(Tasks.awaitCompleted(viaOther, held, Duration.ofSeconds(5)).get("State").asText()).isEqualTo("Success");
    }
}
