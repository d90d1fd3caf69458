package io.octopusha.node.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads {@link NodeConfig} from OCTOPUS_* environment variables and from command-line flags, which win.
 * Each variable has a flag: OCTOPUS_HTTP_PORT is --http-port (as --http-port=8081 or --http-port 8081).
 * Secrets also have a _FILE variant (OCTOPUS_DB_PASSWORD_FILE, --db-password-file) that names a file to read.
 */
public final class ConfigLoader {
    public static final String PREFIX = "OCTOPUS_";
    /** The user and group nobody, what a root node runs scripts as unless OCTOPUS_SCRIPT_USER says otherwise. */
    static final int NOBODY = 65534;

    static final List<String> VARIABLES = List.of(
            "OCTOPUS_NODE_NAME", "OCTOPUS_BIND_ADDRESS", "OCTOPUS_HTTP_PORT", "OCTOPUS_DB_URL", "OCTOPUS_DB_USER", "OCTOPUS_DB_PASSWORD",
            "OCTOPUS_DATA_DIR", "OCTOPUS_SHARED_DIR", "OCTOPUS_TASK_CAP", "OCTOPUS_HEARTBEAT_INTERVAL",
            "OCTOPUS_OFFLINE_AFTER", "OCTOPUS_QUEUE_TIMEOUT", "OCTOPUS_SHUTDOWN_GRACE", "OCTOPUS_ADMIN_API_KEY",
            "OCTOPUS_NODE_LIMIT", "OCTOPUS_RETENTION_MAX_AGE", "OCTOPUS_HEALTH_CHECK_INTERVAL",
            "OCTOPUS_INTEGRITY_CHECK_INTERVAL", "OCTOPUS_AUTH_FAILURE_LIMIT", "OCTOPUS_SCRIPT_TASKS", "OCTOPUS_SCRIPT_USER");
    private static final List<String> FILE_VARIABLES = List.of(
            "OCTOPUS_DB_USER", "OCTOPUS_DB_PASSWORD", "OCTOPUS_ADMIN_API_KEY");

    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Pattern API_KEY = Pattern.compile("API-[A-Za-z0-9]{16,64}");

    private static final Pattern SCRIPT_USER = Pattern.compile("([0-9]{1,10})(?::([0-9]{1,10}))?");

    private final Map<String, String> values;
    /** The files secrets were read from, so the node can keep them from scripts. */
    private final List<Path> secretFiles = new ArrayList<>();

    private ConfigLoader(Map<String, String> values) {
        this.values = values;
    }

    /** Environment first, then flags on top. Throws {@link ConfigException} naming the first bad setting. */
    public static NodeConfig load(Map<String, String> environment, String[] args) {
        Map<String, String> values = new HashMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith(PREFIX)) values.put(name, value);
        });
        values.putAll(parseFlags(args));
        return new ConfigLoader(values).build();
    }

    private static Map<String, String> parseFlags(String[] args) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) throw new ConfigException("unexpected argument '" + arg + "': flags look like --http-port=8081");
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new ConfigException("flag --" + name + " needs a value");
            }
            String variable = PREFIX + name.toUpperCase().replace('-', '_');
            if (!isKnown(variable)) throw new ConfigException("unknown flag --" + name);
            flags.put(variable, value);
        }
        return flags;
    }

    private static boolean isKnown(String variable) {
        return VARIABLES.contains(variable)
                || (variable.endsWith("_FILE") && FILE_VARIABLES.contains(variable.substring(0, variable.length() - 5)));
    }

    /** Unknown OCTOPUS_* environment variables are ignored: Kubernetes adds some (OCTOPUS_SERVICE_HOST) for a Service named octopus. */
    private NodeConfig build() {
        String nodeName = text("OCTOPUS_NODE_NAME", null);
        // Only without a name: resolving the host name took 30 to 60 ms of a node's start where HOSTNAME is not exported.
        if (nodeName == null) nodeName = defaultHostName();
        if (!NODE_NAME.matcher(nodeName).matches()) {
            throw new ConfigException("OCTOPUS_NODE_NAME must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit, got '" + nodeName + "'");
        }
        String bindAddress = parse("OCTOPUS_BIND_ADDRESS", "0.0.0.0", ConfigLoader::ipAddress, "an IP address such as 0.0.0.0 or 127.0.0.2");
        int httpPort = integer("OCTOPUS_HTTP_PORT", 8080, 0, 65535);
        String dbUrl = text("OCTOPUS_DB_URL", null);
        if (dbUrl != null && !dbUrl.startsWith("jdbc:postgresql:")) {
            throw new ConfigException("OCTOPUS_DB_URL must be a PostgreSQL JDBC URL (jdbc:postgresql://host:5432/db), got '" + dbUrl + "'");
        }
        String dbUser = secret("OCTOPUS_DB_USER");
        String dbPassword = secret("OCTOPUS_DB_PASSWORD");
        if (dbUrl == null && (dbUser != null || dbPassword != null)) {
            throw new ConfigException("OCTOPUS_DB_USER and OCTOPUS_DB_PASSWORD need OCTOPUS_DB_URL; without it the node runs an embedded PostgreSQL");
        }
        Path dataDir = path("OCTOPUS_DATA_DIR", Path.of("data"));
        Path sharedDir = path("OCTOPUS_SHARED_DIR", dataDir.resolve("shared"));
        int taskCap = integer("OCTOPUS_TASK_CAP", 5, 0, 1000);
        Duration heartbeat = duration("OCTOPUS_HEARTBEAT_INTERVAL", Duration.ofSeconds(5));
        Duration offlineAfter = duration("OCTOPUS_OFFLINE_AFTER", Duration.ofSeconds(30));
        if (offlineAfter.compareTo(heartbeat.multipliedBy(2)) < 0) {
            throw new ConfigException("OCTOPUS_OFFLINE_AFTER (" + offlineAfter + ") must be at least twice OCTOPUS_HEARTBEAT_INTERVAL (" + heartbeat + "), or healthy nodes would be seen as offline");
        }
        Duration queueTimeout = duration("OCTOPUS_QUEUE_TIMEOUT", Duration.ofDays(1));
        Duration shutdownGrace = duration("OCTOPUS_SHUTDOWN_GRACE", Duration.ofMinutes(10));
        String adminKey = secret("OCTOPUS_ADMIN_API_KEY");
        if (adminKey != null && !API_KEY.matcher(adminKey).matches()) {
            throw new ConfigException("OCTOPUS_ADMIN_API_KEY must look like API- followed by 16 to 64 letters or digits");
        }
        OptionalInt nodeLimit = values.containsKey("OCTOPUS_NODE_LIMIT")
                ? OptionalInt.of(integer("OCTOPUS_NODE_LIMIT", 0, 1, 10_000))
                : OptionalInt.empty();
        Duration retentionMaxAge = duration("OCTOPUS_RETENTION_MAX_AGE", Duration.ofDays(30));
        Duration healthCheckInterval = duration("OCTOPUS_HEALTH_CHECK_INTERVAL", Duration.ofHours(1));
        Duration integrityCheckInterval = duration("OCTOPUS_INTEGRITY_CHECK_INTERVAL", Duration.ofDays(1));
        int authFailureLimit = integer("OCTOPUS_AUTH_FAILURE_LIMIT", 30, 1, 1_000_000);
        ScriptTasks scriptTasks = parse("OCTOPUS_SCRIPT_TASKS", ScriptTasks.Administrator, ConfigLoader::scriptTasks,
                "Administrator, Operator or Disabled");
        int[] scriptUser = parse("OCTOPUS_SCRIPT_USER", new int[]{NOBODY, NOBODY}, ConfigLoader::scriptUser,
                "a numeric user id other than 0, optionally with a group id (65534 or 65534:65534)");
        return new NodeConfig(nodeName, bindAddress, httpPort, dbUrl, dbUser, dbPassword, dataDir, sharedDir, taskCap,
                heartbeat, offlineAfter, queueTimeout, shutdownGrace, adminKey, nodeLimit, retentionMaxAge,
                healthCheckInterval, integrityCheckInterval, authFailureLimit, scriptTasks, scriptUser[0], scriptUser[1],
                List.copyOf(secretFiles));
    }

    private static ScriptTasks scriptTasks(String raw) {
        for (ScriptTasks value : ScriptTasks.values()) if (value.name().equalsIgnoreCase(raw)) return value;
        throw new IllegalArgumentException();
    }

    /** uid[:gid], the group defaulting to the user's number. Root would give scripts everything the node has. */
    private static int[] scriptUser(String raw) {
        var m = SCRIPT_USER.matcher(raw);
        if (!m.matches()) throw new IllegalArgumentException();
        long uid = Long.parseLong(m.group(1));
        long gid = m.group(2) == null ? uid : Long.parseLong(m.group(2));
        if (uid < 1 || gid < 1 || uid > Integer.MAX_VALUE || gid > Integer.MAX_VALUE) throw new IllegalArgumentException();
        return new int[]{(int) uid, (int) gid};
    }

    private String text(String name, String fallback) {
        String value = values.get(name);
        if (value == null) return fallback;
        value = value.strip();
        if (value.isEmpty()) throw new ConfigException(name + " is set but empty");
        return value;
    }

    private String secret(String name) {
        String direct = values.get(name);
        String file = values.get(name + "_FILE");
        if (direct != null && file != null) throw new ConfigException("set either " + name + " or " + name + "_FILE, not both");
        if (file == null) return direct == null ? null : text(name, null);
        try {
            Path path = Path.of(file.strip());
            String content = Files.readString(path).strip();
            if (content.isEmpty()) throw new ConfigException(name + "_FILE names an empty file: " + file);
            secretFiles.add(path);
            return content;
        } catch (IOException | InvalidPathException e) {
            throw new ConfigException(name + "_FILE cannot be read: " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private int integer(String name, int fallback, int min, int max) {
        return parse(name, fallback, raw -> {
            int value = Integer.parseInt(raw);
            if (value < min || value > max) throw new IllegalArgumentException();
            return value;
        }, "an integer from " + min + " to " + max);
    }

    private Duration duration(String name, Duration fallback) {
        return parse(name, fallback, raw -> {
            Duration value = Duration.parse(raw);
            if (value.isNegative() || value.isZero()) throw new IllegalArgumentException();
            return value;
        }, "a positive ISO-8601 duration such as PT5S, PT10M or P1D");
    }

    private Path path(String name, Path fallback) {
        return parse(name, fallback, Path::of, "a file system path");
    }

    private <T> T parse(String name, T fallback, Function<String, T> parser, String expected) {
        String raw = text(name, null);
        if (raw == null) return fallback;
        try {
            return parser.apply(raw);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new ConfigException(name + " must be " + expected + ", got '" + raw + "'");
        }
    }

    /** A literal address only: a host name would make the node's start depend on DNS. */
    private static String ipAddress(String raw) {
        if (!raw.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*")) throw new IllegalArgumentException();
        try {
            return InetAddress.getByName(raw).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String defaultHostName() {
        String fromEnv = System.getenv("HOSTNAME");
        if (fromEnv != null && !fromEnv.isBlank()) return fromEnv.strip();
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            throw new ConfigException("OCTOPUS_NODE_NAME is not set and the host name cannot be read: set OCTOPUS_NODE_NAME");
        }
    }
}
