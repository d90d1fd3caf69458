package io.octopusha.node.api;

import io.javalin.Javalin;
import io.octopusha.node.auth.Role;
import io.octopusha.node.input.ConflictException;
import io.octopusha.node.input.ForbiddenException;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.octopusha.node.input.InvalidInputException;
import io.micrometer.core.instrument.Timer;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The node's HTTP server: Octopus-style JSON and errors, API-key access control, request metrics. */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    public static final String NODE_HEADER = "X-Octopus-Node";
    /** Octopus Server's own name for the header that says which node answered. */
    public static final String OCTOPUS_NODE_HEADER = "Octopus-Node";
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    /**
     * How long a stopping node waits for the requests it is serving. Meanwhile it refuses new connections, ends
     * each answer with Connection: close and closes connections idle for a second (Jetty's shutdown idle timeout).
     */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** JSON bodies are small; package uploads stream and are not limited. */
    public static final long MAX_JSON_BODY = 1_000_000L;
    /** Bytes read from a connection at once: Jetty's 8 KiB took 131,000 reads for a 1 GiB upload. */
    static final int REQUEST_READ_BUFFER = 64 * 1024;
    /** The largest unread body still read to the end so its client gets the answer; see readUnreadBody. */
    static final long MAX_SWALLOWED_BODY = 4 * MAX_JSON_BODY;

    static final String PORTAL_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    static final String API_POLICY = "default-src 'none'; frame-ancestors 'none'";

    private final Javalin app;
    /**
     * One timer per method, route and status, looked up by a plain key: registering it again on every request
     * (building the meter's id and finding it in the registry) cost the load balancer's ping about 7% of its rate
     * under wrk (51,000 to 54,000 requests/s before, 55,000 to 59,000 after).
     */
    private final Map<RequestKind, Timer> timers = new ConcurrentHashMap<>();

    private record RequestKind(String method, String route, int status) {
    }

    public ApiServer(String nodeName, AccessControl accessControl, MeterRegistry meters, List<ApiRoutes> areas) {
        this.app = Javalin.create(config -> {
            config.jsonMapper(new JavalinJackson(Json.mapper(), false));
            config.startup.showJavalinBanner = false;
            config.http.maxRequestSize = MAX_JSON_BODY;
            // Jetty's default of 0 closed every connection at once: a request in flight when SIGTERM came was cut
            // off (Jetty answered 500 EofException, which the load balancer may not retry).
            config.jetty.modifyServer(server -> {
                server.setStopTimeout(STOP_TIMEOUT.toMillis());
                server.setErrorHandler(new RefusedRequests(nodeName));
            });
            config.jetty.modifyHttpConfiguration(http -> {
                http.setSendServerVersion(false);
                http.setRequestHeaderSize(16 * 1024);
            });
            // Javalin adds its default connector only when none is given, after modifyServer has run: settings made
            // there on the server's connectors found none and were lost (the idle timeout was Jetty's default, which
            // happened to be the same 30 s). This connector is Javalin's default plus the two settings.
            config.jetty.addConnector((server, http) -> {
                HttpConnectionFactory factory = new HttpConnectionFactory(http);
                factory.setInputBufferSize(REQUEST_READ_BUFFER);
                ServerConnector connector = new ServerConnector(server, factory);
                connector.setHost(config.jetty.host);
                connector.setPort(config.jetty.port);
                // Silence, not total time: uploads and downloads that keep moving are never cut, slow-loris clients are.
                connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
                return connector;
            });
            config.requestLogger.http((ctx, millis) -> {
                Endpoint endpoint = ctx.endpoints().lastHttpEndpoint();
                RequestKind kind = new RequestKind(ctx.method().name(), endpoint == null ? "unmatched" : endpoint.path, ctx.statusCode());
                timers.computeIfAbsent(kind, k -> Timer.builder("http_server_requests")
                                .description("HTTP requests served by this node")
                                .tag("method", k.method())
                                .tag("route", k.route())
                                .tag("status", Integer.toString(k.status()))
                                .register(meters))
                        .record((long) (millis * 1_000_000), TimeUnit.NANOSECONDS);
            });
            // The portal's static files, anonymous (they hold no data; the page asks for an API key). Served only
            // where no route matches and the file exists, so unknown /api paths still answer 401/404 as before.
            config.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/web";
                files.location = Location.CLASSPATH;
                files.roles = Set.of(Role.Anonymous);
            });
            config.routes.before(ctx -> {
                ctx.header(NODE_HEADER, nodeName);
                ctx.header(OCTOPUS_NODE_HEADER, nodeName);
                browserHardening(ctx);
            });
            config.routes.beforeMatched(InputGuard::check);
            config.routes.beforeMatched(accessControl::check);
            config.routes.after(ApiServer::readUnreadBody);
            config.routes.exception(ApiException.class, (e, ctx) -> ctx.status(e.status()).json(e.body()));
            config.routes.exception(ConflictException.class, (e, ctx) ->
                    ctx.status(409).json(new ApiException.Body(e.getMessage(), List.of(e.getMessage()))));
            config.routes.exception(ForbiddenException.class, (e, ctx) ->
                    ctx.status(403).json(new ApiException.Body(e.getMessage(), List.of(e.getMessage()))));
            config.routes.exception(InvalidInputException.class, (e, ctx) ->
                    ctx.status(400).json(new ApiException.Body(e.getMessage(), List.of(e.getMessage()))));
            config.routes.exception(HttpResponseException.class, (e, ctx) ->
                    ctx.status(e.getStatus()).json(new ApiException.Body(e.getMessage(), List.of(e.getMessage()))));
            config.routes.exception(DataAccessException.class, (e, ctx) -> {
                log.warn("{} {}: database error: {}", ctx.method(), ctx.path(), e.getMessage());
                ctx.status(503).json(new ApiException.Body("The database is not reachable from this node right now; try again.", List.of()));
            });
            config.routes.exception(EofException.class, (e, ctx) -> {
                log.info("{} {}: the client closed the connection before sending all of its request", ctx.method(), ctx.path());
                ctx.status(400);
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                log.error("{} {} failed", ctx.method(), ctx.path(), e);
                ctx.status(500).json(new ApiException.Body("The node could not complete the request; see its log.", List.of()));
            });
            config.routes.error(404, ctx -> {
                if (ctx.endpoints().lastHttpEndpoint() == null) {
                    ctx.json(new ApiException.Body("There is no resource at " + ctx.path() + ".", List.of()));
                }
            });
            areas.forEach(area -> area.register(config.routes));
        });
    }

    /**
     * What browsers are told on every response. The portal (everything outside /api and /metrics) may run only its
     * own script and style files, connect only to its own node and be framed by nobody, so that an injected
     * script or a framing page cannot reach the administrator key it keeps in the tab. API answers are data and may
     * run or load nothing. Nothing is sniffed into another type, and no address leaks in a Referer.
     */
    private static void browserHardening(Context ctx) {
        boolean portal = !ctx.path().startsWith("/api") && !ctx.path().startsWith("/metrics");
        ctx.header("Content-Security-Policy", portal ? PORTAL_POLICY : API_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
    }

    /**
     * Reads the rest of a body the handler answered without reading (a 404, a 401, a 413, a refused upload), so
     * the client gets that answer. Jetty would otherwise close the connection with the body unread, the kernel
     * resets it, and a client still sending sees a broken pipe instead of the status and message. Like Tomcat's
     * swallow limit, only bodies up to {@link #MAX_SWALLOWED_BODY} are read; larger ones are cut off at once.
     */
    private static void readUnreadBody(Context ctx) {
        long length = ctx.req().getContentLengthLong();
        if (length <= 0 || length > MAX_SWALLOWED_BODY) return;
        try {
            ctx.req().getInputStream().transferTo(OutputStream.nullOutputStream());
        } catch (IOException clientGone) {
            // Nobody is left to answer; Jetty closes the connection.
        }
    }

    public ApiServer start(String host, int port) {
        app.start(host, port);
        return this;
    }

    public int port() {
        return app.port();
    }

    /** The app, for tests that enumerate its routes. */
    public Javalin javalin() {
        return app;
    }

    @Override
    public void close() {
        app.stop();
    }
}
