package io.octopusha.node.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    private static NodeConfig load(Map<String, String> env, String... args) {
        Map<String, String> withName = new HashMap<>(env);
        withName.putIfAbsent("OCTOPUS_NODE_NAME", "n1");
        return ConfigLoader.load(withName, args);
    }

    @Test
    void defaultsFollowTheSpec() {
        NodeConfig c = load(Map.of());
        assertThat(c.nodeId()).isEqualTo("OctopusServerNodes-n1");
        assertThat(c.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(c.httpPort()).isEqualTo(8080);
        assertThat(c.dbUrl()).isNull();
        assertThat(c.dataDir()).isEqualTo(Path.of("data"));
        assertThat(c.sharedDir()).isEqualTo(Path.of("data", "shared"));
        assertThat(c.taskCap()).isEqualTo(5);
        assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.offlineAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.queueTimeout()).isEqualTo(Duration.ofDays(1));
        assertThat(c.shutdownGrace()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.adminApiKey()).isNull();
        assertThat(c.nodeLimit()).isEmpty();
        assertThat(c.scriptTasks()).isEqualTo(ScriptTasks.Administrator);
        assertThat(c.scriptUid()).isEqualTo(65534);
        assertThat(c.scriptGid()).isEqualTo(65534);
        assertThat(c.secretFiles()).isEmpty();
    }

    @Test
    void scriptTasksCanBeGrantedToOperatorsOrTurnedOffAndRunAsAChosenUser() {
        assertThat(load(Map.of("OCTOPUS_SCRIPT_TASKS", "Operator")).scriptTasks()).isEqualTo(ScriptTasks.Operator);
        assertThat(load(Map.of(), "--script-tasks=disabled").scriptTasks()).isEqualTo(ScriptTasks.Disabled);
        NodeConfig own = load(Map.of("OCTOPUS_SCRIPT_USER", "1500"));
        assertThat(List.of(own.scriptUid(), own.scriptGid())).containsExactly(1500, 1500);
        NodeConfig both = load(Map.of(), "--script-user", "1500:1600");
        assertThat(List.of(both.scriptUid(), both.scriptGid())).containsExactly(1500, 1600);
    }

    @Test
    void flagsOverrideTheEnvironmentInBothForms() {
        NodeConfig c = load(Map.of("OCTOPUS_HTTP_PORT", "9000", "OCTOPUS_TASK_CAP", "3"),
                "--http-port=8082", "--task-cap", "7", "--node-limit", "4");
        assertThat(c.httpPort()).isEqualTo(8082);
        assertThat(c.taskCap()).isEqualTo(7);
        assertThat(c.nodeLimit()).hasValue(4);
    }

    @Test
    void theBindAddressIsALiteralAddress() {
        assertThat(load(Map.of("OCTOPUS_BIND_ADDRESS", "127.0.0.7")).bindAddress()).isEqualTo("127.0.0.7");
        assertThat(load(Map.of(), "--bind-address=::1").bindAddress()).isEqualTo("0:0:0:0:0:0:0:1");
    }

    @Test
    void secretsAreReadFromFiles(@TempDir Path dir) throws Exception {
        Path password = Files.writeString(dir.resolve("pw"), "s3cret\n");
        Path key = Files.writeString(dir.resolve("key"), "API-ABCDEFGHIJKLMNOPQRST\n");
        NodeConfig c = load(Map.of("OCTOPUS_DB_URL", "jdbc:postgresql://db:5432/octopus",
                "OCTOPUS_DB_PASSWORD_FILE", password.toString(), "OCTOPUS_ADMIN_API_KEY_FILE", key.toString()));
        assertThat(c.dbPassword()).isEqualTo("s3cret");
        assertThat(c.adminApiKey()).isEqualTo("API-ABCDEFGHIJKLMNOPQRST");
        assertThat(c.secretFiles()).containsExactlyInAnyOrder(password, key);
    }

    @Test
    void unknownEnvironmentVariablesAreIgnoredButUnknownFlagsAreNot() {
        assertThat(load(Map.of("OCTOPUS_SERVICE_HOST", "10.0.0.1")).nodeName()).isEqualTo("n1");
        assertThatThrownBy(() -> load(Map.of(), "--task-capp=3"))
                .isInstanceOf(ConfigException.class).hasMessage("unknown flag --task-capp");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "OCTOPUS_NODE_NAME          | -leading-dash",
            "OCTOPUS_NODE_NAME          | has/slash",
            "OCTOPUS_BIND_ADDRESS       | localhost",
            "OCTOPUS_BIND_ADDRESS       | 127.0.0",
            "OCTOPUS_HTTP_PORT          | 70000",
            "OCTOPUS_HTTP_PORT          | http",
            "OCTOPUS_DB_URL             | postgres://db/octopus",
            "OCTOPUS_TASK_CAP           | -1",
            "OCTOPUS_TASK_CAP           | 1001",
            "OCTOPUS_TASK_CAP           | five",
            "OCTOPUS_HEARTBEAT_INTERVAL | 5s",
            "OCTOPUS_HEARTBEAT_INTERVAL | PT0S",
            "OCTOPUS_OFFLINE_AFTER      | PT6S",
            "OCTOPUS_QUEUE_TIMEOUT      | -PT1H",
            "OCTOPUS_SHUTDOWN_GRACE     | ten minutes",
            "OCTOPUS_ADMIN_API_KEY      | secret",
            "OCTOPUS_NODE_LIMIT         | 0",
            "OCTOPUS_DATA_DIR           | ' '",
            "OCTOPUS_AUTH_FAILURE_LIMIT | 0",
            "OCTOPUS_SCRIPT_TASKS       | Everyone",
            "OCTOPUS_SCRIPT_TASKS       | Viewer",
            "OCTOPUS_SCRIPT_USER        | 0",
            "OCTOPUS_SCRIPT_USER        | 1000:0",
            "OCTOPUS_SCRIPT_USER        | nobody",
            "OCTOPUS_SCRIPT_USER        | 99999999999",
    })
    void eachInvalidSettingIsNamedInOneLine(String variable, String value) {
        assertThatThrownBy(() -> load(Map.of(variable, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(variable)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void credentialsWithoutAUrlAreRefused() {
        assertThatThrownBy(() -> load(Map.of("OCTOPUS_DB_USER", "octopus")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("OCTOPUS_DB_URL");
    }

    @Test
    void aSecretAndItsFileTogetherAreRefused(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("key"), "API-ABCDEFGHIJKLMNOPQRST");
        assertThatThrownBy(() -> load(Map.of("OCTOPUS_ADMIN_API_KEY", "API-ABCDEFGHIJKLMNOPQRST",
                "OCTOPUS_ADMIN_API_KEY_FILE", key.toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("OCTOPUS_ADMIN_API_KEY_FILE");
        assertThatThrownBy(() -> load(Map.of("OCTOPUS_ADMIN_API_KEY_FILE", dir.resolve("missing").toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("OCTOPUS_ADMIN_API_KEY_FILE cannot be read");
    }
}
