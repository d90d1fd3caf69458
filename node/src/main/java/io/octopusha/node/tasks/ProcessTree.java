package io.octopusha.node.tasks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Ends a process and everything it started: SIGTERM to all, then SIGKILL to whatever is left after a grace. */
public final class ProcessTree {
    private ProcessTree() {
    }

    public static void terminate(ProcessHandle root, Duration grace) {
        // Snapshot first: children re-parented when their parent dies would no longer be descendants.
        List<ProcessHandle> tree = new ArrayList<>(root.descendants().toList());
        tree.addFirst(root);
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle p : tree) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                try {
                    p.onExit().get(left, TimeUnit.NANOSECONDS);
                } catch (Exception e) {
                    // still running (or interrupted): it gets SIGKILL below
                }
            }
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
