package io.octopusha.node.cluster;

import io.octopusha.node.db.Notifications;

/**
 * How a drain, or a change of task cap, reaches the node it is for, whichever node or command made it:
 * <ol>
 *   <li>{@code PUT /api/octopusservernodes/{id}} ({@code api/NodesApi}) or {@code node --drain=true}
 *       ({@code admin/NodeCommand}, through {@link NodeMaintenance}) calls {@link NodeRegistry#update}, which writes
 *       the node's record;</li>
 *   <li>a trigger on the record (migration V1) sends {@code NOTIFY} on {@link #CHANNEL} with the node's Id once that
 *       commits;</li>
 *   <li>every node hears it through {@link Notifications}, and the one it is for reads its settings again here and
 *       applies them to its {@link LocalNode};</li>
 *   <li>the change listeners of {@link LocalNode} wake the claim loop ({@code tasks/ClaimLoop}), which claims nothing
 *       while {@link LocalNode#draining()} and up to the new cap otherwise; the ping ({@code api/HealthApi}) answers
 *       418 from then on. Tasks already running finish.</li>
 * </ol>
 * A notification missed while the listening connection was down is made up for when it reconnects, and every
 * {@link Heartbeat} reads the settings again anyway. A SIGTERM shutdown is no drain: it leaves the record's drain
 * flag alone, and the node's own {@link LocalNode#beginShutdown()} stops its claims the same way.
 */
public final class Drain {
    /** Notified with a node's Id when its task cap or drain flag changes, or its record is deleted. */
    public static final String CHANNEL = "octopus_node_settings";

    private final NodeRegistry registry;
    private final LocalNode node;

    public Drain(NodeRegistry registry, LocalNode node) {
        this.registry = registry;
        this.node = node;
    }

    /** Applies every change to this node's settings from now on; call before {@link Notifications#start()}. */
    public void listenOn(Notifications notifications) {
        notifications.listen(CHANNEL, nodeId -> {
            if (nodeId.equals(node.id())) apply();
        });
        notifications.onReconnect(this::apply);
    }

    /** Reads this node's settings and applies them; nothing changes if they are the same (or its record is gone). */
    private void apply() {
        registry.settings(node.id()).ifPresent(node::settingsChanged);
    }
}
