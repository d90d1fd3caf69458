package io.octopusha.node.db;

import io.octopusha.node.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** db/functions.sql is the one place where the database's functions can be read as they are now. */
class FunctionDefinitionsTest {
    private static final String FUNCTIONS_FILE = "db/functions.sql";
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
}
