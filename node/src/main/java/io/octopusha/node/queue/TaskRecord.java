package io.octopusha.node.queue;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.OffsetDateTime;

/** A task as stored. Its Id is {@code ServerTasks-<number>}; {@code serverNode} is the Id of the node that ran it. */
public record TaskRecord(
        long number,
        String spaceId,
        String name,
        String description,
        ObjectNode arguments,
        TaskState state,
        OffsetDateTime queueTime,
        OffsetDateTime queueTimeExpiry,
        OffsetDateTime startTime,
        OffsetDateTime completedTime,
        OffsetDateTime lastUpdatedTime,
        String serverNode,
        String errorMessage,
        boolean hasWarningsOrErrors) {

    public static final String ID_PREFIX = "ServerTasks-";

    public String id() {
        return ID_PREFIX + number;
    }

    /** The number in a task Id, or -1 when the Id is not one of ours. */
    public static long numberOf(String id) {
        if (id == null || !id.startsWith(ID_PREFIX)) return -1;
        String digits = id.substring(ID_PREFIX.length());
        if (!digits.matches("\\d{1,18}")) return -1;
        return Long.parseLong(digits);
    }
}
