package io.octopusha.node.storage;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Package versions in SemVer 2.0 order, with Octopus's 4-part versions. */
class PackageVersionTest {
    @Test
    void versionsSortAsSemVerSays() {
        List<String> ordered = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.0.1", "1.2.0", "1.10.0", "2.0.0-0", "2.0.0", "10.0.0");
        List<String> shuffled = new ArrayList<>(ordered);
        Collections.shuffle(shuffled, new java.util.Random(3));
        shuffled.sort(PackageVersion.ORDER);
        assertThat(shuffled).isEqualTo(ordered);
    }

    @Test
    void buildMetadataAndAMissingFourthPartChangeNothing() {
        assertThat(PackageVersion.compare("1.2.3+build.5", "1.2.3")).isZero();
        assertThat(PackageVersion.compare("1.2.3.0", "1.2.3")).isZero();
        assertThat(PackageVersion.compare("99999999999999999999.0.0", "1.0.0")).isPositive();
    }
}
