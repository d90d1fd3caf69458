package io.octopusha.node.db;

import io.octopusha.node.testing.TestDatabase;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** R__functions.sql is the one place where the database's functions are written as they are now. */
class FunctionDefinitionsTest {
    private static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");
    private static final String FUNCTIONS_FILE = "db/functions/R__functions.sql";
    /** The last versioned migration from before R__functions.sql; the earlier ones define the functions first. */
    private static final int LAST_VERSION_DEFINING_FUNCTIONS = 12;
    private static final String FUNCTIONS = """
            SELECT p.oid::regprocedure::text, pg_get_functiondef(p.oid)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public'
              AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')""";

    @Test
    void theFunctionsOfAMigratedDatabaseAreExactlyThoseTheFileCreates() throws SQLException, IOException {
        try (Connection c = DriverManager.getConnection(migratedDatabaseUrl(), TestDatabase.user(), "")) {
            Map<String, String> migrated = functions(c);
            assertThat(migrated).as("the database has functions").isNotEmpty();

            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                // Dropping the functions drops their triggers too; the transaction is rolled back.
                for (String signature : migrated.keySet()) st.execute("DROP FUNCTION " + signature + " CASCADE");
                assertThat(functions(c)).isEmpty();
                st.execute(functionsFile());
                assertThat(functions(c)).isEqualTo(migrated);
            } finally {
                c.rollback();
            }
        }
    }

    @Test
    void aNodeOfAVersionFromBeforeTheFileStillStartsOnADatabaseThisVersionMigrated() {
        // What such a node runs as it starts: the versioned migrations alone, validated against their history.
        Flyway previous = Flyway.configure().dataSource(migratedDatabaseUrl(), TestDatabase.user(), "")
                .locations("classpath:db/migration").load();
        assertThat(previous.validateWithResult().validationSuccessful).isTrue();
    }

    @Test
    void noVersionedMigrationAfterTheFileDefinesAFunction() throws IOException {
        Pattern versioned = Pattern.compile("V(\\d+)__.*\\.sql");
        Pattern definesFunction = Pattern.compile("(?i)\\b(CREATE|ALTER|DROP)\\s+(OR\\s+REPLACE\\s+)?FUNCTION\\b");
        try (Stream<Path> files = Files.list(MIGRATIONS)) {
            List<String> defining = files.filter(f -> {
                Matcher m = versioned.matcher(f.getFileName().toString());
                return m.matches() && Integer.parseInt(m.group(1)) > LAST_VERSION_DEFINING_FUNCTIONS;
            }).filter(f -> definesFunction.matcher(read(f)).find()).map(f -> f.getFileName().toString()).toList();
            assertThat(defining).as("change functions in R__functions.sql instead").isEmpty();
        }
    }

    private static String migratedDatabaseUrl() {
        String url = TestDatabase.freshDatabaseUrl();
        try (Database database = new Database(url, TestDatabase.user(), null, "function-definitions")) {
            database.migrate();
        }
        return url;
    }

    private static Map<String, String> functions(Connection c) throws SQLException {
        Map<String, String> definitions = new TreeMap<>();
        try (Statement st = c.createStatement(); ResultSet rows = st.executeQuery(FUNCTIONS)) {
            while (rows.next()) definitions.put(rows.getString(1), rows.getString(2));
        }
        return definitions;
    }

    private static String functionsFile() throws IOException {
        try (InputStream in = FunctionDefinitionsTest.class.getClassLoader().getResourceAsStream(FUNCTIONS_FILE)) {
            assertThat(in).as(FUNCTIONS_FILE).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
