package io.octopusha.node.tasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.octopusha.node.cluster.NodeRecord;
import io.octopusha.node.cluster.NodeRegistry;
import io.octopusha.node.input.JsonFields;
import io.octopusha.node.queue.TaskOutcome;
import io.octopusha.node.storage.SharedStorage;
import org.jooq.DSLContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Checks what a node needs: the database answers, the shared directory is writable, and which nodes check in. */
public final class HealthTask implements TaskType {
    private final DSLContext db;
    private final SharedStorage storage;
    private final NodeRegistry registry;

    public HealthTask(DSLContext db, SharedStorage storage, NodeRegistry registry) {
        this.db = db;
        this.storage = storage;
        this.registry = registry;
    }

    @Override public String name() { return "Health"; }
    @Override public String defaultDescription() { return "Check the health of the cluster"; }
    @Override public boolean isSystem() { return true; }

    @Override
    public void validate(ObjectNode arguments) {
        JsonFields.onlyFields(arguments, "Health arguments", Set.of());
    }

    @Override
    public TaskOutcome run(TaskContext context) {
        List<String> problems = new ArrayList<>();
        try {
            db.selectOne().fetch();
            context.log().info("Database: reachable");
        } catch (RuntimeException e) {
            problems.add("the database cannot be reached: " + e.getMessage());
        }
        String storageProblem = storage.checkWritable();
        if (storageProblem == null) context.log().info("Shared directory " + storage.root() + ": writable");
        else problems.add(storageProblem);
        for (NodeRecord node : registry.all()) {
            String line = "Node " + node.name() + ": " + node.status() + ", last seen " + node.lastSeen()
                    + ", " + node.runningTasks() + " running of " + node.maxConcurrentTasks();
            if (node.offline()) context.log().warn(line);
            else context.log().info(line);
        }
        problems.forEach(context.log()::error);
        return problems.isEmpty() ? TaskOutcome.success()
                : TaskOutcome.failed("Health check found " + problems.size() + " problem(s): " + String.join("; ", problems));
    }
}
