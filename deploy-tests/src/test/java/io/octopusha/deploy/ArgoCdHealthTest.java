package io.octopusha.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.crd.OctopusClusterSpec;
import io.octopusha.operator.flow.Conditions;
import io.octopusha.operator.flow.SpecValidation;
import io.octopusha.operator.flow.StatusBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/** Runs the Argo CD health check the way Argo CD does: the resource as the global table obj, a table returned. */
class ArgoCdHealthTest {
    private static final Path DIR = Repo.chart("octopus-operator").resolve("examples/argocd");

    record Health(String status, String message) {
    }

    @TestFactory
    Stream<DynamicTest> everyCaseOfHealthTestYaml() throws IOException {
        JsonNode cases = Serialization.yamlMapper().readTree(Files.readString(DIR.resolve("health_test.yaml")));
        assertThat(cases.get("tests")).hasSizeGreaterThanOrEqualTo(8);
        return Stream.of(Serialization.yamlMapper().treeToValue(cases.get("tests"), JsonNode[].class))
                .map(c -> DynamicTest.dynamicTest(c.get("inputPath").asText(), () -> {
                    JsonNode input = Serialization.yamlMapper().readTree(
                            Files.readString(DIR.resolve(c.get("inputPath").asText())));
                    assertThat(health(input)).isEqualTo(new Health(c.get("healthStatus").get("status").asText(),
                            c.get("healthStatus").get("message").asText()));
                }));
    }

    @Test
    void everyTestdataFileHasACase() throws IOException {
        String cases = Files.readString(DIR.resolve("health_test.yaml"));
        try (Stream<Path> files = Files.list(DIR.resolve("testdata"))) {
            assertThat(files).allSatisfy(f -> assertThat(cases).contains("testdata/" + f.getFileName()));
        }
    }

    @Test
    void statusTheOperatorWritesForAnInvalidSpecIsDegraded() {
        // The operator's own StatusBuilder, so a renamed condition or reason shows up here.
        OctopusCluster cluster = new OctopusCluster();
        cluster.setMetadata(new ObjectMetaBuilder().withName("octopus").withGeneration(4L).build());
        cluster.setSpec(new OctopusClusterSpec());
        cluster.setStatus(StatusBuilder.invalid(cluster, SpecValidation.INVALID_SPEC,
                List.of("spec.image is required"), Instant.parse("2026-11-20T10:00:00Z")));
        Health health = health(Serialization.jsonMapper().valueToTree(cluster));
        assertThat(health.status()).isEqualTo("Degraded");
        assertThat(health.message()).startsWith("InvalidSpec").contains("spec.image is required");
    }

    @Test
    void theReasonsTheLuaTellsApartAreTheOnesTheOperatorWrites() throws IOException {
        String lua = Files.readString(DIR.resolve("health.lua"));
        assertThat(lua).contains("\"" + Conditions.NODE_API_UNAVAILABLE + "\"", "\"" + Conditions.NO_NODES + "\"");
    }

    @Test
    void argoCdConfigMapPatchCarriesTheSameLua() throws IOException {
        Map<?, ?> cm = Serialization.unmarshal(Files.readString(DIR.resolve("argocd-cm-patch.yaml")), Map.class);
        Map<?, ?> data = (Map<?, ?>) cm.get("data");
        assertThat(data.get("resource.customizations.health.octopusha.io_OctopusCluster"))
                .isEqualTo(Files.readString(DIR.resolve("health.lua")));
    }

    private static Health health(JsonNode resource) {
        try {
            Globals globals = JsePlatform.standardGlobals();
            globals.set("obj", lua(resource));
            LuaValue result = globals.load(Files.readString(DIR.resolve("health.lua")), "health.lua").call();
            return new Health(result.get("status").tojstring(), result.get("message").tojstring());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** JSON to Lua the way Argo CD converts it: objects and arrays to tables (arrays from 1), scalars as they are. */
    private static LuaValue lua(JsonNode node) {
        if (node.isObject()) {
            LuaTable table = new LuaTable();
            node.properties().forEach(e -> table.set(e.getKey(), lua(e.getValue())));
            return table;
        }
        if (node.isArray()) {
            LuaTable table = new LuaTable();
            for (int i = 0; i < node.size(); i++) {
                table.set(i + 1, lua(node.get(i)));
            }
            return table;
        }
        if (node.isNumber()) {
            return LuaValue.valueOf(node.asDouble());
        }
        if (node.isBoolean()) {
            return LuaValue.valueOf(node.asBoolean());
        }
        return node.isNull() ? LuaValue.NIL : LuaValue.valueOf(node.asText());
    }
}
