package io.octopusha.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OperatorSettingsTest {

    @Test
    void defaultsWhenNothingIsSet() {
        OperatorSettings settings = OperatorSettings.from(Map.of());
        assertThat(settings.httpAddress()).isEqualTo("0.0.0.0");
        assertThat(settings.httpPort()).isEqualTo(8080);
        assertThat(settings.nodeApiTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.leaseNamespace()).isEmpty();
        assertThat(settings.watchNamespaces()).isEmpty();
    }

    @Test
    void watchNamespacesAreACommaSeparatedListAndEmptyMeansAll() {
        assertThat(OperatorSettings.watchNamespaces("")).isEmpty();
        assertThat(OperatorSettings.watchNamespaces(" team-a, team-b ,,")).isEqualTo(Set.of("team-a", "team-b"));
        assertThat(OperatorSettings.from(Map.of("OPERATOR_WATCH_NAMESPACES", "octopus-system", "OPERATOR_LEASE_NAMESPACE",
                "ops")).leaseNamespace()).hasValue("ops");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "OPERATOR_HTTP_PORT        | http",
            "OPERATOR_HTTP_PORT        | 70000",
            "OPERATOR_NODE_API_TIMEOUT | 5s",
            "OPERATOR_NODE_API_TIMEOUT | PT0S",
            "OPERATOR_HTTP_ADDRESS     | localhost",
    })
    void aBadSettingIsRefusedInOneLineNamingIt(String variable, String value) {
        assertThatThrownBy(() -> OperatorSettings.from(Map.of(variable, value)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(variable)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
