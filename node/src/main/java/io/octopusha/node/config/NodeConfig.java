package io.octopusha.node.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * Everything a node is started with (SPEC section 3). Built by {@link ConfigLoader}, which validates it all,
 * so a NodeConfig is always complete and consistent.
 *
 * @param bindAddress the address the HTTP server listens on; 0.0.0.0 is every interface
 * @param dbUrl       JDBC URL of the shared PostgreSQL; null means an embedded PostgreSQL under dataDir/pg
 * @param adminApiKey bootstrap administrator key; null means one is generated (once per cluster) and logged
 * @param retentionMaxAge finished tasks older than this are removed by the daily Retention task
 * @param authFailureLimit invalid API keys one client address may send per minute before it gets 429s
 * @param scriptTasks who may create AdHocScript tasks, or Disabled
 * @param scriptUid   the user a node running as root runs scripts as (with {@code scriptGid})
 * @param secretFiles the _FILE paths secrets were read from (once, at start)
 */
public record NodeConfig(
        String nodeName,
        String bindAddress,
        int httpPort,
        String dbUrl,
        String dbUser,
        String dbPassword,
        Path dataDir,
        Path sharedDir,
        int taskCap,
        Duration heartbeatInterval,
        Duration offlineAfter,
        Duration queueTimeout,
        Duration shutdownGrace,
        String adminApiKey,
        OptionalInt nodeLimit,
        Duration retentionMaxAge,
        Duration healthCheckInterval,
        Duration integrityCheckInterval,
        int authFailureLimit,
        ScriptTasks scriptTasks,
        int scriptUid,
        int scriptGid,
        List<Path> secretFiles) {

    public String nodeId() {
        return "OctopusServerNodes-" + nodeName;
    }
}
