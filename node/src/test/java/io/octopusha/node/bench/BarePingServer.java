package io.octopusha.node.bench;

import io.javalin.Javalin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The ping's baseline: a bare Javalin server with one route answering the bytes a node's ping answers, started
 * as its own JVM with the same options as a node process. Arguments: port, file holding the response body.
 */
public final class BarePingServer {
    private BarePingServer() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        byte[] body = Files.readAllBytes(Path.of(args[1]));
        Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.routes.get("/api/octopusservernodes/ping", ctx -> ctx.contentType("application/json").result(body));
        }).start(port);
    }
}
