package io.octopusha.operator.kube;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Processes the tier starts must not outlive the test JVM, even when it is killed: they get SIGKILL when the thread
 * that started them ends (util-linux setpriv's parent-death signal), which here lives as long as the JVM or the
 * kubelet that runs the pods.
 */
final class Orphans {
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    private Orphans() {
    }

    static List<String> dieWithThisJvm(List<String> command) {
        if (!Files.isExecutable(SETPRIV)) return command;
        List<String> wrapped = new ArrayList<>(List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--"));
        wrapped.addAll(command);
        return wrapped;
    }
}
