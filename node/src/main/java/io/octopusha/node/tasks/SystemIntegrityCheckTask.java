package io.octopusha.node.tasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.octopusha.node.db.Database;
import io.octopusha.node.input.JsonFields;
import io.octopusha.node.queue.TaskOutcome;
import io.octopusha.node.queue.TaskRecord;
import io.octopusha.node.queue.TaskState;
import io.octopusha.node.storage.PackageStore;
import io.octopusha.node.storage.SharedStorage;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.octopusha.node.db.schema.Tables.SERVER_TASK;

/**
 * Checks that the database schema is current, that every task that ran has its log on the shared directory,
 * and that the package index and the package files match both ways.
 */
public final class SystemIntegrityCheckTask implements TaskType {
    private final Database database;
    private final SharedStorage storage;
    private final PackageStore packages;

    public SystemIntegrityCheckTask(Database database, SharedStorage storage, PackageStore packages) {
        this.database = database;
        this.storage = storage;
        this.packages = packages;
    }

    @Override public String name() { return "SystemIntegrityCheck"; }
    @Override public String defaultDescription() { return "Check the integrity of the system"; }
    @Override public boolean isSystem() { return true; }

    @Override
    public void validate(ObjectNode arguments) {
        JsonFields.onlyFields(arguments, "SystemIntegrityCheck arguments", Set.of());
    }

    @Override
    public TaskOutcome run(TaskContext context) {
        List<String> problems = new ArrayList<>();
        String schema = database.schemaProblem();
        if (schema == null) context.log().info("Database schema: version " + database.schemaVersion() + ", up to date");
        else problems.add("database schema: " + schema);

        List<Long> ran = database.dsl().select(SERVER_TASK.NUMBER).from(SERVER_TASK)
                .where(SERVER_TASK.START_TIME.isNotNull())
                .and(SERVER_TASK.STATE.notIn(TaskState.ACTIVE.stream().map(Enum::name).toList()))
                .fetch(SERVER_TASK.NUMBER);
        long missing = ran.stream().filter(n -> !Files.exists(storage.taskLog(TaskRecord.ID_PREFIX + n)))
                .peek(n -> context.log().error("The log of " + TaskRecord.ID_PREFIX + n + " is missing"))
                .count();
        context.log().info("Task logs: " + (ran.size() - missing) + " of " + ran.size() + " finished tasks have theirs");
        if (missing > 0) problems.add(missing + " task log(s) missing from " + storage.taskLogs());

        List<String> packageProblems = packages.integrityProblems();
        context.log().info("Packages: " + packageProblems.size() + " problem(s) between the index and the files");
        problems.addAll(packageProblems);

        problems.forEach(context.log()::error);
        return problems.isEmpty() ? TaskOutcome.success()
                : TaskOutcome.failed("Integrity check found " + problems.size() + " problem(s): " + String.join("; ", problems));
    }
}
