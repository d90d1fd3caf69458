package io.octopusha.node.storage;

import io.octopusha.node.OctopusNode;
import io.octopusha.node.local.NodeProcess;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.Ports;
import io.octopusha.node.testing.TestCluster;
import io.octopusha.node.testing.Uploads;
import io.octopusha.node.testing.Uploads.Content;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Uploads several times larger than the receiving node's whole heap: they can only succeed if the body is
 * streamed to disk. The 2 GiB case is tagged slow and runs with {@code make test-slow}.
 */
class LargeUploadTest {
    private TestCluster cluster;
    private OctopusNode reader;

    @BeforeEach
    void start() {
        cluster = new TestCluster();
        reader = cluster.start("reader");
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private void uploadThroughASmallHeap(long size, String heap) {
        try (NodeProcess small = NodeProcess.start("small-heap", Ports.free(), cluster.environment("small-heap", java.util.Map.of()),
                cluster.root().resolve("logs/small-heap.log"), List.of("-Xmx" + heap)).awaitReady(Duration.ofSeconds(60))) {
            Content content = new Content(size, 42);
            Api.Response created = Uploads.upload(small.baseUrl(), "/api/Spaces-1/packages/raw", "file", "Big.1.0.0.zip", content);
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            assertThat(created.json().get("PackageSizeBytes").asLong()).isEqualTo(size);
            assertThat(small.isAlive()).isTrue();
            String[] download = Uploads.download("http://127.0.0.1:" + reader.port(), "/api/Spaces-1/packages/packages-Big.1.0.0/raw");
            assertThat(download[1]).isEqualTo(content.sha256()).isEqualTo(created.json().get("Hash").asText());
            assertThat(download[2]).isEqualTo(Long.toString(size));
        }
    }

    @Test
    void a256MebibyteUploadPassesThroughANodeWithA64MebibyteHeap() {
        uploadThroughASmallHeap(256L * 1024 * 1024, "64m");
    }

    @Test
    @Tag("slow")
    void a2GibibyteUploadPassesThroughANodeWithA128MebibyteHeap() {
        uploadThroughASmallHeap(2L * 1024 * 1024 * 1024, "128m");
    }
}
