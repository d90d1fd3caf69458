package io.octopusha.node.admin;

import io.octopusha.node.audit.AuditLog;
import io.octopusha.node.cluster.NodeMaintenance;
import io.octopusha.node.cluster.NodeRecord;
import io.octopusha.node.cluster.NodeRegistry;
import io.octopusha.node.config.ConfigException;
import io.octopusha.node.config.ConfigLoader;
import io.octopusha.node.config.NodeConfig;
import io.octopusha.node.db.Database;
import io.octopusha.node.queue.TaskQueue;
import io.octopusha.node.queue.TaskRecord;
import org.jooq.exception.DataAccessException;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code node}, the administrator's command of the node's entry point, as Octopus Server's
 * {@code Octopus.Server.exe node}: drains or undrains a node, changes its task cap, waits for its running tasks and
 * cancels what is left, through the database, so it works when the node's HTTP API is down (what one types in
 * {@code kubectl exec}, and what a preStop hook runs). It reads the same configuration as the node: the OCTOPUS_*
 * variables, their {@code _FILE} secrets and the node's flags.
 * <pre>
 * node --drain=true|false [--wait=SECONDS] [--cancel-tasks] [--task-cap=N] [--name=NODE] [node flags]
 * </pre>
 * Exit codes: 0 done; 1 the database could not be reached, or tasks still run after {@code --wait}; 2 bad input or
 * configuration (one line says which); 4 no such node.
 */
public final class NodeCommand {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;
    public static final int NO_SUCH_NODE = 4;
    /** The longest --wait: a week. */
    static final int MAX_WAIT_SECONDS = 7 * 24 * 3600;
    /** How long canceled tasks get to stop (a script gets SIGTERM, then SIGKILL after 5 s) before the command gives up. */
    static final Duration CANCEL_WAIT = Duration.ofSeconds(60);
    private static final String PREFIX = "octopus-node node: ";

    static final String USAGE = """
            Usage: node --drain=true|false [--wait=SECONDS] [--cancel-tasks] [--task-cap=N] [--name=NODE] [node flags]
              --drain=true|false  drain (start no new tasks) or undrain the node
              --wait=SECONDS      with --drain=true: wait up to this long for its running tasks (default 0)
              --cancel-tasks      with --drain=true: cancel the tasks still running when the wait is over
              --task-cap=N        set its task cap, 0 to 1000 (also --taskCap=N)
              --name=NODE         the node's name or Id (default: this node, OCTOPUS_NODE_NAME)
            Other flags and the OCTOPUS_* variables are the node's own settings (the database to use).""";

    private final PrintStream out;
    private final PrintStream err;

    private NodeCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** What the command was asked to do. */
    record Request(Boolean drain, Integer waitSeconds, boolean cancelTasks, Integer taskCap, String name, List<String> nodeFlags) {
    }

    /** Runs the command; returns its exit code. */
    public static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
        return new NodeCommand(out, err).run(args, environment);
    }

    private int run(String[] args, Map<String, String> environment) {
        Request request;
        NodeConfig config;
        try {
            if (List.of(args).contains("--help")) {
                out.println(USAGE);
                return OK;
            }
            request = parse(args);
            config = ConfigLoader.load(environment, request.nodeFlags().toArray(String[]::new));
        } catch (BadInput e) {
            err.println(PREFIX + e.getMessage());
            return BAD_INPUT;
        } catch (ConfigException e) {
            err.println(PREFIX + "configuration error: " + e.getMessage());
            return BAD_INPUT;
        }
        String[] connection;
        try {
            connection = connection(config);
        } catch (BadInput e) {
            err.println(PREFIX + e.getMessage());
            return BAD_INPUT;
        }
        try (Database database = new Database(connection[0], connection[1], connection[2], "node-command")) {
            return apply(request, config, database);
        } catch (DataAccessException e) {
            String detail = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
            err.println(PREFIX + "the database cannot be reached (" + connection[0] + "): " + firstLine(detail));
            return FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println(PREFIX + "interrupted");
            return FAILED;
        }
    }

    private int apply(Request request, NodeConfig config, Database database) throws InterruptedException {
        NodeMaintenance maintenance = new NodeMaintenance(new NodeRegistry(database.dsl()), new TaskQueue(database.dsl()));
        String nodeId = NodeMaintenance.nodeId(request.name() != null ? request.name() : config.nodeName());
        String who = "node command (" + System.getProperty("user.name", "unknown") + "@" + hostName() + ")";
        Optional<NodeRegistry.Change> change = maintenance.change(nodeId, request.taskCap(), request.drain(), who);
        if (change.isEmpty()) {
            err.println(PREFIX + "there is no node " + nodeId + " in the cluster's database");
            return NO_SUCH_NODE;
        }
        NodeRecord node = change.get().after();
        try (AuditLog audit = new AuditLog(database.dsl(), config.nodeName())) {
            AuditLog.Actor actor = new AuditLog.Actor(null, who, hostName());
            if (change.get().changedAnything()) {
                audit.record(actor, AuditLog.Category.Modified, describe(change.get()), List.of(nodeId));
            }
            out.println("node " + node.name() + ": " + (node.inMaintenanceMode() ? "drained" : "not drained") + ", task cap "
                    + node.maxConcurrentTasks() + ", " + node.runningTasks() + " running task(s)"
                    + (node.offline() ? ", offline" : "") + (change.get().changedAnything() ? "" : " (no change)"));
            if (!Boolean.TRUE.equals(request.drain())) return OK;

            int waitSeconds = request.waitSeconds() == null ? 0 : request.waitSeconds();
            Optional<NodeRecord> now = maintenance.awaitIdle(nodeId, Duration.ofSeconds(waitSeconds), n -> out.println(
                    "node " + n.name() + ": waiting for " + n.runningTasks() + " running task(s)"));
            if (now.isEmpty() || now.get().runningTasks() == 0) {
                out.println("node " + node.name() + " is drained and runs no tasks");
                return OK;
            }
            if (!request.cancelTasks()) {
                err.println(PREFIX + "node " + node.name() + " still runs " + now.get().runningTasks() + " task(s) after "
                        + waitSeconds + " s; they go on running (add --cancel-tasks to cancel them)");
                return FAILED;
            }
            List<TaskRecord> canceled = maintenance.cancelRunning(nodeId);
            for (TaskRecord task : canceled) {
                audit.record(actor, AuditLog.Category.Canceled, "Canceled task " + task.id() + ", which was running on node "
                        + node.name() + ", at the end of its drain (" + task.name() + ": " + task.description() + ")",
                        List.of(task.id(), task.spaceId(), nodeId));
            }
            out.println("node " + node.name() + ": canceled " + canceled.size() + " task(s): "
                    + String.join(", ", canceled.stream().map(TaskRecord::id).toList()));
            now = maintenance.awaitIdle(nodeId, CANCEL_WAIT, n -> { });
            if (now.isPresent() && now.get().runningTasks() > 0) {
                err.println(PREFIX + "node " + node.name() + " still runs " + now.get().runningTasks() + " canceled task(s) after "
                        + CANCEL_WAIT.toSeconds() + " s");
                return FAILED;
            }
            out.println("node " + node.name() + " is drained and runs no tasks");
            return OK;
        }
    }

    private static String describe(NodeRegistry.Change change) {
        NodeRecord node = change.after();
        List<String> parts = new ArrayList<>();
        if (change.before().inMaintenanceMode() != node.inMaintenanceMode()) {
            parts.add((node.inMaintenanceMode() ? "Drained" : "Undrained") + " node " + node.name());
        }
        if (change.before().maxConcurrentTasks() != node.maxConcurrentTasks()) {
            parts.add("Changed the task cap of node " + node.name() + " from " + change.before().maxConcurrentTasks()
                    + " to " + node.maxConcurrentTasks());
        }
        return String.join("; ", parts) + " with the node command";
    }

    /** The command's own flags; everything else is left for the node's configuration. */
    static Request parse(String[] args) {
        Boolean drain = null;
        Integer wait = null;
        boolean cancelTasks = false;
        Integer taskCap = null;
        String name = null;
        List<String> nodeFlags = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) throw new BadInput("unexpected argument '" + arg + "'; flags look like --drain=true");
            String flag = arg.substring(2);
            String value = null;
            int eq = flag.indexOf('=');
            if (eq >= 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            }
            switch (flag) {
                case "cancel-tasks" -> {
                    if (value != null) throw new BadInput("--cancel-tasks takes no value");
                    cancelTasks = true;
                }
                case "drain", "wait", "task-cap", "taskCap", "name" -> {
                    if (value == null) {
                        if (i + 1 >= args.length || args[i + 1].startsWith("--")) throw new BadInput("--" + flag + " needs a value");
                        value = args[++i];
                    }
                    switch (flag) {
                        case "drain" -> drain = bool(value);
                        case "wait" -> wait = integer("--wait", value, 0, MAX_WAIT_SECONDS);
                        case "name" -> name = nodeName(value);
                        default -> taskCap = integer("--" + flag, value, 0, 1000);
                    }
                }
                default -> {
                    // A node setting (--db-url=..., --node-name ...): ConfigLoader checks it.
                    nodeFlags.add(arg);
                    if (value == null && i + 1 < args.length && !args[i + 1].startsWith("--")) nodeFlags.add(args[++i]);
                }
            }
        }
        if (!Boolean.TRUE.equals(drain) && (wait != null || cancelTasks)) {
            throw new BadInput("--wait and --cancel-tasks can only be given with --drain=true");
        }
        if (drain == null && taskCap == null) throw new BadInput("nothing to do: give --drain=true|false and/or --task-cap=N");
        return new Request(drain, wait, cancelTasks, taskCap, name, nodeFlags);
    }

    private static boolean bool(String value) {
        if (value.equalsIgnoreCase("true")) return true;
        if (value.equalsIgnoreCase("false")) return false;
        throw new BadInput("--drain must be true or false, got '" + value + "'");
    }

    private static int integer(String flag, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // below
        }
        throw new BadInput(flag + " must be a whole number from " + min + " to " + max + ", got '" + value + "'");
    }

    private static String nodeName(String value) {
        String name = value.startsWith(NodeMaintenance.NODE_ID_PREFIX) ? value.substring(NodeMaintenance.NODE_ID_PREFIX.length()) : value;
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw new BadInput("--name must be a node name or Id (letters, digits, '.', '_', '-'), got '" + value + "'");
        }
        return value;
    }

    /**
     * URL, user and password of the node's database. Without OCTOPUS_DB_URL the node runs an embedded PostgreSQL in
     * its data folder; its port is in that server's postmaster.pid (fourth line), and it trusts local connections.
     */
    static String[] connection(NodeConfig config) {
        if (config.dbUrl() != null) return new String[]{config.dbUrl(), config.dbUser(), config.dbPassword()};
        Path pid = config.dataDir().resolve("pg").resolve("postmaster.pid");
        try {
            List<String> lines = Files.exists(pid) ? Files.readAllLines(pid) : List.of();
            if (lines.size() >= 4 && lines.get(3).strip().matches("\\d{1,5}")) {
                return new String[]{"jdbc:postgresql://localhost:" + lines.get(3).strip() + "/postgres", "postgres", null};
            }
        } catch (IOException e) {
            // reported below
        }
        throw new BadInput("OCTOPUS_DB_URL is not set and no embedded PostgreSQL runs in " + config.dataDir().resolve("pg")
                + ": set OCTOPUS_DB_URL (and OCTOPUS_DB_USER, OCTOPUS_DB_PASSWORD) as for the node, or start the node first");
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static String firstLine(String message) {
        if (message == null) return "unknown error";
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** Input the command refuses: its message is the one line printed. */
    static final class BadInput extends RuntimeException {
        BadInput(String message) {
            super(message);
        }
    }
}
