package io.octopusha.node.api;

import io.javalin.config.RoutesConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.octopusha.node.auth.Role;

/** Prometheus metrics of this node, in the text exposition format. */
public final class MetricsApi implements ApiRoutes {
    private final PrometheusMeterRegistry registry;

    public MetricsApi(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(registry.scrape()), Role.Viewer);
    }
}
