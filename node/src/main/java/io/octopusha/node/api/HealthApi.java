package io.octopusha.node.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.octopusha.node.auth.Role;
import io.octopusha.node.cluster.LocalNode;

import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.util.Map;

/**
 * The load balancer's ping, and the readiness and liveness probes of an orchestrator. The ping is answered from memory: its body is
 * serialised again only when the node's state changes, and its status is read from in-memory flags.
 */
public final class HealthApi implements ApiRoutes {
    public static final String PING = "/api/octopusservernodes/ping";
    public static final String LIVE = "/api/health/live";
    public static final String READY = "/api/health/ready";

    private final LocalNode node;
    private final ObjectMapper mapper = Json.mapper();
    private volatile byte[] pingBody;

    public HealthApi(LocalNode node) {
        this.node = node;
        node.onChange(this::refreshBody);
        refreshBody();
    }

    record PingBody(String id, String name, OffsetDateTime lastSeen, boolean isOffline, int maxConcurrentTasks,
                    boolean isInMaintenanceMode, String version, Map<String, String> links) {
    }

    private void refreshBody() {
        try {
            pingBody = mapper.writeValueAsBytes(new PingBody(node.id(), node.name(), node.lastSeen(), node.offline(),
                    node.settings().maxConcurrentTasks(), node.settings().inMaintenanceMode(), node.version(),
                    Map.of("Self", PING, "Node", NodesApi.PATH + "/" + node.id())));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** 503 without a database or a writable shared directory, or while stopping; 418 while draining or drained; 200 otherwise. */
    public int pingStatus() {
        if (node.isStopping() || node.databaseUnreachable() || node.storageProblem() != null) return 503;
        if (node.draining()) return 418;
        return 200;
    }

    /**
     * Whether this node can serve API calls: 503 when the ping would be 503 and while shutting down, 200 otherwise,
     * drained or not. Kubernetes counts a not-ready pod as disrupted, so a drained node that still serves the API must
     * stay ready; load balancers that must also skip drained nodes use the ping.
     */
    public int readyStatus() {
        return pingStatus() == 503 || node.isShuttingDown() ? 503 : 200;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(PING, this::ping, Role.Anonymous);
        routes.get(READY, ctx -> ctx.status(readyStatus()).contentType("application/json").result(pingBody), Role.Anonymous);
        routes.get(LIVE, ctx -> ctx.json(Map.of("Status", "Alive", "Node", node.name())), Role.Anonymous);
    }

    private void ping(Context ctx) {
        ctx.status(pingStatus()).contentType("application/json").result(pingBody);
    }
}
