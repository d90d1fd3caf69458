package io.octopusha.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.octopusha.node.OctopusNode;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.Tasks;
import io.octopusha.node.testing.TestCluster;
import io.octopusha.node.testing.UriTemplate;
import io.octopusha.node.testing.Uploads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Walks the root document's Links as Octopus's clients do: every link is expanded with the parameters Octopus
 * documents for it and called on a real node, and the answer's status and field names are checked against the shapes
 * of Octopus's REST API (issue 20). A link without a check here fails the walk, so a new link comes with its check.
 */
class OctopusCompatibilityTest {
    private static final String NODE = "compat";
    private static TestCluster cluster;
    private static Api api;
    private static Api anonymous;
    private static String finished;
    private static String failed;
    private static String running;
    private static String queuedFirst;
    private static String queuedSecond;
    private static String artifactId;
    private static final String REPORT = "line one\nline two\n";

    @BeforeAll
    static void start() {
        cluster = new TestCluster();
        OctopusNode node = cluster.start(NODE, Map.of("OCTOPUS_TASK_CAP", "1"));
        api = cluster.api(node);
        anonymous = api.withKey(null);
        finished = Tasks.delay(api, 0);
        Tasks.awaitCompleted(api, finished, Duration.ofSeconds(30));
        failed = Tasks.script(api, "echo about to fail; exit 3");
        Tasks.awaitCompleted(api, failed, Duration.ofSeconds(30));
        running = Tasks.delay(api, 600_000);
        Tasks.awaitState(api, running, "Executing", Duration.ofSeconds(30));
        queuedFirst = Tasks.delay(api, 0);
        queuedSecond = Tasks.delay(api, 0);
        for (String version : List.of("1.0.0", "1.2.0", "1.10.0")) {
            assertThat(Uploads.upload(api.baseUrl(), "/api/Spaces-1/packages/raw", "fileToUpload", "Compat.Pkg." + version + ".zip",
                    new Uploads.Content(100, 1)).status()).isEqualTo(201);
        }
        Api.Response artifact = api.post("/api/Spaces-1/artifacts", "{\"Filename\":\"report.txt\",\"ServerTaskId\":\"" + finished + "\"}");
        assertThat(artifact.status()).as(artifact.body()).isEqualTo(201);
        artifactId = artifact.json().get("Id").asText();
        assertThat(api.sendBytes("PUT", artifact.json().get("Links").get("Content").asText(), REPORT.getBytes(StandardCharsets.UTF_8),
                "application/octet-stream").status()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        api.post("/api/tasks/" + running + "/cancel", null);
        cluster.close();
    }

    private static void assertFields(JsonNode node, String what, String... names) {
        for (String name : names) assertThat(node.has(name)).as(what + " has " + name + ": " + node).isTrue();
    }

    private static JsonNode ok(Api.Response response, String what) {
        assertThat(response.status()).as(what + " -> " + response.body()).isEqualTo(200);
        return response.json();
    }

    private static JsonNode get(String template, Map<String, ?> values) {
        String path = UriTemplate.expand(template, values);
        return ok(api.get(path), "GET " + path);
    }

    private static void assertCollection(JsonNode collection, String itemType) {
        assertFields(collection, itemType + " collection", "ItemType", "TotalResults", "ItemsPerPage", "NumberOfPages",
                "LastPageNumber", "Items", "Links");
        assertThat(collection.get("ItemType").asText()).isEqualTo(itemType);
    }

    private static List<String> ids(JsonNode collection) {
        List<String> ids = new ArrayList<>();
        collection.get("Items").forEach(i -> ids.add(i.get("Id").asText()));
        return ids;
    }

    private static final Set<String> TASK_LINKS = Set.of("Self", "Web", "Raw", "Rerun", "Cancel", "QueuedBehind", "Details",
            "Artifacts", "State", "Prioritize");

    /** What each root link must answer, by Octopus's link name. */
    private static Map<String, Consumer<String>> checks() {
        Map<String, Consumer<String>> checks = new LinkedHashMap<>();
        checks.put("Self", t -> assertThat(get(t, Map.of()).get("ApiVersion").asText()).isEqualTo("3.0.0"));
        checks.put("Artifacts", t -> {
            assertCollection(get(t, Map.of()), "Artifact");
            JsonNode found = get(t, Map.of("regarding", finished, "take", 1, "skip", 0, "order", "asc", "partialName", "REPORT",
                    "ids", artifactId));
            assertThat(ids(found)).containsExactly(artifactId);
            JsonNode artifact = get(t, Map.of("id", artifactId));
            assertFields(artifact, "artifact", "Id", "SpaceId", "Filename", "Source", "ServerTaskId", "Created", "LogCorrelationId", "Links");
            assertThat(artifact.get("ServerTaskId").asText()).isEqualTo(finished);
            assertThat(api.get(artifact.get("Links").get("Content").asText()).body()).isEqualTo(REPORT);
        });
        checks.put("BuiltInFeedStats", t -> assertThat(get(t, Map.of()).get("TotalPackages").asInt()).isGreaterThanOrEqualTo(3));
        checks.put("CurrentLicenseStatus", t -> {
            JsonNode status = get(t, Map.of());
            assertFields(status, "licence status", "IsCompliant", "Messages", "Limits", "EffectiveNodeTaskLimit",
                    "EffectiveClusterTaskLimit", "ComplianceSummary");
            assertThat(status.get("IsCompliant").asBoolean()).isTrue();
            JsonNode nodes = StreamSupport.stream(status.get("Limits").spliterator(), false)
                    .filter(l -> l.get("Name").asText().equals("Nodes")).findFirst().orElseThrow();
            assertFields(nodes, "node limit", "Name", "EffectiveLimit", "LicensedLimit", "IsUnlimited", "CurrentUsage", "Message", "Disposition");
            assertThat(nodes.get("IsUnlimited").asBoolean()).isTrue();
            assertThat(nodes.get("CurrentUsage").asInt()).isEqualTo(1);
            assertThat(status.get("EffectiveNodeTaskLimit").asInt()).isEqualTo(1000);
            assertThat(status.get("EffectiveClusterTaskLimit").asInt()).as("the one node's cap").isEqualTo(1);
        });
        checks.put("CurrentUser", t -> {
            JsonNode me = get(t, Map.of());
            assertFields(me, "user", "Id", "Username", "DisplayName", "IsActive", "IsService", "Links");
            String keys = me.get("Links").get("ApiKeys").asText();
            JsonNode list = get(keys, Map.of("take", 100));
            assertCollection(list, "ApiKey");
            JsonNode key = list.get("Items").get(0);
            assertFields(key, "API key", "Id", "Purpose", "UserId", "Created", "ApiKey", "Links");
            assertThat(key.get("ApiKey").get("HasValue").asBoolean()).isTrue();
            assertThat(key.get("ApiKey").get("Hint").asText()).startsWith("API-");
            assertThat(key.get("UserId").asText()).isEqualTo(me.get("Id").asText());
            assertThat(get(keys, Map.of("id", key.get("Id").asText())).get("Purpose").asText()).isEqualTo(key.get("Purpose").asText());
            assertThat(get(me.get("Links").get("Self").asText(), Map.of()).get("Id").asText()).isEqualTo(me.get("Id").asText());
        });
        checks.put("Events", t -> assertCollection(get(t, Map.of("take", 5, "skip", 0, "regarding", finished)), "Event"));
        checks.put("Feeds", t -> {
            JsonNode feeds = get(t, Map.of());
            assertCollection(feeds, "Feed");
            JsonNode feed = feeds.get("Items").get(0);
            assertFields(feed, "feed", "Id", "Name", "FeedType", "SpaceId", "Links");
            assertThat(feed.get("Id").asText()).isEqualTo("feeds-builtin");
            assertThat(feed.get("FeedType").asText()).isEqualTo("BuiltIn");
            assertThat(get(t, Map.of("id", "feeds-builtin")).get("Name").asText()).isEqualTo(feed.get("Name").asText());
            assertThat(get(t, Map.of("feedType", "NuGet")).get("TotalResults").asInt()).isZero();
            assertThat(get(t, Map.of("partialName", "built-in", "ids", "feeds-builtin", "skip", 0, "take", 5)).get("TotalResults").asInt()).isEqualTo(1);
        });
        checks.put("OctopusServerClusterSummary", t -> {
            JsonNode entry = get(t, Map.of()).get("Nodes").get(0);
            assertFields(entry, "summary entry", "Id", "Name", "MaxConcurrentTasks", "IsInMaintenanceMode", "LastSeen",
                    "IsOffline", "RunningTaskCount", "Links");
            JsonNode node = get(entry.get("Links").get("Node").asText(), Map.of());
            assertFields(node, "node", "Id", "Name", "MaxConcurrentTasks", "IsInMaintenanceMode", "LastModifiedOn", "LastModifiedBy", "Links");
            assertThat(ok(api.get(node.get("Links").get("Details").asText()), "details").get("RunningTasks")).hasSize(1);
        });
        checks.put("OctopusServerNodePing", t -> assertFields(ok(anonymous.get(t), "ping"), "ping", "Id", "Name", "Links"));
        checks.put("OctopusServerNodes", t -> {
            assertCollection(get(t, Map.of()), "OctopusServerNode");
            assertThat(get(t, Map.of("partialName", "COMP", "take", 1, "skip", 0, "ids", "OctopusServerNodes-" + NODE))
                    .get("TotalResults").asInt()).isEqualTo(1);
            assertThat(get(t, Map.of("id", "OctopusServerNodes-" + NODE)).get("Name").asText()).isEqualTo(NODE);
        });
        checks.put("PackageNotesList", t -> {
            JsonNode notes = get(t, Map.of("packageIds", "packages-Compat.Pkg.1.0.0,packages-Nope.1.0.0")).get("Packages");
            assertFields(notes.get(0), "package notes", "PackageId", "FeedId", "Notes");
            assertThat(notes.get(0).get("Notes").get("Succeeded").asBoolean()).isTrue();
            assertThat(notes.get(1).get("Notes").get("Succeeded").asBoolean()).isFalse();
        });
        checks.put("Packages", t -> {
            assertThat(get(t, Map.of("nuGetPackageId", "Compat.Pkg")).get("TotalResults").asInt()).isEqualTo(3);
            JsonNode latest = get(t, Map.of("latest", true, "filter", "compat", "includeNotes", true, "take", 10, "skip", 0));
            assertThat(latest.get("TotalResults").asInt()).isEqualTo(1);
            assertThat(latest.get("Items").get(0).get("Version").asText()).as("1.10.0 is after 1.2.0").isEqualTo("1.10.0");
            JsonNode pkg = get(t, Map.of("id", "packages-Compat.Pkg.1.2.0"));
            assertFields(pkg, "package", "Id", "PackageId", "Version", "FeedId", "FileExtension", "PackageSizeBytes", "Hash",
                    "Published", "Links");
            assertThat(pkg.get("FeedId").asText()).isEqualTo("feeds-builtin");
            // Octopus's client asks for a package as <PackageId>.<Version>.
            assertThat(get(t, Map.of("id", "Compat.Pkg.1.2.0")).get("Id").asText()).isEqualTo("packages-Compat.Pkg.1.2.0");
        });
        checks.put("PackagesBulk", t -> {
            for (String name : List.of("Bulk.A.1.0.0.zip", "Bulk.B.1.0.0.zip")) {
                assertThat(Uploads.upload(api.baseUrl(), "/api/Spaces-1/packages/raw", "file", name, new Uploads.Content(10, 2)).status()).isEqualTo(201);
            }
            String path = UriTemplate.expand(t, Map.of("ids", "packages-Bulk.A.1.0.0,packages-Bulk.B.1.0.0"));
            assertThat(api.delete(path).status()).isEqualTo(204);
            assertThat(api.get("/api/Spaces-1/packages/packages-Bulk.A.1.0.0").status()).isEqualTo(404);
            assertThat(api.delete(path).json().get("ErrorMessage").asText()).contains("Bulk.A");
        });
        checks.put("PackageUpload", t -> {
            assertThat(t).as("Octopus's client sends overwriteMode only when the link names it").contains("overwriteMode");
            String path = UriTemplate.expand(t, Map.of("overwriteMode", "FailIfExists"));
            assertThat(Uploads.upload(api.baseUrl(), path, "file", "Upload.Me.2.0.0.zip", new Uploads.Content(10, 3)).status()).isEqualTo(201);
            Api.Response again = Uploads.upload(api.baseUrl(), path, "file", "Upload.Me.2.0.0.zip", new Uploads.Content(10, 3));
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.json().get("ErrorMessage").asText()).contains("already exists");
            assertThat(Uploads.upload(api.baseUrl(), UriTemplate.expand(t, Map.of("overwriteMode", "IgnoreIfExists")), "file",
                    "Upload.Me.2.0.0.zip", new Uploads.Content(10, 4)).status()).isEqualTo(200);
        });
        checks.put("ServerHealthStatus", t -> {
            JsonNode health = ok(anonymous.get(t), "health");
            assertFields(health, "health", "IsOperatingNormally", "Description", "IsEntireClusterReadOnly",
                    "IsEntireClusterDrainingTasks", "IsCompliantWithLicense");
            assertThat(health.get("IsOperatingNormally").asBoolean()).isTrue();
        });
        checks.put("ServerStatus", t -> {
            JsonNode status = get(t, Map.of());
            assertFields(status, "server status", "IsDatabaseEncrypted", "IsUpgradeAvailable", "MaximumAvailableVersion",
                    "IsInMaintenanceMode", "Links");
            JsonNode info = get(status.get("Links").get("SystemInfo").asText(), Map.of());
            assertFields(info, "system info", "Version", "OSVersion", "WorkingSetBytes", "ThreadCount", "Uptime");
            assertThat(info.get("WorkingSetBytes").asLong()).isPositive();
            assertThat(info.get("ThreadCount").asInt()).isPositive();
            assertThat(info.get("Uptime").asText()).matches("(\\d+\\.)?\\d\\d:\\d\\d:\\d\\d");
        });
        checks.put("SpaceHome", t -> {
            JsonNode home = get(t, Map.of("spaceId", "Spaces-1"));
            assertThat(api.get(UriTemplate.expand(t, Map.of("spaceId", "Spaces-99"))).status()).isEqualTo(404);
            home.get("Links").fields().forEachRemaining(link -> {
                String name = link.getKey();
                String template = link.getValue().asText();
                if (name.equals("PackagesBulk")) assertThat(template).contains("{?ids}");
                else if (name.equals("PackageUpload")) assertThat(template).contains("overwriteMode");
                else get(template, Map.of());
            });
        });
        checks.put("Spaces", t -> {
            JsonNode space = get(t, Map.of()).get("Items").get(0);
            assertThat(space.get("Links").get("SpaceHome").asText()).isEqualTo("/api/Spaces-1");
            assertThat(get(t, Map.of("id", "Spaces-1", "skip", 0)).get("Name").asText()).isEqualTo("Default");
        });
        checks.put("Tasks", OctopusCompatibilityTest::checkTasks);
        checks.put("TaskTypes", t -> {
            JsonNode types = get(t, Map.of());
            Set<String> names = new TreeSet<>();
            types.forEach(type -> {
                assertFields(type, "task type", "Id", "Name", "Links");
                names.add(type.get("Id").asText());
                ok(api.get(type.get("Links").get("Tasks").asText()), "tasks of a type");
            });
            assertThat(names).contains("AdHocScript", "Delay", "Health", "Retention", "SystemIntegrityCheck",
                    "SynchronizeBuiltInPackageRepositoryIndex");
        });
        checks.put("Users", t -> {
            JsonNode users = get(t, Map.of("take", 10, "skip", 0));
            assertCollection(users, "User");
            String id = users.get("Items").get(0).get("Id").asText();
            assertThat(get(t, Map.of("id", id)).get("Id").asText()).isEqualTo(id);
        });
        checks.put("ApiKeys", t -> assertCollection(get(t, Map.of()), "ApiKey"));
        checks.put("Web", t -> assertThat(api.get(t).headers().firstValue("Content-Type").orElse("")).contains("text/html"));
        return checks;
    }

    private static void checkTasks(String t) {
        String tomorrow = LocalDate.now().plusDays(1).toString();
        String yesterday = LocalDate.now().minusDays(1).toString();
        Map<String, Object> all = new HashMap<>();
        all.put("states", "Success");
        all.put("name", "Delay");
        all.put("node", NODE);
        all.put("spaces", "all");
        all.put("includeSystem", false);
        all.put("partialName", "dela");
        all.put("description", "DELAY");
        all.put("ids", finished + "," + failed);
        for (String range : List.of("Queue", "Start", "Completed")) {
            all.put("from" + range + "Date", yesterday);
            all.put("to" + range + "Date", tomorrow);
        }
        all.put("skip", 0);
        all.put("take", 10);
        JsonNode list = get(t, all);
        assertCollection(list, "Task");
        assertThat(ids(list)).containsExactly(finished);
        assertThat(list.get("TotalCounts").get("Success").asInt()).isEqualTo(1);
        assertThat(list.get("TotalCounts").fieldNames()).toIterable().contains("Queued", "Executing", "Cancelling", "Success",
                "Failed", "Canceled", "TimedOut");
        assertThat(ids(get(t, Map.of("running", true)))).containsExactly(running);
        JsonNode active = get(t, Map.of("active", true));
        assertThat(ids(active)).containsExactlyInAnyOrder(running, queuedFirst, queuedSecond);
        assertThat(active.get("TotalCounts").get("Queued").asInt()).isEqualTo(2);
        assertThat(active.get("TotalCounts").get("Executing").asInt()).isEqualTo(1);
        assertThat(active.get("TotalCounts").get("Success").asInt()).as("a state left out counts 0").isZero();
        assertThat(active.get("TotalResults").asInt()).isEqualTo(3);

        JsonNode task = get(t, Map.of("id", finished));
        assertFields(task, "task", "Id", "SpaceId", "Name", "Description", "Arguments", "State", "QueueTime", "StartTime",
                "CompletedTime", "ServerNode", "Duration", "ErrorMessage", "HasBeenPickedUpByProcessor", "IsCompleted",
                "FinishedSuccessfully", "HasPendingInterruptions", "CanRerun", "HasWarningsOrErrors", "Links");
        Set<String> linkNames = new TreeSet<>();
        task.get("Links").fieldNames().forEachRemaining(linkNames::add);
        assertThat(linkNames).containsAll(TASK_LINKS);
        JsonNode links = task.get("Links");
        JsonNode details = get(links.get("Details").asText(), Map.of("verbose", true, "tail", 5, "ranges", "0-10"));
        assertFields(details, "task details", "Task", "ActivityLogs", "Progress", "PhysicalLogSize");
        JsonNode activity = details.get("ActivityLogs").get(0);
        assertFields(activity, "activity", "Id", "Name", "Started", "Ended", "Status", "Children", "ShowAtSummaryLevel",
                "LogElements", "ProgressPercentage", "ProgressMessage");
        assertThat(activity.get("Status").asText()).isEqualTo("Success");
        assertFields(activity.get("LogElements").get(0), "log element", "Category", "OccurredAt", "MessageText", "Detail");
        assertThat(api.get(links.get("Raw").asText()).body()).contains("Task finished: Success");
        assertThat(ids(get(links.get("Artifacts").asText(), Map.of()))).containsExactly(artifactId);
        assertThat(api.get(links.get("Web").asText().replaceAll("#.*", "")).status()).isEqualTo(200);

        // The task routes that change things, through the task's own links.
        JsonNode second = get(t, Map.of("id", queuedSecond));
        assertThat(ids(get(second.get("Links").get("QueuedBehind").asText(), Map.of("skip", 0, "take", 10)))).containsExactly(queuedFirst);
        assertThat(ok(api.post(second.get("Links").get("Prioritize").asText(), null), "prioritize").get("State").asText()).isEqualTo("Queued");
        JsonNode first = get(t, Map.of("id", queuedFirst));
        assertThat(ids(get(first.get("Links").get("QueuedBehind").asText(), Map.of()))).containsExactly(queuedSecond);

        JsonNode marked = ok(api.post(get(t, Map.of("id", failed)).get("Links").get("State").asText(),
                "{\"state\":\"Success\",\"reason\":\"checked by hand\"}"), "state");
        assertThat(marked.get("State").asText()).isEqualTo("Success");
        assertThat(marked.get("ErrorMessage").isNull()).isTrue();

        JsonNode rerun = ok(api.post(links.get("Rerun").asText(), null), "rerun");
        assertThat(rerun.get("Id").asText()).isNotEqualTo(finished);
        assertThat(rerun.get("Name").asText()).isEqualTo("Delay");
        assertThat(rerun.get("Arguments")).isEqualTo(task.get("Arguments"));
        assertThat(ok(api.post(first.get("Links").get("Cancel").asText(), null), "cancel").get("State").asText()).isEqualTo("Canceled");
    }

    @Test
    void theRootDocumentIsOctopusesAndEveryLinkAnswersWithOctopusesShapes() {
        Api.Response response = anonymous.get("/api");
        assertThat(response.headers().firstValue("Octopus-Node")).contains(NODE);
        assertThat(response.headers().firstValue("X-Octopus-Node")).contains(NODE);
        JsonNode root = response.json();
        assertFields(root, "root", "Application", "Version", "ApiVersion", "InstallationId", "HasLongTermSupport", "Links");
        assertThat(root.get("ApiVersion").asText()).as("Octopus's .NET client needs 3.0.x").isEqualTo("3.0.0");
        Set<String> names = new TreeSet<>();
        root.get("Links").fieldNames().forEachRemaining(names::add);
        assertThat(names).contains("CurrentUser", "CurrentLicenseStatus", "ServerStatus", "ServerHealthStatus",
                "OctopusServerNodes", "OctopusServerClusterSummary", "Tasks", "TaskTypes", "Artifacts", "Feeds", "Packages",
                "PackageUpload", "SpaceHome");
        Map<String, Consumer<String>> checks = checks();
        assertThat(checks.keySet()).as("a check for every link of the root document").containsAll(names);
        for (String name : names) {
            String template = root.get("Links").get(name).asText();
            try {
                checks.get(name).accept(template);
            } catch (AssertionError e) {
                throw new AssertionError("root link " + name + " (" + template + "): " + e.getMessage(), e);
            }
        }
    }

    @Test
    void unknownRoutesAnswerOctopusStyle404s() {
        for (String path : List.of("/api/no/such/route", "/api/nosuch", "/api/Spaces-1/nosuch", "/api/tasks/ServerTasks-999999/details",
                "/api/Spaces-1/artifacts/Artifacts-999999", "/api/users/Users-999999/apikeys")) {
            Api.Response response = api.get(path);
            assertThat(response.status()).as(path).isEqualTo(404);
            assertFields(response.json(), path, "ErrorMessage", "Errors");
        }
        assertThat(anonymous.get("/api/nosuch").status()).as("an unknown route needs no key to be unknown").isEqualTo(404);
    }
}
