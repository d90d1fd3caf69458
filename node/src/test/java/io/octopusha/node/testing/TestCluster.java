package io.octopusha.node.testing;

import io.octopusha.node.OctopusNode;
import io.octopusha.node.config.ConfigLoader;
import io.octopusha.node.config.NodeConfig;
import io.octopusha.node.db.Database;
import io.octopusha.node.storage.FileTrees;
import org.jooq.DSLContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Nodes sharing one fresh database and one shared directory, started in this JVM (or as processes through
 * {@link #environment}), with fast heartbeats so that tests run in seconds.
 */
public final class TestCluster implements AutoCloseable {
    public static final String ADMIN_KEY = "API-TESTADMINKEY0000000000";
    public static final String HEARTBEAT = "PT0.2S";
    public static final String OFFLINE_AFTER = "PT2S";

    private final String dbUrl = TestDatabase.freshDatabaseUrl();
    private final Path root;
    private final List<OctopusNode> nodes = new ArrayList<>();
    private Database database;
    private Path scriptExchange;

    public TestCluster() {
        try {
            root = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The OCTOPUS_* variables a node of this cluster starts with; {@code overrides} win. */
    public Map<String, String> environment(String name, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("OCTOPUS_NODE_NAME", name);
        env.put("OCTOPUS_HTTP_PORT", "0");
        env.put("OCTOPUS_DB_URL", dbUrl);
        env.put("OCTOPUS_DB_USER", TestDatabase.user());
        env.put("OCTOPUS_DATA_DIR", root.resolve(name).toString());
        env.put("OCTOPUS_SHARED_DIR", root.resolve("shared").toString());
        env.put("OCTOPUS_HEARTBEAT_INTERVAL", HEARTBEAT);
        env.put("OCTOPUS_OFFLINE_AFTER", OFFLINE_AFTER);
        env.put("OCTOPUS_SHUTDOWN_GRACE", "PT10S");
        env.put("OCTOPUS_ADMIN_API_KEY", ADMIN_KEY);
        env.putAll(overrides);
        return env;
    }

    public NodeConfig config(String name, Map<String, String> overrides) {
        return ConfigLoader.load(environment(name, overrides), new String[0]);
    }

    public OctopusNode start(String name) {
        return start(name, Map.of());
    }

    public OctopusNode start(String name, Map<String, String> overrides) {
        OctopusNode node = OctopusNode.start(config(name, overrides));
        nodes.add(node);
        return node;
    }

    public Api api(OctopusNode node) {
        return new Api("http://127.0.0.1:" + node.port(), ADMIN_KEY);
    }

    /** Direct access to this cluster's database, for assertions. */
    public synchronized DSLContext dsl() {
        if (database == null) database = new Database(dbUrl, TestDatabase.user(), null, "test-assertions");
        return database.dsl();
    }

    public String dbUrl() {
        return dbUrl;
    }

    public Path root() {
        return root;
    }

    /**
     * A folder the test and its scripts can both write to (gates, pid files). A node running as root runs scripts as
     * another user, who cannot get into {@link #root()} (private, as temporary folders are made).
     */
    public synchronized Path scriptExchange() {
        if (scriptExchange == null) {
            try {
                scriptExchange = Files.createTempDirectory("octopus-exchange-");
                Files.setPosixFilePermissions(scriptExchange, PosixFilePermissions.fromString("rwxrwxrwx"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return scriptExchange;
    }

    @Override
    public void close() {
        nodes.forEach(OctopusNode::close);
        if (database != null) database.close();
        if (scriptExchange != null) FileTrees.deleteTree(scriptExchange);
    }
}
