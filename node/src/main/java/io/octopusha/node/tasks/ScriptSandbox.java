package io.octopusha.node.tasks;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.octopusha.node.auth.Role;
import io.octopusha.node.config.ScriptTasks;
import io.octopusha.node.input.ForbiddenException;
import io.octopusha.node.storage.FileTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static java.nio.file.attribute.PosixFilePermission.GROUP_EXECUTE;
import static java.nio.file.attribute.PosixFilePermission.GROUP_READ;
import static java.nio.file.attribute.PosixFilePermission.GROUP_WRITE;
import static java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE;
import static java.nio.file.attribute.PosixFilePermission.OTHERS_READ;
import static java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE;
import static java.nio.file.attribute.PosixFilePermission.OWNER_READ;

/**
 * How this node runs scripts with less than its own privilege. Every script gets a minimal environment (PATH, HOME,
 * LANG, its task's OCTOPUS_TASK_ID and OCTOPUS_ARTIFACTS_DIR), never the node's, and cannot read the node's memory
 * or environment:
 * <ul>
 * <li>A node running as root runs scripts as another user (OCTOPUS_SCRIPT_USER, nobody by default) through setpriv,
 * with no capabilities and no way to gain any: the node's /proc files, its JVM attach socket and root's files are
 * out of reach. Root can read any process's environ, non-dumpable or not, so only another user keeps it from a
 * script. _FILE secrets that user could read are made readable by their owner only.</li>
 * <li>A node running as any other user runs scripts as itself. Its process is made non-dumpable, which closes its
 * /proc/PID/environ and mem and ptrace to processes of the same user, and it must have been started with
 * -XX:+DisableAttachMechanism: the JVM's attach socket serves any process of its user, and an agent loaded through
 * it reads everything.</li>
 * </ul>
 * Where the chosen way cannot be set up, script tasks are off on this node: the reason is logged at start and given
 * to whoever tries to create one here.
 */
public final class ScriptSandbox implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ScriptSandbox.class);
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final Set<PosixFilePermission> GROUP_AND_OTHERS =
            EnumSet.of(GROUP_READ, GROUP_WRITE, GROUP_EXECUTE, OTHERS_READ, OTHERS_WRITE, OTHERS_EXECUTE);

    private final ScriptTasks setting;
    /** Why scripts do not run on this node; null when they do. */
    private final String unavailable;
    /** The user and group scripts run as, or null for the node's own. */
    private final int[] runAs;
    private final int[] node;
    /** Where tasks get their working folders; null while scripts are off, when the node's own folder is used. */
    private final Path workRoot;
    /** The folder this node made in the system's temporary directory for them, removed when it stops; or null. */
    private final Path madeWorkRoot;

    private ScriptSandbox(ScriptTasks setting, String unavailable, int[] runAs, int[] node, Path workRoot, Path madeWorkRoot) {
        this.setting = setting;
        this.unavailable = unavailable;
        this.runAs = runAs;
        this.node = node;
        this.workRoot = workRoot;
        this.madeWorkRoot = madeWorkRoot;
    }

    /** OCTOPUS_SCRIPT_TASKS=Disabled: no script is created through this node or runs on it. */
    public static ScriptSandbox disabled() {
        return new ScriptSandbox(ScriptTasks.Disabled, "script tasks are turned off on this node (OCTOPUS_SCRIPT_TASKS is Disabled)", null, null, null, null);
    }

    /**
     * Decides how scripts run on this node and sets it up: the node's process made non-dumpable, the work folder
     * checked reachable for the script user, secret files narrowed.
     */
    public static ScriptSandbox prepare(ScriptTasks setting, int scriptUid, int scriptGid, List<Path> secretFiles, Path workRoot) {
        if (setting == ScriptTasks.Disabled) {
            log.info("script tasks are turned off on this node (OCTOPUS_SCRIPT_TASKS is Disabled)");
            return disabled();
        }
        int[] node;
        boolean nonDumpable;
        try {
            node = new int[]{Linux.effectiveUid(), Linux.effectiveGid()};
            nonDumpable = Linux.makeNonDumpable();
        } catch (LinkageError e) {
            return off(setting, "the node cannot reach the C library to protect itself from scripts (" + e.getMessage() + ")");
        }
        if (node[0] == 0) {
            int[] runAs = {scriptUid, scriptGid};
            Path reachable;
            try {
                reachable = reachableWorkRoot(runAs, workRoot);
            } catch (IllegalStateException e) {
                return off(setting, e.getMessage());
            }
            protectSecretFiles(secretFiles, runAs);
            log.info("script tasks run as user {} and group {}, not as root, with a minimal environment, in {}",
                    scriptUid, scriptGid, reachable);
            return new ScriptSandbox(setting, null, runAs, node, reachable, reachable.equals(workRoot) ? null : reachable);
        }
        if (!nonDumpable) return off(setting, "the node runs scripts as its own user and could not make its process non-dumpable");
        if (!attachDisabled()) {
            return off(setting, "the node runs scripts as its own user (uid " + node[0] + "), who could attach to its JVM: "
                    + "start it with -XX:+DisableAttachMechanism, or as root so that scripts run as another user");
        }
        for (Path file : secretFiles) {
            log.warn("the secret file {} can be read by scripts, which run as this node's own user: pass that secret in "
                    + "its environment variable instead, which scripts cannot read", file);
        }
        log.info("script tasks run as this node's user (uid {}) with a minimal environment; the node's process is "
                + "non-dumpable and refuses JVM attach", node[0]);
        return new ScriptSandbox(setting, null, null, node, workRoot, null);
    }

    private static ScriptSandbox off(ScriptTasks setting, String reason) {
        log.warn("script tasks are off on this node: {}", reason);
        return new ScriptSandbox(setting, reason, null, null, null, null);
    }

    /**
     * Where tasks get their working folders: {@code preferred} (the node's data folder), unless a script user cannot
     * get into it, as when a folder above it is private (a home folder, a temporary folder made for tests).
     */
    public Path workRoot(Path preferred) {
        return workRoot == null ? preferred : workRoot;
    }

    /** Why scripts do not run on this node; null when they do. */
    public String unavailable() {
        return unavailable;
    }

    /** Refuses a caller who may not create script tasks through this node. */
    public void authorize(Role caller) {
        if (unavailable != null) throw new ForbiddenException("AdHocScript tasks cannot be created through this node: " + unavailable + ".");
        Role required = setting == ScriptTasks.Operator ? Role.Operator : Role.Administrator;
        if (!caller.includes(required)) {
            throw new ForbiddenException("You do not have permission to create AdHocScript tasks: this node grants it to the "
                    + required + " role (OCTOPUS_SCRIPT_TASKS) and your key has " + caller + ".");
        }
    }

    /** The script's process, not yet started, in {@code workDirectory} with nothing of the node's environment. */
    ProcessBuilder process(String script, String taskId, Path workDirectory, Path artifactsDirectory) {
        ProcessBuilder builder = new ProcessBuilder(command("bash", "-c", script)).directory(workDirectory.toFile());
        Map<String, String> env = builder.environment();
        String path = env.getOrDefault("PATH", DEFAULT_PATH);
        env.clear();
        env.put("PATH", path);
        env.put("HOME", workDirectory.toString());
        env.put("LANG", "C.UTF-8");
        env.put("OCTOPUS_TASK_ID", taskId);
        env.put("OCTOPUS_ARTIFACTS_DIR", artifactsDirectory.toString());
        return builder;
    }

    /** Gives the folders the node made for a script to the user the script runs as. */
    void handOver(Path... folders) throws IOException {
        if (runAs == null) return;
        for (Path folder : folders) chown(folder, runAs);
    }

    /**
     * Takes the artifacts folder back once the script has ended: the node's own, closed to others, so that a process
     * the script left behind can no longer swap what is in it while the node collects it; and each file in it the
     * node's, so that later scripts cannot change a published artifact.
     */
    void takeBack(Path artifacts) throws IOException {
        if (runAs == null || !Files.isDirectory(artifacts, LinkOption.NOFOLLOW_LINKS)) return;
        chown(artifacts, node);
        Files.setPosixFilePermissions(artifacts, PosixFilePermissions.fromString("rwx------"));
        try (Stream<Path> files = Files.list(artifacts)) {
            for (Path file : files.toList()) {
                if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                        && (Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS) == 1) {
                    chown(file, node);
                }
            }
        }
    }

    private List<String> command(String... command) {
        return runAs == null ? List.of(command) : runAs(runAs, command);
    }

    private static List<String> runAs(int[] user, String... command) {
        List<String> full = new ArrayList<>(List.of("setpriv", "--reuid=" + user[0], "--regid=" + user[1], "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"));
        full.addAll(List.of(command));
        return full;
    }

    /**
     * The folder scripts get their working folders in: {@code preferred}, or one of the node's own in the system's
     * temporary directory (open to all, sticky) when the script user cannot get into {@code preferred}. Throws
     * IllegalStateException saying why when it can get into neither, or cannot be run as at all.
     */
    private static Path reachableWorkRoot(int[] user, Path preferred) {
        try {
            if (canEnter(user, preferred)) return preferred;
            Path fallback = fallbackWorkRoot(preferred);
            if (canEnter(user, fallback)) return fallback;
            throw new IllegalStateException("user " + user[0] + " (OCTOPUS_SCRIPT_USER), which runs scripts, can get into "
                    + "neither " + preferred + " nor " + fallback + ": make the folders above one of them traversable (o+x)");
        } catch (IOException e) {
            throw new IllegalStateException("scripts run as user " + user[0] + " through setpriv (util-linux), which "
                    + "could not be started: " + e.getMessage());
        }
    }

    /**
     * The same folder of the system's temporary directory for the same work folder, so that a node that restarts after
     * being killed clears what its previous run left there, rather than leaving it behind. Used only if it is a folder
     * of the node's own and not a link: anyone can make a name there first, and then a new random folder is taken.
     */
    private static Path fallbackWorkRoot(Path preferred) throws IOException {
        UUID key = UUID.nameUUIDFromBytes(preferred.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
        Path folder = Path.of(System.getProperty("java.io.tmpdir"), "octopus-work-" + key);
        try {
            Files.createDirectory(folder);
            return folder;
        } catch (FileAlreadyExistsException e) {
            BasicFileAttributes attributes = Files.readAttributes(folder, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes.isDirectory() && (Integer) Files.getAttribute(folder, "unix:uid", LinkOption.NOFOLLOW_LINKS) == Linux.effectiveUid()) {
                try (Stream<Path> left = Files.list(folder)) {
                    for (Path task : left.toList()) FileTrees.deleteTree(task);
                }
                return folder;
            }
            log.warn("{} is not this node's folder: scripts work in a new one", folder);
            return Files.createTempDirectory("octopus-work-");
        }
    }

    /** Makes {@code folder} the node's, enterable but not listable by others, and asks the script user to enter it. */
    private static boolean canEnter(int[] user, Path folder) throws IOException {
        Files.createDirectories(folder);
        // Each script gets a folder of its own inside, and may not list the others.
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx--x--x"));
        Process probe = new ProcessBuilder(runAs(user, "bash", "-c", "test -x \"$0\"", folder.toString()))
                .redirectErrorStream(true).start();
        probe.getOutputStream().close();
        probe.getInputStream().transferTo(OutputStream.nullOutputStream());
        try {
            if (!probe.waitFor(30, TimeUnit.SECONDS)) {
                probe.destroyForcibly();
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return probe.exitValue() == 0;
    }

    /** A secret the script user could read becomes readable by its owner only, where the node may change it. */
    private static void protectSecretFiles(List<Path> files, int[] user) {
        for (Path file : files) {
            try {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
                int owner = (Integer) Files.getAttribute(file, "unix:uid");
                int group = (Integer) Files.getAttribute(file, "unix:gid");
                boolean readable = permissions.contains(OTHERS_READ) || (group == user[1] && permissions.contains(GROUP_READ))
                        || (owner == user[0] && permissions.contains(OWNER_READ));
                if (!readable) continue;
                if (owner == user[0]) {
                    log.warn("the secret file {} belongs to user {}, which runs scripts: scripts can read it", file, user[0]);
                    continue;
                }
                Set<PosixFilePermission> narrowed = EnumSet.copyOf(permissions);
                narrowed.removeAll(GROUP_AND_OTHERS);
                Files.setPosixFilePermissions(file, narrowed);
                log.info("the secret file {} is now readable by its owner only: scripts run as user {}", file, user[0]);
            } catch (IOException | UnsupportedOperationException e) {
                log.warn("the secret file {} can be read by user {}, which runs scripts, and its permissions cannot be "
                        + "changed ({}): give it mode 0400 (defaultMode: 0400 for a Kubernetes Secret volume)", file, user[0], e.toString());
            }
        }
    }

    private static boolean attachDisabled() {
        try {
            return Boolean.parseBoolean(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("DisableAttachMechanism").getValue());
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (madeWorkRoot != null) FileTrees.deleteTree(madeWorkRoot);
    }

    private static void chown(Path path, int[] owner) throws IOException {
        Files.setAttribute(path, "unix:uid", owner[0], LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", owner[1], LinkOption.NOFOLLOW_LINKS);
    }
}
