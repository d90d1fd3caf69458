package io.octopusha.node.api;

import io.javalin.config.RoutesConfig;
import io.octopusha.node.auth.Role;
import io.octopusha.node.cluster.ClusterHealth;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/licenses/licenses-current-status}: Octopus's licence status, with the limits that exist here: the
 * node limit (OCTOPUS_NODE_LIMIT of the node that answers, against the nodes online) and the task caps. There is no
 * licence key: nothing expires.
 */
public final class LicensesApi implements ApiRoutes {
    public static final String STATUS = "/api/licenses/licenses-current-status";
    static final String INFORMATION = "Information";
    static final String WARNING = "Warning";
    static final String ERROR = "Error";

    private final ClusterHealth cluster;

    public LicensesApi(ClusterHealth cluster) {
        this.cluster = cluster;
    }

    record Message(String message, String disposition) {
    }

    record Limit(String name, int effectiveLimit, int licensedLimit, String effectiveLimitDescription,
                 String licenseLimitDescription, boolean isUnlimited, int currentUsage, String message, String disposition) {
    }

    record LicenseStatus(boolean isCompliant, String hostingEnvironment, String complianceSummary, List<Message> messages,
                         List<Limit> limits, boolean doesExpiryBlockKeyActivities, int effectiveNodeTaskLimit,
                         int effectiveClusterTaskLimit, boolean isNodeTaskLimitControlledByLicense,
                         boolean isClusterTaskLimitControlledByLicense, Map<String, String> links) {
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(STATUS, ctx -> ctx.json(status(cluster.current())), Role.Viewer);
    }

    static LicenseStatus status(ClusterHealth.Snapshot now) {
        List<Limit> limits = new ArrayList<>();
        if (now.nodeLimit().isPresent()) {
            int limit = now.nodeLimit().getAsInt();
            String disposition = now.onlineNodes() > limit ? ERROR : now.onlineNodes() == limit ? WARNING : INFORMATION;
            String message = now.onlineNodes() > limit ? now.onlineNodes() + " nodes are online, over the limit of " + limit + "."
                    : now.onlineNodes() == limit ? "The node limit is reached: another node will not join."
                    : (limit - now.onlineNodes()) + " more node(s) may join.";
            limits.add(new Limit("Nodes", limit, limit, limit + " nodes (OCTOPUS_NODE_LIMIT)", limit + " nodes", false,
                    now.onlineNodes(), message, disposition));
        } else {
            limits.add(new Limit("Nodes", Integer.MAX_VALUE, Integer.MAX_VALUE, "Unlimited", "Unlimited", true,
                    now.onlineNodes(), "OCTOPUS_NODE_LIMIT is not set: any number of nodes may join.", INFORMATION));
        }
        int capacity = now.clusterTaskLimit();
        limits.add(new Limit("Concurrent tasks", capacity, capacity, capacity
                + " (the task caps of the online nodes that are not drained)", "Set by each node's task cap", false,
                now.runningTasks(), now.runningTasks() + " task(s) running.", capacity == 0 && now.databaseReachable() ? WARNING : INFORMATION));
        List<Message> messages = new ArrayList<>();
        for (Limit l : limits) {
            if (!l.disposition().equals(INFORMATION)) messages.add(new Message(l.name() + ": " + l.message(), l.disposition()));
        }
        if (!now.databaseReachable()) messages.add(new Message("This node cannot reach the database: the figures are unknown.", ERROR));
        boolean compliant = now.compliantWithNodeLimit();
        String summary = compliant ? "Compliant: " + now.onlineNodes() + " node(s) online"
                + now.nodeLimit().stream().mapToObj(l -> " of at most " + l).findFirst().orElse("") + "."
                : "Not compliant: " + now.description();
        return new LicenseStatus(compliant, "SelfHosted", summary, messages, limits, false, ClusterHealth.NODE_TASK_LIMIT,
                capacity, false, false, Map.of("Self", STATUS));
    }
}
