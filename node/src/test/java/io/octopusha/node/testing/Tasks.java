package io.octopusha.node.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.octopusha.node.queue.TaskQueue;
import org.jooq.DSLContext;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;

import static io.octopusha.node.db.schema.Tables.SERVER_TASK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Creating tasks through the API and waiting for them, as a client would; and tasks to queue directly. */
public final class Tasks {
    private Tasks() {
    }

    public static String create(Api api, String name, String argumentsJson) {
        Api.Response response = api.post("/api/tasks", "{\"Name\":\"" + name + "\",\"Arguments\":" + argumentsJson + "}");
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json().get("Id").asText();
    }

    public static String delay(Api api, int millis) {
        return create(api, "Delay", "{\"Milliseconds\":" + millis + "}");
    }

    public static String script(Api api, String body) {
        return create(api, "AdHocScript", "{\"ScriptBody\":" + new com.fasterxml.jackson.databind.ObjectMapper()
                .valueToTree(body) + "}");
    }

    public static JsonNode get(Api api, String id) {
        return api.get("/api/tasks/" + id).json();
    }

    public static String state(Api api, String id) {
        return get(api, id).get("State").asText();
    }

    public static JsonNode awaitCompleted(Api api, String id, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> get(api, id).get("IsCompleted").asBoolean());
        return get(api, id);
    }

    public static JsonNode awaitState(Api api, String id, String state, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> state(api, id).equals(state));
        return get(api, id);
    }

    /** A Delay of 0 ms to queue directly (not through the API), expiring in a day. */
    public static TaskQueue.NewTask zeroDelay(String spaceId, String description) {
        return new TaskQueue.NewTask(spaceId, "Delay", description, JsonNodeFactory.instance.objectNode().put("Milliseconds", 0),
                OffsetDateTime.now().plusDays(1));
    }

    /** How many times each task that started was started, from the count the claim keeps in its row. */
    public static Map<Long, Integer> startsPerTask(DSLContext db) {
        return db.select(SERVER_TASK.NUMBER, SERVER_TASK.START_COUNT).from(SERVER_TASK).where(SERVER_TASK.START_COUNT.gt(0))
                .fetchMap(SERVER_TASK.NUMBER, SERVER_TASK.START_COUNT);
    }
}
