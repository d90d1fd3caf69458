package io.octopusha.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.octopusha.node.OctopusNode;
import io.octopusha.node.auth.ApiKeys;
import io.octopusha.node.auth.Principal;
import io.octopusha.node.auth.Role;
import io.octopusha.node.db.Database;
import io.octopusha.node.testing.Api;
import io.octopusha.node.testing.TestCluster;
import io.octopusha.node.testing.TestDatabase;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Users and their API keys at Octopus's paths, beside the older /api/apikeys; and the upgrade that gave keys users (V12). */
class UsersApiTest {
    private static TestCluster cluster;
    private static Api admin;

    @BeforeAll
    static void start() {
        cluster = new TestCluster();
        OctopusNode node = cluster.start("users");
        admin = cluster.api(node);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void aKeyBelongsToAUserWhoSeesAndRevokesItsOwnKeysAndOnlyAnAdministratorCreatesThem() {
        JsonNode created = admin.post("/api/apikeys", "{\"Purpose\":\"reporting\",\"Role\":\"Viewer\"}").json();
        String userId = created.get("UserId").asText();
        assertThat(userId).matches("Users-\\d+").isNotEqualTo(ApiKeys.BOOTSTRAP_USER);
        Api viewer = admin.withKey(created.get("ApiKey").asText());

        JsonNode me = viewer.get("/api/users/me").json();
        assertThat(me.get("Id").asText()).isEqualTo(userId);
        assertThat(me.get("DisplayName").asText()).isEqualTo("reporting");
        assertThat(me.get("Role").asText()).isEqualTo("Viewer");
        String keysLink = me.get("Links").get("ApiKeys").asText().replace("{/id}{?skip,take}", "");
        assertThat(keysLink).isEqualTo("/api/users/" + userId + "/apikeys");
        JsonNode keys = viewer.get(keysLink).json();
        assertThat(keys.get("TotalResults").asInt()).isEqualTo(1);
        JsonNode key = keys.get("Items").get(0);
        assertThat(key.get("Id").asText()).isEqualTo(created.get("Id").asText());
        assertThat(key.get("ApiKey").get("HasValue").asBoolean()).isTrue();
        assertThat(key.get("ApiKey").get("NewValue").isNull()).isTrue();
        assertThat(created.get("ApiKey").asText()).startsWith(key.get("ApiKey").get("Hint").asText());
        assertThat(viewer.get(keysLink).body()).doesNotContain(created.get("ApiKey").asText());

        assertThat(viewer.get("/api/users/" + ApiKeys.BOOTSTRAP_USER + "/apikeys").status()).as("another user's keys").isEqualTo(403);
        assertThat(viewer.get("/api/users/" + ApiKeys.BOOTSTRAP_USER).status()).isEqualTo(403);
        assertThat(viewer.post(keysLink, "{\"Purpose\":\"mine\"}").status()).as("creating keys is an Administrator's").isEqualTo(403);

        Api.Response second = admin.post(keysLink, "{\"Purpose\":\"second\"}");
        assertThat(second.status()).as(second.body()).isEqualTo(201);
        assertThat(second.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(second.json().get("UserId").asText()).isEqualTo(userId);
        Api secondKey = admin.withKey(second.json().get("ApiKey").asText());
        assertThat(secondKey.get("/api/users/me").json().get("Role").asText()).as("the user's role").isEqualTo("Viewer");
        assertThat(secondKey.put("/api/octopusservernodes/OctopusServerNodes-users", "{\"MaxConcurrentTasks\":3}").status()).isEqualTo(403);
        assertThat(admin.post(keysLink, "{}").status()).isEqualTo(400);
        assertThat(admin.post("/api/users/Users-999999/apikeys", "{\"Purpose\":\"x\"}").status()).isEqualTo(404);

        String secondId = second.json().get("Id").asText();
        assertThat(viewer.get(keysLink + "/" + secondId).json().get("Purpose").asText()).isEqualTo("second");
        assertThat(viewer.delete(keysLink + "/" + secondId).status()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(1)).until(() -> secondKey.get("/api/users/me").status() == 401);
        assertThat(viewer.delete("/api/users/" + ApiKeys.BOOTSTRAP_USER + "/apikeys/" + secondId).status()).isEqualTo(403);
        assertThat(admin.get("/api/events?regarding=" + secondId).json().get("Items").get(0).get("Message").asText())
                .startsWith("Revoked API key " + secondId);

        JsonNode users = admin.get("/api/users?filter=REPORT").json();
        assertThat(users.get("ItemType").asText()).isEqualTo("User");
        assertThat(users.get("Items").get(0).get("Id").asText()).isEqualTo(userId);
        assertThat(admin.get("/api/apikeys").json().findValuesAsText("UserId")).contains(userId, ApiKeys.BOOTSTRAP_USER);
        assertThat(admin.delete("/api/apikeys/" + created.get("Id").asText()).status()).as("the older route still revokes").isEqualTo(204);
    }

    @Test
    void anUpgradeGivesTheBootstrapKeysUsersOneAndEveryOtherKeyAUserOfItsOwn() {
        String url = TestDatabase.freshDatabaseUrl();
        Flyway.configure().dataSource(url, TestDatabase.user(), "").locations("classpath:db/migration").target("11").load().migrate();
        try (Database database = new Database(url, TestDatabase.user(), null, "users-upgrade-test")) {
            DSLContext db = database.dsl();
            db.execute("INSERT INTO api_key (purpose, role, key_hash, key_prefix) VALUES "
                    + "('Bootstrap administrator (OCTOPUS_ADMIN_API_KEY)', 'Administrator', sha256('API-ONE0000000000000000'::bytea), 'API-ONE0'), "
                    + "('deploy bot', 'Operator', sha256('API-TWO0000000000000000'::bytea), 'API-TWO0'), "
                    + "('dashboard', 'Viewer', sha256('API-THREE00000000000000'::bytea), 'API-THRE')");

            database.migrate();

            ApiKeys keys = new ApiKeys(db);
            keys.reload();
            Principal bootstrap = keys.authenticate("API-ONE0000000000000000").orElseThrow();
            assertThat(bootstrap.userId()).isEqualTo(ApiKeys.BOOTSTRAP_USER);
            Principal bot = keys.authenticate("API-TWO0000000000000000").orElseThrow();
            Principal dashboard = keys.authenticate("API-THREE00000000000000").orElseThrow();
            assertThat(bot.userId()).isNotEqualTo(dashboard.userId()).isNotEqualTo(ApiKeys.BOOTSTRAP_USER);
            assertThat(keys.findUser(bot.userId()).orElseThrow().displayName()).isEqualTo("deploy bot");
            assertThat(keys.findUser(bot.userId()).orElseThrow().role()).isEqualTo(Role.Operator);
            assertThat(keys.findUser(dashboard.userId()).orElseThrow().role()).isEqualTo(Role.Viewer);
            assertThat(keys.createFor(bot.userId(), "another").orElseThrow().role()).isEqualTo(Role.Operator);
        }
    }
}
