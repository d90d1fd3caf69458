package io.octopusha.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/** Paths in the repository and rendering of its charts with Helm's own engine. */
final class Repo {
    /** The Kubernetes version templates are rendered for; the charts declare kubeVersion >= 1.27. */
    static final String KUBE_VERSION = "v1.31.0";

    private Repo() {
    }

    static Path root() {
        return Path.of(Objects.requireNonNull(System.getProperty("repo.root"), "system property repo.root")).normalize();
    }

    static Path chart(String name) {
        return root().resolve("charts").resolve(name);
    }

    static List<HasMetadata> render(String chart, String release, String namespace, Map<String, String> values) {
        return render(chart, release, namespace, t -> {
            values.forEach(t::set);
            return t;
        });
    }

    static List<HasMetadata> render(String chart, String release, String namespace, UnaryOperator<TemplateCommand> options) {
        String yaml = options.apply(new Helm(chart(chart)).template().withName(release).withNamespace(namespace)
                .withKubeVersion(KUBE_VERSION)).call();
        return parse(yaml);
    }

    /** Every document of a multi-document YAML stream, as fabric8 model objects (GenericKubernetesResource if unknown). */
    static List<HasMetadata> parse(String yaml) {
        Object parsed = Serialization.unmarshal(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        List<HasMetadata> all = new ArrayList<>();
        if (parsed instanceof List<?> list) {
            list.forEach(o -> all.add((HasMetadata) o));
        } else if (parsed != null) {
            all.add((HasMetadata) parsed);
        }
        return all;
    }

    static <T extends HasMetadata> List<T> ofType(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
        List<T> found = ofType(objects, type);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + ", found " + found.size());
        }
        return found.get(0);
    }
}
