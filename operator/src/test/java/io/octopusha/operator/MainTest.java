package io.octopusha.operator;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {

    @Test
    void watchNamespacesAreACommaSeparatedListAndEmptyMeansAll() {
        assertThat(Main.watchNamespaces("")).isEmpty();
        assertThat(Main.watchNamespaces(" team-a, team-b ,,")).isEqualTo(Set.of("team-a", "team-b"));
        assertThat(Main.watchNamespaces("octopus-system")).containsExactly("octopus-system");
    }
}
