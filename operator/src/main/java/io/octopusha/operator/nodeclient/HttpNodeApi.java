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
import java.util.List;

/**
 * The node API over HTTP. Every call has a timeout and is tried against each known node in turn until one answers, so
 * one node that is restarting or has lost its database does not stall the operator; the whole round is tried twice,
 * which covers a connection that a node closed just as it was reused. Every call the operator makes is idempotent.
 */
public final class HttpNodeApi implements NodeApi {
    public static final String API_KEY_HEADER = "X-Octopus-ApiKey";
    private static final int ROUNDS = 2;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final HttpClient http;
    private final List<URI> nodes;
    private final String apiKey;
    private final Duration timeout;

    public HttpNodeApi(HttpClient http, List<URI> nodes, String apiKey, Duration timeout) {
        if (nodes.isEmpty()) {
            throw new NodeApiException("no node to call: no pod has an address yet");
        }
        this.http = http;
        this.nodes = List.copyOf(nodes);
        this.apiKey = apiKey;
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
        List<String> failures = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (URI node : nodes) {
                try {
                    HttpResponse<String> response = http.send(request(node, method, path, body),
                            HttpResponse.BodyHandlers.ofString());
                    int status = response.statusCode();
                    if (status / 100 == 2 || contains(acceptedErrors, status)) {
                        return response;
                    }
                    failures.add(node + " answered " + status + " " + response.body());
                    if (status / 100 == 4) {
                        // The request itself is wrong (or the key): every node would say the same.
                        throw new NodeApiException(method + " " + path + " failed: " + String.join("; ", failures));
                    }
                } catch (IOException e) {
                    failures.add(node + ": " + e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new NodeApiException(method + " " + path + " interrupted", e);
                }
            }
        }
        throw new NodeApiException(method + " " + path + " failed: " + String.join("; ", failures));
    }

    private HttpRequest request(URI node, String method, String path, Object body) throws IOException {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
        return HttpRequest.newBuilder(node.resolve(path))
                .timeout(timeout)
                .header(API_KEY_HEADER, apiKey)
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
