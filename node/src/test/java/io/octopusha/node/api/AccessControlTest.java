package io.octopusha.node.api;

import io.octopusha.node.OctopusNode;
import io.octopusha.node.auth.Role;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Every route the node registers, called without a key, with a bad key, with each role. */
class AccessControlTest {
    /** SPEC section 4 and issue 20 (Octopus's server health): the only routes that need no key. */
    private static final Set<String> ANONYMOUS = Set.of(
            "GET /api", "GET /api/octopusservernodes/ping", "GET /api/health/live", "GET /api/health/ready",
            "GET /api/serverstatus/health");

    private static TestCluster cluster;
    private static OctopusNode node;
    private static Api admin;

    @BeforeAll
    static void start() {
        cluster = new TestCluster();
        node = cluster.start("auth", java.util.Map.of("OCTOPUS_AUTH_FAILURE_LIMIT", "1000"));
        admin = cluster.api(node);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    record Route(String method, String path, Role required) {
        String concretePath() {
            return path.replaceAll("\\{[^}]+}", "no-such-id");
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private static List<Route> routes() {
        return node.api().javalin().unsafe.internalRouter.allHttpHandlers().stream()
                .map(p -> p.endpoint)
                .filter(e -> e.method.isHttpMethod())
                .map(e -> new Route(e.method.name(), e.path, AccessControl.requiredRole(
                        e.metadata(io.javalin.security.Roles.class) == null ? Set.of()
                                : e.metadata(io.javalin.security.Roles.class).getRoles())))
                .toList();
    }

    private String keyFor(Role role) {
        return admin.post("/api/apikeys", "{\"Purpose\":\"matrix " + role + "\",\"Role\":\"" + role + "\"}")
                .json().get("ApiKey").asText();
    }

    @Test
    void onlyTheSpecifiedRoutesAreAnonymous() {
        Set<String> anonymous = routes().stream().filter(r -> r.required() == Role.Anonymous)
                .map(Route::toString).collect(Collectors.toSet());
        assertThat(anonymous).isEqualTo(ANONYMOUS);
        assertThat(routes()).hasSizeGreaterThan(10);
    }

    @Test
    void everyOtherRouteAnswers401WithoutAKeyOrWithAnUnknownKey() {
        Api noKey = admin.withKey(null);
        Api badKey = admin.withKey("API-NOTAREALKEY000000000000");
        for (Route route : routes()) {
            if (route.required() == Role.Anonymous) {
                assertThat(noKey.send(route.method(), route.concretePath(), "{}").status()).as(route.toString())
                        .isNotIn(401, 403);
                continue;
            }
            var response = noKey.send(route.method(), route.concretePath(), "{}");
            assertThat(response.status()).as(route.toString()).isEqualTo(401);
            assertThat(response.json().get("ErrorMessage").asText()).isNotBlank();
            assertThat(badKey.send(route.method(), route.concretePath(), "{}").status()).as(route.toString()).isEqualTo(401);
        }
    }

    @Test
    void eachRoleGets403BelowTheRouteRoleAndPassesAtOrAboveIt() {
        var keys = java.util.Map.of(Role.Viewer, keyFor(Role.Viewer), Role.Operator, keyFor(Role.Operator),
                Role.Administrator, TestCluster.ADMIN_KEY);
        for (Route route : routes()) {
            if (route.required() == Role.Anonymous) continue;
            for (var entry : keys.entrySet()) {
                int status = admin.withKey(entry.getValue()).send(route.method(), route.concretePath(), "{}").status();
                if (entry.getKey().includes(route.required())) {
                    assertThat(status).as(route + " as " + entry.getKey()).isNotIn(401, 403);
                } else {
                    assertThat(status).as(route + " as " + entry.getKey()).isEqualTo(403);
                }
            }
        }
    }

    /** Creating AdHocScript tasks is a permission of its own: Administrator, unless the node grants it to Operator. */
    @Test
    void scriptTasksNeedTheAdministratorRoleUnlessTheNodeGrantsThemToOperators() {
        String script = "{\"Name\":\"AdHocScript\",\"Arguments\":{\"ScriptBody\":\"true\"}}";
        var keys = java.util.Map.of(Role.Viewer, keyFor(Role.Viewer), Role.Operator, keyFor(Role.Operator),
                Role.Administrator, TestCluster.ADMIN_KEY);
        Api granting = cluster.api(cluster.start("auth-scripts", java.util.Map.of("OCTOPUS_SCRIPT_TASKS", "Operator")));
        for (String path : List.of("/api/tasks", "/api/Spaces-1/tasks")) {
            for (var entry : keys.entrySet()) {
                Role role = entry.getKey();
                var byDefault = admin.withKey(entry.getValue()).post(path, script);
                assertThat(byDefault.status()).as(path + " as " + role).isEqualTo(role == Role.Administrator ? 201 : 403);
                if (role == Role.Operator) {
                    assertThat(byDefault.json().get("ErrorMessage").asText()).contains("OCTOPUS_SCRIPT_TASKS", "Administrator");
                }
                assertThat(granting.withKey(entry.getValue()).post(path, script).status()).as(path + " as " + role + " where granted")
                        .isEqualTo(role == Role.Viewer ? 403 : 201);
            }
        }
        assertThat(admin.withKey(keys.get(Role.Operator)).post("/api/tasks", "{\"Name\":\"Delay\",\"Arguments\":{\"Milliseconds\":0}}")
                .status()).as("other task types").isEqualTo(201);
    }

    @Test
    void theKeyCanAlsoBeAQueryParameter() {
        assertThat(admin.withKey(null).get("/api/octopusservernodes/summary?apikey=" + TestCluster.ADMIN_KEY).status())
                .isEqualTo(200);
    }

    @Test
    void aRevokedKeyStopsWorkingOnEveryNode() {
        OctopusNode other = cluster.start("auth-other");
        var created = admin.post("/api/apikeys", "{\"Purpose\":\"revoke me\",\"Role\":\"Viewer\"}").json();
        Api viaOther = cluster.api(other).withKey(created.get("ApiKey").asText());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(1))
                .until(() -> viaOther.get("/api/octopusservernodes/summary").status() == 200);
        assertThat(admin.delete("/api/apikeys/" + created.get("Id").asText()).status()).isEqualTo(204);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(1))
                .until(() -> viaOther.get("/api/octopusservernodes/summary").status() == 401);
    }

    @Test
    void keysAreStoredHashedAndListedWithoutTheSecret() {
        var created = admin.post("/api/apikeys", "{\"Purpose\":\"listed\",\"Role\":\"Operator\"}");
        assertThat(created.status()).isEqualTo(201);
        String key = created.json().get("ApiKey").asText();
        assertThat(key).matches("API-[A-Z0-9]{26}");
        String list = admin.get("/api/apikeys").body();
        assertThat(list).contains("listed").doesNotContain(key);
    }

    @Test
    void usersMeTellsTheKeysRole() {
        String viewer = keyFor(Role.Viewer);
        var me = admin.withKey(viewer).get("/api/users/me").json();
        assertThat(me.get("Role").asText()).isEqualTo("Viewer");
        assertThat(me.get("DisplayName").asText()).isEqualTo("matrix Viewer");
        assertThat(admin.get("/api/users/me").json().get("Role").asText()).isEqualTo("Administrator");
    }

    @Test
    void anAddressSendingTooManyInvalidKeysGets429EvenForAValidKeyWhileOthersAreUnaffected() {
        OctopusNode guarded = cluster.start("auth-limited", java.util.Map.of("OCTOPUS_AUTH_FAILURE_LIMIT", "5"));
        Api fromOne = cluster.api(guarded).fromAddress("127.0.0.7");
        for (int i = 0; i < 5; i++) {
            assertThat(fromOne.withKey("API-GUESS" + i + "0000000000000000").get("/api/octopusservernodes").status()).isEqualTo(401);
        }
        var limited = fromOne.withKey("API-GUESS50000000000000000").get("/api/octopusservernodes");
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.json().get("ErrorMessage").asText()).contains("127.0.0.7").contains("try again");
        assertThat(limited.headers().firstValue("Retry-After").map(Integer::parseInt).orElseThrow()).isBetween(1, 60);
        assertThat(fromOne.get("/api/octopusservernodes").status()).as("a right guess must not stand out").isEqualTo(429);
        assertThat(cluster.api(guarded).fromAddress("127.0.0.8").get("/api/octopusservernodes").status()).isEqualTo(200);
        assertThat(fromOne.withKey(null).get("/api/octopusservernodes/ping").status()).isEqualTo(200);
    }
}
