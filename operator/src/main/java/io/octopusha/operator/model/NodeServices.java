package io.octopusha.operator.model;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.octopusha.operator.crd.Defaults;
import io.octopusha.operator.crd.OctopusCluster;
import io.octopusha.operator.crd.ServiceSpec;
import java.util.Map;
import java.util.Optional;

/** The two Services of a cluster: per-node DNS, and the load-balanced client entry point. */
public final class NodeServices {
    private NodeServices() {
    }

    /**
     * Stable DNS for each node. Drained nodes answer the readiness ping with 418 and are not ready, yet must stay
     * resolvable, hence publishNotReadyAddresses.
     */
    public static Service headless(OctopusCluster cr) {
        return new ServiceBuilder()
                .withMetadata(Meta.of(cr, Names.headlessService(cr)))
                .withNewSpec()
                .withClusterIP("None")
                .withPublishNotReadyAddresses(true)
                .withSelector(Labels.selector(cr))
                .addNewPort().withName("http").withPort(Names.NODE_HTTP_PORT)
                .withTargetPort(new IntOrString("http")).endPort()
                .endSpec()
                .build();
    }

    /** Selects only pods the operator labelled load-balancer=in; readiness (the ping) removes drained ones too. */
    public static Service client(OctopusCluster cr) {
        ServiceSpec service = Optional.ofNullable(cr.getSpec().service).orElseGet(ServiceSpec::new);
        Map<String, String> selector = Labels.selector(cr);
        selector.put(Labels.LOAD_BALANCER, Labels.IN);
        return new ServiceBuilder()
                .withMetadata(Meta.of(cr, Names.clientService(cr)))
                .withNewSpec()
                .withType(Optional.ofNullable(service.type).orElse(ServiceSpec.ServiceType.ClusterIP).name())
                .withSessionAffinity(Optional.ofNullable(service.sessionAffinity)
                        .orElse(ServiceSpec.SessionAffinity.None).name())
                .withSelector(selector)
                .addNewPort().withName("http")
                .withPort(Optional.ofNullable(service.port).orElse(Defaults.SERVICE_PORT))
                .withTargetPort(new IntOrString("http")).endPort()
                .endSpec()
                .build();
    }
}
