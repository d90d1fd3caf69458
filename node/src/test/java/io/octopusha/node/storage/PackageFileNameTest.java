package io.octopusha.node.storage;

import io.octopusha.node.input.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PackageFileNameTest {

    @ParameterizedTest
    @CsvSource({
            "MyApp.1.0.0.zip, MyApp, 1.0.0, .zip",
            "MyApp.Web.2.3.4.5.nupkg, MyApp.Web, 2.3.4.5, .nupkg",
            "my-app.1.2.3-beta.1+build.7.tar.gz, my-app, 1.2.3-beta.1+build.7, .tar.gz",
            "Thing2.0.1.tgz, Thing2, 0.1, .tgz",
            "lib.10.20.30.jar, lib, 10.20.30, .jar",
            "a.1.0.tar, a, 1.0, .tar",
            "App.V2.3.1.0.zip, App.V2, 3.1.0, .zip",
    })
    void parsesIdVersionAndExtension(String file, String id, String version, String extension) {
        PackageFileName name = PackageFileName.parse(file);
        assertThat(name.packageId()).isEqualTo(id);
        assertThat(name.version()).isEqualTo(version);
        assertThat(name.extension()).isEqualTo(extension);
        assertThat(name.id()).isEqualTo("packages-" + id + "." + version);
        assertThat(name.fileName()).isEqualTo(file);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "../MyApp.1.0.0.zip", "dir/MyApp.1.0.0.zip", "dir\\MyApp.1.0.0.zip", "MyApp..1.0.0.zip",
            "MyApp.1.0.0.exe", "MyApp.zip", "MyApp.1.0.0.zip.zip", ".1.0.0.zip", "MyApp.1.0.0", "MyApp.1.zip",
            "My App.1.0.0.zip", "MyApp.1.0.0-.zip", "C:MyApp.1.0.0.zip", "MyApp.v1.zip", " "})
    void refusesWhatIsNotAPackageName(String file) {
        assertThatThrownBy(() -> PackageFileName.parse(file)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void refusesControlCharactersAndOverlongNames() {
        assertThatThrownBy(() -> PackageFileName.parse("My\u0007App.1.0.0.zip")).hasMessageContaining("control characters");
        assertThatThrownBy(() -> PackageFileName.parse("MyApp.1.0.0\n.zip")).hasMessageContaining("control characters");
        assertThatThrownBy(() -> PackageFileName.parse("A".repeat(195) + ".1.0.0.zip")).hasMessageContaining("longer than 200");
    }
}
