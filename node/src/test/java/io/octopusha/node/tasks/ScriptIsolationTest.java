package io.octopusha.node.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import io.octopusha.node.OctopusNode;
import io.octopusha.node.local.NodeProcess;
import io.octopusha.node.storage.FileTrees;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.Ports;
import io.octopusha.node.testing.Tasks;
import io.octopusha.node.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a script can reach of the node that runs it (issue 24: an Operator's script printed the admin key and the
 * database settings from its environment and from the node's /proc/PID/environ). The node runs as its own process,
 * with its settings in real environment variables and the admin key in a _FILE, as in production.
 */
class ScriptIsolationTest {
    private static final String DB_PASSWORD = "db-password-not-for-scripts";
    private static final Pattern ENV_LINE = Pattern.compile(" Info env: ([A-Za-z_][A-Za-z0-9_]*)=");
    /** What bash adds to the environment it was given (PWD, SHLVL, _) besides what the node gives every script. */
    private static final Set<String> ALLOWED_ENVIRONMENT = Set.of("PATH", "HOME", "LANG", "OCTOPUS_TASK_ID",
            "OCTOPUS_ARTIFACTS_DIR", "PWD", "SHLVL", "_");

    private static TestCluster cluster;
    private static NodeProcess node;
    private static Api admin;
    private static Path adminKeyFile;

    @BeforeAll
    static void start() throws Exception {
        cluster = new TestCluster();
        // In a folder every user may enter, readable by every user (the default umask) unless the node sees to it.
        Path secrets = Files.createTempDirectory("octopus-secrets-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        adminKeyFile = Files.writeString(secrets.resolve("admin-api-key"), TestCluster.ADMIN_KEY + "\n");
        Files.setPosixFilePermissions(adminKeyFile, PosixFilePermissions.fromString("rw-r--r--"));
        Map<String, String> env = cluster.environment("scripts", Map.of(
                "OCTOPUS_SCRIPT_TASKS", "Operator",
                "OCTOPUS_DB_PASSWORD", DB_PASSWORD,
                "OCTOPUS_ADMIN_API_KEY_FILE", adminKeyFile.toString()));
        env.remove("OCTOPUS_ADMIN_API_KEY");
        node = NodeProcess.start("scripts", Ports.free(), env, cluster.root().resolve("logs/scripts.log"), List.of("-Xmx128m"));
        node.awaitReady(Duration.ofSeconds(60));
        admin = new Api(node.baseUrl(), TestCluster.ADMIN_KEY);
    }

    @AfterAll
    static void stop() {
        if (node != null) node.close();
        if (cluster != null) cluster.close();
        if (adminKeyFile != null) FileTrees.deleteTree(adminKeyFile.getParent());
    }

    @Test
    void aNodeWithScriptTasksDisabledRefusesToCreateThemAndFailsOneThatReachesItWithoutRunningIt() throws Exception {
        OctopusNode disabled = cluster.start("no-scripts", Map.of("OCTOPUS_SCRIPT_TASKS", "Disabled"));
        Api viaDisabled = cluster.api(disabled);
        Path marker = cluster.scriptExchange().resolve("disabled-node-ran-a-script");
        try {
            Api.Response refused = viaDisabled.post("/api/tasks", "{\"Name\":\"AdHocScript\",\"Arguments\":{\"ScriptBody\":\"true\"}}");
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.json().get("ErrorMessage").asText()).contains("OCTOPUS_SCRIPT_TASKS is Disabled");
            Tasks.delay(viaDisabled, 0); // asserts 201: other task types are created as before

            // Queued through the node that allows scripts, while only the disabled one has room to run it.
            assertThat(admin.put("/api/octopusservernodes/" + node.nodeId(), "{\"MaxConcurrentTasks\":0}").status()).isEqualTo(200);
            String id = Tasks.script(admin, "touch '" + marker + "'");
            JsonNode task = Tasks.awaitCompleted(admin, id, Duration.ofSeconds(10));
            assertThat(task.get("State").asText()).isEqualTo("Failed");
            assertThat(task.get("ServerNode").asText()).isEqualTo("no-scripts");
            assertThat(task.get("ErrorMessage").asText()).contains("did not run the script").contains("Disabled");
            assertThat(marker).doesNotExist();
        } finally {
            viaDisabled.put("/api/octopusservernodes/" + disabled.localNode().id(), "{\"IsInMaintenanceMode\":true}");
            admin.put("/api/octopusservernodes/" + node.nodeId(), "{\"MaxConcurrentTasks\":5}");
        }
    }

    @Test
    void anOperatorsScriptSeesNeitherTheNodesSettingsNorItsEnvironmentNorItsSecretFiles() throws Exception {
        String operatorKey = admin.post("/api/apikeys", "{\"Purpose\":\"operator scripts\",\"Role\":\"Operator\"}")
                .json().get("ApiKey").asText();
        Api operator = admin.withKey(operatorKey);
        String id = Tasks.script(operator, String.join("\n",
                "echo \"script uid $(id -u)\"",
                "env | sed 's/^/env: /'",
                "for pid in $PPID " + node.pid() + "; do",
                "  tr '\\0' '\\n' < /proc/$pid/environ || echo \"environ of $pid unreadable\"",
                "done",
                "cat '" + adminKeyFile + "' || echo 'admin key file unreadable'",
                "echo 'probes done'"));
        JsonNode task = Tasks.awaitCompleted(operator, id, Duration.ofSeconds(20));
        String log = operator.get("/api/tasks/" + id + "/raw").body();
        assertThat(task.get("State").asText()).as(log).isEqualTo("Success");

        assertThat(log).as("the probes ran").contains("probes done")
                .contains("environ of " + node.pid() + " unreadable")
                .contains("admin key file unreadable");
        assertThat(log).doesNotContain(TestCluster.ADMIN_KEY, DB_PASSWORD, cluster.dbUrl(),
                "OCTOPUS_DB_", "OCTOPUS_ADMIN_API_KEY", "OCTOPUS_SHARED_DIR", "OCTOPUS_DATA_DIR");
        Set<String> environment = new TreeSet<>();
        Matcher m = ENV_LINE.matcher(log);
        while (m.find()) environment.add(m.group(1));
        assertThat(environment).contains("PATH", "HOME", "OCTOPUS_TASK_ID", "OCTOPUS_ARTIFACTS_DIR")
                .isSubsetOf(ALLOWED_ENVIRONMENT);
        if (isRoot()) {
            // A root node runs scripts as another user: root could read the environ of any process.
            assertThat(log).containsPattern("script uid [1-9][0-9]*").doesNotContain("script uid 0");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(adminKeyFile))).isEqualTo("rw-------");
        }
    }

    private static boolean isRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }
}
