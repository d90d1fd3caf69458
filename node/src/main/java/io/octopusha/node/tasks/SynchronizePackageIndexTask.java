package io.octopusha.node.tasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.octopusha.node.input.JsonFields;
import io.octopusha.node.queue.TaskOutcome;
import io.octopusha.node.storage.PackageStore;

import java.util.List;
import java.util.Set;

/** SynchronizeBuiltInPackageRepositoryIndex: re-reads the packages folder into the database. */
public final class SynchronizePackageIndexTask implements TaskType {
    private final PackageStore packages;

    public SynchronizePackageIndexTask(PackageStore packages) {
        this.packages = packages;
    }

    @Override public String name() { return "SynchronizeBuiltInPackageRepositoryIndex"; }
    @Override public String defaultDescription() { return "Synchronize the built-in package repository index"; }
    @Override public boolean isSystem() { return true; }

    @Override
    public void validate(ObjectNode arguments) {
        JsonFields.onlyFields(arguments, "SynchronizeBuiltInPackageRepositoryIndex arguments", Set.of());
    }

    @Override
    public TaskOutcome run(TaskContext context) {
        List<String> changes = packages.synchronizeIndex();
        changes.forEach(context.log()::info);
        context.log().info("Package index synchronized: " + changes.size() + " change(s)");
        return TaskOutcome.success();
    }
}
