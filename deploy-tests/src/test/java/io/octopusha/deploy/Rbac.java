package io.octopusha.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/** Answers "may this ServiceAccount do that?" from rendered RBAC objects, the way the API server's authorizer would. */
record Rbac(List<HasMetadata> objects) {

    /** @param namespace where the request is made, or null for a cluster-wide (all namespaces or cluster-scoped) request */
    boolean allows(String saNamespace, String saName, String namespace, String group, String resource, String verb) {
        return rulesFor(saNamespace, saName, namespace).anyMatch(r -> matches(r, group, resource, verb));
    }

    /** Every rule granted to the ServiceAccount, in any namespace or cluster-wide. */
    Stream<PolicyRule> allRules(String saNamespace, String saName) {
        Stream<PolicyRule> cluster = Repo.ofType(objects, ClusterRoleBinding.class).stream()
                .filter(b -> binds(b.getSubjects(), saNamespace, saName))
                .flatMap(b -> rules(b.getRoleRef(), null));
        Stream<PolicyRule> namespaced = Repo.ofType(objects, RoleBinding.class).stream()
                .filter(b -> binds(b.getSubjects(), saNamespace, saName))
                .flatMap(b -> rules(b.getRoleRef(), b.getMetadata().getNamespace()));
        return Stream.concat(cluster, namespaced);
    }

    private Stream<PolicyRule> rulesFor(String saNamespace, String saName, String namespace) {
        Stream<PolicyRule> cluster = Repo.ofType(objects, ClusterRoleBinding.class).stream()
                .filter(b -> binds(b.getSubjects(), saNamespace, saName))
                .flatMap(b -> rules(b.getRoleRef(), null));
        if (namespace == null) {
            return cluster;
        }
        Stream<PolicyRule> namespaced = Repo.ofType(objects, RoleBinding.class).stream()
                .filter(b -> namespace.equals(b.getMetadata().getNamespace()))
                .filter(b -> binds(b.getSubjects(), saNamespace, saName))
                .flatMap(b -> rules(b.getRoleRef(), namespace));
        return Stream.concat(cluster, namespaced);
    }

    private Stream<PolicyRule> rules(RoleRef ref, String bindingNamespace) {
        if ("ClusterRole".equals(ref.getKind())) {
            return Repo.ofType(objects, ClusterRole.class).stream()
                    .filter(r -> r.getMetadata().getName().equals(ref.getName()))
                    .flatMap(r -> r.getRules().stream());
        }
        return Repo.ofType(objects, Role.class).stream()
                .filter(r -> r.getMetadata().getName().equals(ref.getName())
                        && Objects.equals(r.getMetadata().getNamespace(), bindingNamespace))
                .flatMap(r -> r.getRules().stream());
    }

    private static boolean binds(List<Subject> subjects, String saNamespace, String saName) {
        return subjects != null && subjects.stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
                && saName.equals(s.getName()) && saNamespace.equals(s.getNamespace()));
    }

    private static boolean matches(PolicyRule rule, String group, String resource, String verb) {
        return rule.getApiGroups().contains(group) && rule.getResources().contains(resource)
                && rule.getVerbs().contains(verb);
    }
}
