package io.octopusha.node.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Files a transaction renames over or deletes, held open so that their blocks are not freed inside it: replacing
 * a 1 GiB package freed them in the rename, 0.14 s on ext4 (a tenth of the upload) with the package's row locked.
 * {@link #close()} lets them go on a thread of its own, so the answer does not wait for that either.
 */
final class SupersededFiles implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SupersededFiles.class);

    private final List<FileChannel> held = new ArrayList<>();

    /** Call before renaming over {@code file} or deleting it. */
    void hold(Path file) {
        try {
            held.add(FileChannel.open(file, StandardOpenOption.READ));
        } catch (IOException absentOrUnreadable) {
            // absent: nothing to free; unreadable: freed by the rename or delete itself, as usual
        }
    }

    @Override
    public void close() {
        if (held.isEmpty()) return;
        List<FileChannel> release = List.copyOf(held);
        held.clear();
        Thread.ofPlatform().daemon().name("superseded-files").start(() -> {
            for (FileChannel file : release) {
                try {
                    file.close();
                } catch (IOException e) {
                    log.warn("a replaced or deleted package file could not be closed: {}", e.getMessage());
                }
            }
        });
    }
}
