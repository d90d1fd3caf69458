package io.octopusha.node.api;

import io.javalin.config.RoutesConfig;

/** One API area: registers its routes, each with the least role allowed to call it. */
public interface ApiRoutes {
    void register(RoutesConfig routes);
}
