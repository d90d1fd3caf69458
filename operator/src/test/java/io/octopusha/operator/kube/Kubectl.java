package io.octopusha.operator.kube;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** The real kubectl of the pinned version, as a user types it, with the admin kubeconfig. */
public final class Kubectl {
    private static final ExecutorService READERS = Executors.newVirtualThreadPerTaskExecutor();
    private final Path binary;
    private final Path kubeconfig;

    Kubectl(Path binary, Path kubeconfig) {
        this.binary = binary;
        this.kubeconfig = kubeconfig;
    }

    public record Result(int exitCode, String out, String err) {
        public Result assertSuccess() {
            if (exitCode != 0) throw new AssertionError("kubectl exited with " + exitCode + ": " + err + out);
            return this;
        }
    }

    public Result run(String... args) {
        return runWithInput(null, args);
    }

    /** kubectl in the background, e.g. a drain that waits for evictions while the test watches. */
    public CompletableFuture<Result> start(String... args) {
        return CompletableFuture.supplyAsync(() -> run(args), READERS);
    }

    /** kubectl with {@code input} on its standard input, e.g. {@code apply -f -}. */
    public Result runWithInput(String input, String... args) {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--kubeconfig=" + kubeconfig));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).start();
            // Not on the common pool: fabric8 completes its requests there, and on 2 cores it has one thread.
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()), READERS);
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()), READERS);
            try (var stdin = process.getOutputStream()) {
                if (input != null) stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish");
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
