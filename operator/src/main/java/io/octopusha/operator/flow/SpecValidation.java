package io.octopusha.operator.flow;

import io.octopusha.operator.crd.Durations;
import io.octopusha.operator.crd.NodeOverride;
import io.octopusha.operator.crd.OctopusClusterSpec;
import io.octopusha.operator.crd.SecretKeyRef;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What the operator checks before it creates or changes anything. The CRD schema already rejects most of this at the
 * API server; checking again here reports it clearly where no schema validation ran (older objects, test servers).
 */
public final class SpecValidation {
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String SECRET_NOT_FOUND = "SecretNotFound";

    private SpecValidation() {
    }

    /** Problems with the spec's own values. */
    public static List<String> specProblems(OctopusClusterSpec spec) {
        List<String> problems = new ArrayList<>();
        if (spec == null) {
            return List.of("spec is required");
        }
        if (spec.replicas == null || spec.replicas < 0) {
            problems.add("spec.replicas must be 0 or more");
        }
        if (spec.image == null || spec.image.isBlank()) {
            problems.add("spec.image is required");
        }
        if (spec.database == null || spec.database.urlSecretRef == null) {
            problems.add("spec.database.urlSecretRef is required");
        }
        if (spec.taskCap != null && (spec.taskCap < 0 || spec.taskCap > 1000)) {
            problems.add("spec.taskCap must be between 0 and 1000, not " + spec.taskCap);
        }
        if (spec.nodeLimit != null && spec.nodeLimit < 1) {
            problems.add("spec.nodeLimit must be 1 or more");
        }
        if (spec.drainTimeout != null && !spec.drainTimeout.matches(Durations.PATTERN)) {
            problems.add("spec.drainTimeout must look like 1h, 30m or 90s, not " + spec.drainTimeout);
        }
        Set<String> seen = new HashSet<>();
        for (NodeOverride node : Optional.ofNullable(spec.nodes).orElse(List.of())) {
            if (node.name == null || !seen.add(node.name)) {
                problems.add("spec.nodes[] needs a unique name for each entry: " + node.name);
            }
            if (node.taskCap != null && (node.taskCap < 0 || node.taskCap > 1000)) {
                problems.add("spec.nodes[" + node.name + "].taskCap must be between 0 and 1000, not " + node.taskCap);
            }
        }
        return problems;
    }

    /** Every Secret key the spec references, so a missing one can be named before anything is created. */
    public static List<SecretKeyRef> referencedSecrets(OctopusClusterSpec spec) {
        List<SecretKeyRef> refs = new ArrayList<>();
        if (spec.database != null) {
            Optional.ofNullable(spec.database.urlSecretRef).ifPresent(refs::add);
            Optional.ofNullable(spec.database.userSecretRef).ifPresent(refs::add);
            Optional.ofNullable(spec.database.passwordSecretRef).ifPresent(refs::add);
        }
        Optional.ofNullable(spec.adminApiKeySecretRef).ifPresent(refs::add);
        return refs;
    }

    /**
     * @param secretData the data of a Secret by name, or null when it does not exist
     */
    public static List<String> secretProblems(OctopusClusterSpec spec, Function<String, Map<String, String>> secretData) {
        List<String> problems = new ArrayList<>();
        for (SecretKeyRef ref : referencedSecrets(spec)) {
            Map<String, String> data = secretData.apply(ref.name);
            if (data == null) {
                problems.add("Secret " + ref.name + " not found");
            } else if (!data.containsKey(ref.key)) {
                problems.add("Secret " + ref.name + " has no key " + ref.key);
            }
        }
        return problems.stream().distinct().toList();
    }
}
