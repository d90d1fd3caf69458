package io.octopusha.node.storage;

import io.octopusha.node.input.InvalidInputException;
import io.octopusha.node.testing.Uploads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The file part lands byte for byte, with its SHA-256, through direct and through buffered writes. */
class MultipartFileReaderTest {
    private static final String CONTENT_TYPE = "multipart/form-data; boundary=" + Uploads.BOUNDARY;

    @TempDir
    Path dir;

    /** Sizes around the 4 KiB blocks direct writes need and the 1 MiB buffers, and several buffers' worth. */
    @ParameterizedTest(name = "{0} bytes, direct if supported: {1}")
    @CsvSource({
            "1, true", "4095, true", "4096, true", "4097, true", "1048576, true", "1048577, true", "9437311, true",
            "1, false", "4097, false", "1048577, false", "9437311, false"})
    void writesTheFilePartExactlyAndHashesIt(long size, boolean directIfSupported) throws IOException {
        Uploads.Content content = new Uploads.Content(size, size);
        Path target = dir.resolve("upload.part");

        MultipartFileReader.Received received = MultipartFileReader.read(body("App.1.0.0.zip", content.open(), true),
                CONTENT_TYPE, target, name -> { }, directIfSupported);

        assertThat(received.fileName()).isEqualTo("App.1.0.0.zip");
        assertThat(received.size()).isEqualTo(size);
        assertThat(received.sha256()).isEqualTo(content.sha256());
        assertThat(Files.size(target)).isEqualTo(size);
        try (InputStream written = Files.newInputStream(target)) {
            assertThat(Uploads.sha256Of(written)).isEqualTo(content.sha256());
        }
    }

    @Test
    void aBodyCutOffMidwayFailsAndLeavesNoUploadThreadsBehind() {
        Uploads.Content content = new Uploads.Content(5_000_000, 7);

        assertThatThrownBy(() -> MultipartFileReader.read(body("App.1.0.0.zip", content.open(), false),
                CONTENT_TYPE, dir.resolve("cut.part"), name -> { }))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("unexpected EOF");
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("upload-")));
    }

    @Test
    void aRefusedFileNameWritesNothing() {
        Uploads.Content content = new Uploads.Content(3_000_000, 9);
        Path target = dir.resolve("refused.part");

        assertThatThrownBy(() -> MultipartFileReader.read(body("no version.zip", content.open(), true), CONTENT_TYPE, target,
                name -> { throw new InvalidInputException("refused " + name); }))
                .isInstanceOf(InvalidInputException.class).hasMessage("refused no version.zip");
        assertThat(target).isEmptyFile();
    }

    private static InputStream body(String fileName, InputStream content, boolean closed) {
        List<InputStream> parts = List.of(new ByteArrayInputStream(Uploads.head("file", fileName)), content,
                new ByteArrayInputStream(closed ? Uploads.tail() : new byte[0]));
        return new SequenceInputStream(Collections.enumeration(parts));
    }
}
