package io.octopusha.node.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy in front of nodes: round robin, health check on the ping expecting 200 every 500 ms, so a
 * draining node (418) leaves the rotation while still answering the requests it has. Stats are served as
 * CSV on a second port, where tests read each server's state.
 */
public final class Haproxy implements AutoCloseable {
    private final Process process;
    private final int statsPort;

    public record Backend(String name, int port) {
    }

    private Haproxy(Process process, int statsPort) {
        this.process = process;
        this.statsPort = statsPort;
    }

    public static boolean installed() {
        return Programs.find("haproxy").isPresent();
    }

    public static String config(int port, int statsPort, List<Backend> backends) {
        StringBuilder cfg = new StringBuilder("""
                global
                    maxconn 2000

                defaults
                    mode http
                    timeout connect 2s
                    # Long client/server timeouts: package uploads of a gigabyte or more take minutes.
                    timeout client 1h
                    timeout server 1h
                    option redispatch
                    retries 2
                    # A node killed mid-request leaves an empty response: send the request to another node.
                    # Bodies are buffered so that a POST can be sent again.
                    option http-buffer-request
                    retry-on conn-failure empty-response response-timeout

                frontend octopus
                    bind 127.0.0.1:%d
                    default_backend nodes

                frontend stats
                    bind 127.0.0.1:%d
                    stats enable
                    stats uri /stats

                backend nodes
                    balance roundrobin
                    option httpchk GET /api/octopusservernodes/ping
                    http-check expect status 200
                    default-server inter 500ms fastinter 250ms fall 1 rise 2
                """.formatted(port, statsPort));
        for (Backend b : backends) {
            cfg.append("    server ").append(b.name()).append(" 127.0.0.1:").append(b.port()).append(" check\n");
        }
        return cfg.toString();
    }

    /** Writes the configuration into {@code dir} and runs HAProxy in the foreground, its output in dir/haproxy.log. */
    public static Haproxy start(Path dir, int port, int statsPort, List<Backend> backends) {
        try {
            Files.createDirectories(dir);
            Path cfg = dir.resolve("haproxy.cfg");
            Files.writeString(cfg, config(port, statsPort, backends));
            Process process = new ProcessBuilder("haproxy", "-db", "-f", cfg.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("haproxy.log").toFile()))
                    .start();
            return new Haproxy(process, statsPort);
        } catch (IOException e) {
            throw new UncheckedIOException("haproxy did not start", e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Each server's status as HAProxy sees it now: UP, DOWN, or a transition such as "UP 1/2". */
    public Map<String, String> serverStates() {
        try {
            HttpResponse<String> csv = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/stats;csv")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Map<String, String> states = new HashMap<>();
            List<String> lines = csv.body().lines().toList();
            List<String> header = List.of(lines.getFirst().replaceFirst("^# ", "").split(","));
            int pxname = header.indexOf("pxname"), svname = header.indexOf("svname"), status = header.indexOf("status");
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",", -1);
                if (f.length > status && f[pxname].equals("nodes") && !f[svname].equals("BACKEND")) {
                    states.put(f[svname], f[status]);
                }
            }
            return states;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
