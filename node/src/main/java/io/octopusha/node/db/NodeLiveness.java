package io.octopusha.node.db;

import org.jooq.Field;
import org.jooq.impl.DSL;

import static io.octopusha.node.db.schema.Tables.OCTOPUS_SERVER_NODE;

/**
 * When the cluster counts a node offline. It sits beside the schema because both the node records (cluster) and the
 * failover of their tasks (queue) ask it, and the node records also fail a deleted node's tasks through the queue.
 */
public final class NodeLiveness {
    /** Offline by the database clock: stopped cleanly, or not seen for that node's own OFFLINE_AFTER. */
    public static final Field<Boolean> IS_OFFLINE = DSL.field(
            "({0} or {1} < now() - {2} * interval '1 millisecond')", Boolean.class,
            OCTOPUS_SERVER_NODE.HAS_STOPPED, OCTOPUS_SERVER_NODE.LAST_SEEN, OCTOPUS_SERVER_NODE.OFFLINE_AFTER_MS);

    private NodeLiveness() {
    }
}
