package io.octopusha.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad specs are refused by the API server when they are applied, with a message naming the field, and the samples a
 * user copies pass the same validation (server-side dry run). No operator runs here: this is the CRD's own schema.
 */
@KubeTest
@Order(1)
class SpecValidationKubeTest {
    static final String NS = "validation";
    static KubeEnvironment env;

    @BeforeAll
    static void namespace(KubeEnvironment environment) {
        env = environment;
        env.createRestrictedNamespace(NS);
    }

    private static Kubectl.Result apply(String name, String extra) {
        return env.kubectl().runWithInput("""
                apiVersion: octopusha.io/v1alpha1
                kind: OctopusCluster
                metadata: {name: %s, namespace: %s}
                spec:
                  replicas: 3
                  image: octopusha/node:0.1.0
                  database: {urlSecretRef: {name: db, key: url}}
                %s""".formatted(name, NS, extra), "apply", "-f", "-");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "negative task cap          | octo | '  taskCap: -1'                                        | spec.taskCap",
            "negative replicas          | octo | '  replicas: -2'                                       | spec.replicas",
            "malformed memory limit     | octo | '  resources: {limits: {memory: 12XB}}'                | spec.resources.limits.memory: Invalid value: \"12XB\": must be a quantity",
            "empty storage size         | octo | '  sharedStorage: {size: \"\"}'                       | spec.sharedStorage.size: Invalid value: \"\": must be a quantity",
            "duration in words          | octo | '  drainTimeout: soon'                                | spec.drainTimeout: Invalid value: \"soon\": must look like 1h",
            "name too long for its pods | a-cluster-name-that-is-too-long-for-a-statefulset-pod | '' | metadata.name must be a DNS-1035 label",
            "name starting with a digit | 9octo | ''                                                  | metadata.name must be a DNS-1035 label",
            "node override of no pod    | octo | '  nodes: [{name: other}]'                            | spec.nodes[0].name",
            "ingress host not a name    | octo | '  ingress: {enabled: true, host: Bad_Host}'          | spec.ingress.host",
            "unknown upgrade strategy   | octo | '  upgradeStrategy: Sometime'                         | spec.upgradeStrategy",
            "misspelt field             | octo | '  taskcap: 3'                                        | unknown field \"spec.taskcap\"",
    })
    void aBadSpecIsRefusedAtApplyTimeNamingTheField(String what, String name, String extra, String message) {
        Kubectl.Result result = apply(name, extra.isEmpty() ? "" : extra + "\n");
        assertThat(result.exitCode()).as(what + ": " + result.out()).isNotZero();
        assertThat(result.err()).as(what).contains(message);
        assertThat(env.kubectl().run("get", "octo", "-n", NS, "-o", "name").out()).as("nothing was stored").isEmpty();
    }

    @Test
    void theExampleChartMakesTheUserChooseSharedStorage() {
        var install = new Helm(Repo.chart("octopus-example")).install().withName("demo").withNamespace(NS)
                .withKubeConfig(env.plane().adminKubeconfig()).withDryRunOption(DryRun.SERVER);
        assertThatThrownBy(install::call).hasMessageContaining("sharedStorage: set existingClaim");

        Release withClaim = new Helm(Repo.chart("octopus-example")).install().withName("demo").withNamespace(NS)
                .withKubeConfig(env.plane().adminKubeconfig()).withDryRunOption(DryRun.SERVER)
                .set("sharedStorage.hostPath.enabled", "false").set("sharedStorage.existingClaim", "nfs").call();
        assertThat(withClaim.getStatus()).isEqualTo("pending-install");
    }

    static Stream<Path> samples() throws IOException {
        return Stream.of("minimal.yaml", "production.yaml", "secrets.yaml", "ingress.yaml")
                .map(f -> Repo.chart("octopus-operator").resolve("examples").resolve(f)).filter(Files::exists);
    }

    @ParameterizedTest
    @MethodSource("samples")
    void theSamplesPassTheApiServersValidation(Path sample) {
        Kubectl.Result result = env.kubectl().run("apply", "--dry-run=server", "-n", NS, "-f", sample.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
    }
}
