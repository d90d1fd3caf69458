package io.octopusha.node.db;

import io.octopusha.node.testing.TestDatabase;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** A node starting on a current schema leaves Flyway out; anything missing still goes through Flyway. */
class SchemaMigrationsTest {

    private static Flyway flywayOn(String url) {
        return Flyway.configure().dataSource(url, TestDatabase.user(), "").locations("classpath:" + SchemaMigrations.LOCATION).load();
    }

    @Test
    void theNodeFindsTheSameMigrationsAsFlyway() {
        Set<String> flywaySees = Arrays.stream(flywayOn(TestDatabase.freshDatabaseUrl()).info().pending())
                .map(m -> m.getVersion().getVersion()).collect(Collectors.toSet());
        assertThat(SchemaMigrations.bundledVersions()).contains(flywaySees);
    }

    @Test
    void aNewDatabaseIsMigratedAndAStartOnACurrentOneSkipsFlyway() {
        try (Database database = new Database(TestDatabase.freshDatabaseUrl(), TestDatabase.user(), null, "schema-test")) {
            assertThat(database.migrate()).isEqualTo(Database.Migration.MIGRATED);
            int historyRows = database.dsl().fetchCount(DSL.table("flyway_schema_history"));

            assertThat(database.migrate()).isEqualTo(Database.Migration.CURRENT);
            assertThat(database.dsl().fetchCount(DSL.table("flyway_schema_history"))).isEqualTo(historyRows);
            assertThat(database.schemaProblem()).isNull();
        }
    }

    @Test
    void aSchemaOneMigrationBehindIsMigratedByFlyway() {
        String url = TestDatabase.freshDatabaseUrl();
        MigrationInfo[] all = flywayOn(url).info().pending();
        String secondLast = all[all.length - 2].getVersion().getVersion();
        Flyway.configure().dataSource(url, TestDatabase.user(), "").locations("classpath:" + SchemaMigrations.LOCATION)
                .target(secondLast).load().migrate();
        try (Database database = new Database(url, TestDatabase.user(), null, "schema-test")) {
            assertThat(database.schemaProblem()).isEqualTo("1 schema migration(s) not applied");

            assertThat(database.migrate()).isEqualTo(Database.Migration.MIGRATED);

            assertThat(database.schemaProblem()).isNull();
            assertThat(database.schemaVersion()).isEqualTo(all[all.length - 1].getVersion().getVersion());
        }
    }

    @Test
    void aScriptChangedAfterItWasAppliedStillStartsButTheIntegrityCheckReportsIt() {
        try (Database database = new Database(TestDatabase.freshDatabaseUrl(), TestDatabase.user(), null, "schema-test")) {
            database.migrate();
            database.dsl().execute("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'");

            assertThat(database.migrate()).isEqualTo(Database.Migration.CURRENT);
            assertThat(database.schemaProblem()).contains("checksum mismatch").contains("1");
        }
    }
}
