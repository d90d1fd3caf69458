package io.octopusha.node.local;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Watches a {@code make run} through a pipe from it: when the pipe closes, its parent has ended, and whatever it
 * started and did not stop is stopped here. It runs in a session of its own (setsid), so that Ctrl-C, a closed
 * terminal or a TERM to the process group reach only the parent, which stops things itself, and the reaper is still
 * there should the parent die before it is done.
 */
public final class Reaper {
    private Reaper() {
    }

    public static void main(String[] args) throws IOException {
        byte[] buffer = new byte[64];
        while (System.in.read(buffer) != -1) {
            // the parent never writes; a read returns only at end of stream
        }
        for (String left : LocalProcesses.in(Path.of(args[0])).stopLeftovers()) {
            System.out.println("make run ended without stopping " + left + ": stopped it");
        }
    }
}
