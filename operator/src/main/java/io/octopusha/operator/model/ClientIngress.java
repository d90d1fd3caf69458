package io.octopusha.operator.model;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLSBuilder;
import io.octopusha.operator.crd.Defaults;
import io.octopusha.operator.crd.IngressSpec;
import io.octopusha.operator.crd.OctopusCluster;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The optional Ingress to the client Service, ready for package uploads of a gigabyte and more. */
public final class ClientIngress {
    /** No body size limit, no request buffering, and an hour for slow uploads and long downloads (ingress-nginx). */
    public static final Map<String, String> DEFAULT_ANNOTATIONS = Map.of(
            "nginx.ingress.kubernetes.io/proxy-body-size", "0",
            "nginx.ingress.kubernetes.io/proxy-request-buffering", "off",
            "nginx.ingress.kubernetes.io/proxy-read-timeout", "3600",
            "nginx.ingress.kubernetes.io/proxy-send-timeout", "3600");

    private ClientIngress() {
    }

    public static Ingress desired(OctopusCluster cr) {
        IngressSpec ingress = cr.getSpec().ingress;
        Map<String, String> annotations = new TreeMap<>(DEFAULT_ANNOTATIONS);
        if (ingress.annotations != null) {
            annotations.putAll(ingress.annotations);
        }
        String host = Optional.ofNullable(ingress.host).filter(h -> !h.isBlank()).orElse(null);
        int port = Optional.ofNullable(cr.getSpec().service).map(s -> s.port).orElse(Defaults.SERVICE_PORT);
        var builder = new IngressBuilder()
                .withMetadata(Meta.of(cr, Names.ingress(cr)))
                .editMetadata().withAnnotations(annotations).endMetadata()
                .withNewSpec()
                .withIngressClassName(ingress.className)
                .addNewRule()
                .withHost(host)
                .withNewHttp()
                .addNewPath().withPath("/").withPathType("Prefix")
                .withNewBackend().withNewService().withName(Names.clientService(cr))
                .withNewPort().withNumber(port).endPort().endService().endBackend()
                .endPath()
                .endHttp()
                .endRule()
                .endSpec();
        if (ingress.tls != null && ingress.tls.secretName != null) {
            builder.editSpec().withTls(List.of(new IngressTLSBuilder()
                    .withSecretName(ingress.tls.secretName)
                    .withHosts(host == null ? List.of() : List.of(host))
                    .build())).endSpec();
        }
        return builder.build();
    }
}
