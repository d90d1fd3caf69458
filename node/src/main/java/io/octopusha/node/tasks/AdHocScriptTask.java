package io.octopusha.node.tasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.octopusha.node.auth.Role;
import io.octopusha.node.input.InvalidInputException;
import io.octopusha.node.input.JsonFields;
import io.octopusha.node.queue.TaskOutcome;
import io.octopusha.node.storage.TaskLog;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code ScriptBody} with bash in the task's working directory. Each output line goes to the task log
 * (stderr as errors); the exit code decides Success or Failed; {@code TimeoutSeconds} stops it. Cancel and
 * timeout end the whole process tree. Files the script writes to {@code $OCTOPUS_ARTIFACTS_DIR} become artifacts.
 * Who may create one, and what the script can reach, is the {@link ScriptSandbox}'s to say.
 */
public final class AdHocScriptTask implements TaskType {
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);
    private static final int MAX_SCRIPT = 1_000_000;

    private final ScriptSandbox sandbox;

    public AdHocScriptTask(ScriptSandbox sandbox) {
        this.sandbox = sandbox;
    }

    @Override public String name() { return "AdHocScript"; }
    @Override public String defaultDescription() { return "Run an ad-hoc script"; }

    @Override
    public void authorize(Role caller) {
        sandbox.authorize(caller);
    }

    @Override
    public void validate(ObjectNode arguments) {
        JsonFields.onlyFields(arguments, "AdHocScript arguments", Set.of("ScriptBody", "Syntax", "TimeoutSeconds"));
        JsonFields.requiredString(arguments, "ScriptBody", MAX_SCRIPT);
        String syntax = JsonFields.optionalString(arguments, "Syntax", 50);
        if (syntax != null && !syntax.equals("Bash")) {
            throw new InvalidInputException("Syntax must be Bash: this server runs scripts with bash only.");
        }
        JsonFields.optionalInt(arguments, "TimeoutSeconds", 1, 86_400);
    }

    @Override
    public TaskOutcome run(TaskContext context) throws Exception {
        // A task queued through another node, or before this node was told to run none.
        if (sandbox.unavailable() != null) {
            return TaskOutcome.failed("Node " + context.task().serverNode() + " did not run the script: " + sandbox.unavailable() + ".");
        }
        ObjectNode args = context.task().arguments();
        String script = args.get("ScriptBody").textValue();
        Integer timeoutSeconds = JsonFields.optionalInt(args, "TimeoutSeconds", 1, 86_400);
        Files.createDirectories(context.artifactsDirectory());
        sandbox.handOver(context.workDirectory(), context.artifactsDirectory());
        Process process = sandbox.process(script, context.task().id(), context.workDirectory(), context.artifactsDirectory()).start();
        process.getOutputStream().close();
        Thread out = Thread.ofVirtual().start(() -> copyLines(process.getInputStream(), context.log(), TaskLog.Category.Info));
        Thread err = Thread.ofVirtual().start(() -> copyLines(process.getErrorStream(), context.log(), TaskLog.Category.Error));
        context.cancellation().onCancel(() -> ProcessTree.terminate(process.toHandle(), KILL_GRACE));

        boolean finished = true;
        try {
            if (timeoutSeconds == null) process.waitFor();
            else finished = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!finished) ProcessTree.terminate(process.toHandle(), KILL_GRACE);
            out.join();
            err.join();
        } finally {
            sandbox.takeBack(context.artifactsDirectory());
        }
        if (context.cancellation().isCancelled()) return context.cancellation().outcome();
        if (!finished) {
            return TaskOutcome.failed("The script did not finish within " + timeoutSeconds + " seconds (TimeoutSeconds) and was stopped.");
        }
        int exit = process.exitValue();
        return exit == 0 ? TaskOutcome.success() : TaskOutcome.failed("The script exited with code " + exit + ".");
    }

    private static void copyLines(InputStream stream, TaskLog log, TaskLog.Category category) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) log.write(category, line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
