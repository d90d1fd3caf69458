package io.octopusha.node.tasks;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The Linux calls Java 21 has no API for, through JNA (its foreign-function API is still a preview there): who the
 * node runs as, and making its process non-dumpable.
 */
final class Linux {
    private static final int PR_GET_DUMPABLE = 3;
    private static final int PR_SET_DUMPABLE = 4;

    private interface LibC extends Library {
        int prctl(int option, long arg2, long arg3, long arg4, long arg5);

        int geteuid();

        int getegid();
    }

    private static final LibC C = Native.load("c", LibC.class);

    private Linux() {
    }

    static int effectiveUid() {
        return C.geteuid();
    }

    static int effectiveGid() {
        return C.getegid();
    }

    /**
     * Makes this process non-dumpable: its /proc/PID files (environ, mem, maps) become root's, so another process of
     * the same user can neither read them nor ptrace it. Children get the flag back when they exec. Returns whether
     * the flag is now off.
     */
    static boolean makeNonDumpable() {
        C.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        return C.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0;
    }
}
