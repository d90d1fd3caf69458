package io.octopusha.operator.nodeclient;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The node API over HTTP. A call goes to the first node and, when that one has not answered within {@link #HEDGE},
 * to the next as well, and so on: the first good answer wins, so a node that is restarting, cut off or hung costs a
 * fraction of a second instead of a timeout per call. The whole round is tried twice, which covers a connection that a
 * node closed just as it was reused. Every call the operator makes is idempotent, so one answered by two nodes does no
 * harm. Keys are tried in the given order: a 401 moves on to the next key, so a rotated admin key works without the
 * old one's refusals piling up against the node's failed-key limit.
 */
public final class HttpNodeApi implements NodeApi {
    public static final String API_KEY_HEADER = "X-Octopus-ApiKey";
    static final Duration HEDGE = Duration.ofMillis(300);
    private static final int ROUNDS = 2;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final HttpClient http;
    private final List<URI> nodes;
    private final List<String> keys;
    private final Consumer<String> keyAccepted;
    private final Duration timeout;

    /**
     * @param keys        admin API keys to try, in order
     * @param keyAccepted told which key a node accepted
     */
    public HttpNodeApi(HttpClient http, List<URI> nodes, List<String> keys, Consumer<String> keyAccepted,
                       Duration timeout) {
        if (nodes.isEmpty()) {
            throw new NodeApiException("no node to call: no pod has an address yet");
        }
        this.http = http;
        this.nodes = List.copyOf(nodes);
        this.keys = List.copyOf(keys);
        this.keyAccepted = keyAccepted;
        this.timeout = timeout;
    }

    public static HttpClient newHttpClient(Duration connectTimeout) {
        return HttpClient.newBuilder().connectTimeout(connectTimeout).build();
    }

    @Override
    public List<NodeSummary> summary() {
        return read(call("GET", "/api/octopusservernodes/summary", null), SummaryBody.class).nodes();
    }

    @Override
    public void updateNode(String nodeId, Integer maxConcurrentTasks, Boolean inMaintenanceMode) {
        call("PUT", "/api/octopusservernodes/" + encode(nodeId), new NodeUpdate(maxConcurrentTasks, inMaintenanceMode));
    }

    @Override
    public boolean deleteNode(String nodeId) {
        HttpResponse<String> response = call("DELETE", "/api/octopusservernodes/" + encode(nodeId), null, 404, 409);
        return response.statusCode() != 409;
    }

    @Override
    public List<String> activeTaskIds(String nodeId) {
        var page = read(call("GET", "/api/tasks?active=true&take=1000&node=" + encode(nodeId), null), TaskPage.class);
        return page.items().stream().map(TaskRef::id).toList();
    }

    @Override
    public void cancelTask(String taskId) {
        call("POST", "/api/tasks/" + encode(taskId) + "/cancel", null);
    }

    @Override
    public int countTasks(String state) {
        return read(call("GET", "/api/tasks?take=0&states=" + encode(state), null), TaskPage.class).totalResults();
    }

    private HttpResponse<String> call(String method, String path, Object body, int... acceptedErrors) {
        List<String> refused = new ArrayList<>();
        for (String key : keys) {
            try {
                HttpResponse<String> response = rounds(method, path, body, key, acceptedErrors);
                keyAccepted.accept(key);
                return response;
            } catch (KeyRefused e) {
                refused.add(e.getMessage());
            }
        }
        throw new NodeApiException(method + " " + path + " failed: the admin API key was refused: "
                + String.join("; ", refused));
    }

    private HttpResponse<String> rounds(String method, String path, Object body, String key, int[] acceptedErrors) {
        List<String> failures = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            HttpResponse<String> response = hedged(method, path, body, key, acceptedErrors, failures);
            if (response != null) return response;
        }
        throw new NodeApiException(method + " " + path + " failed: " + String.join("; ", failures));
    }

    /** One round over the nodes; null when none gave a good answer (their failures are added to {@code failures}). */
    private HttpResponse<String> hedged(String method, String path, Object body, String key, int[] acceptedErrors,
                                        List<String> failures) {
        CompletableFuture<HttpResponse<String>> answer = new CompletableFuture<>();
        List<String> roundFailures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger pending = new AtomicInteger(nodes.size());
        List<CompletableFuture<?>> sent = new ArrayList<>();
        try {
            for (URI node : nodes) {
                sent.add(http.sendAsync(request(node, method, path, body, key), HttpResponse.BodyHandlers.ofString())
                        .whenComplete((response, error) -> {
                            if (error != null) {
                                roundFailures.add(node + ": " + (error.getCause() != null ? error.getCause() : error));
                            } else if (response.statusCode() / 100 == 2 || contains(acceptedErrors, response.statusCode())) {
                                answer.complete(response);
                            } else if (response.statusCode() == 401) {
                                answer.completeExceptionally(new KeyRefused(node + " answered 401"));
                            } else if (response.statusCode() / 100 == 4) {
                                // The request itself is wrong: every node would say the same.
                                answer.completeExceptionally(new NodeApiException(method + " " + path + " failed: "
                                        + node + " answered " + response.statusCode() + " " + response.body()));
                            } else {
                                roundFailures.add(node + " answered " + response.statusCode() + " " + response.body());
                            }
                            if (pending.decrementAndGet() == 0) answer.complete(null);
                        }));
                HttpResponse<String> early = await(answer, HEDGE);
                if (answer.isDone()) return early;
            }
            return await(answer, timeout.plus(HEDGE));
        } finally {
            sent.forEach(f -> f.cancel(true));
            failures.addAll(roundFailures);
        }
    }

    private static HttpResponse<String> await(CompletableFuture<HttpResponse<String>> answer, Duration atMost) {
        try {
            return answer.get(atMost.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeApiException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new NodeApiException(e.getMessage(), e.getCause());
        }
    }

    /** A node refused the key; the next key may do. */
    private static final class KeyRefused extends RuntimeException {
        KeyRefused(String message) {
            super(message, null, false, false);
        }
    }

    private HttpRequest request(URI node, String method, String path, Object body, String key) {
        HttpRequest.BodyPublisher publisher;
        try {
            publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new NodeApiException("cannot write " + body, e);
        }
        return HttpRequest.newBuilder(node.resolve(path))
                .timeout(timeout)
                .header(API_KEY_HEADER, key)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .method(method, publisher)
                .build();
    }

    private static <T> T read(HttpResponse<String> response, Class<T> type) {
        try {
            return JSON.readValue(response.body(), type);
        } catch (IOException e) {
            throw new NodeApiException("unreadable answer from " + response.uri() + ": " + e.getMessage(), e);
        }
    }

    private static boolean contains(int[] values, int value) {
        for (int v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record NodeUpdate(@JsonProperty("MaxConcurrentTasks") Integer maxConcurrentTasks,
                      @JsonProperty("IsInMaintenanceMode") Boolean inMaintenanceMode) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record SummaryBody(@JsonProperty("Nodes") List<NodeSummary> nodes) {
        SummaryBody {
            nodes = nodes == null ? List.of() : nodes;
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record TaskPage(@JsonProperty("Items") List<TaskRef> items, @JsonProperty("TotalResults") int totalResults) {
        TaskPage {
            items = items == null ? List.of() : items;
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record TaskRef(@JsonProperty("Id") String id, @JsonProperty("State") String state) {
    }
}
