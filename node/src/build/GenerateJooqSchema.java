import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.jooq.codegen.GenerationTool;
import org.jooq.meta.jaxb.Configuration;
import org.jooq.meta.jaxb.Database;
import org.jooq.meta.jaxb.Generate;
import org.jooq.meta.jaxb.Generator;
import org.jooq.meta.jaxb.Jdbc;
import org.jooq.meta.jaxb.Target;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * Build step: migrates a throw-away embedded PostgreSQL with the Flyway scripts and generates the typed
 * jOOQ schema from it, so generation needs no running database and no network. Skipped when the
 * scripts have not changed since the last run.
 *
 * Arguments: migrations directory, output source directory, work directory.
 */
public class GenerateJooqSchema {
    public static void main(String[] args) throws Exception {
        Path migrations = Path.of(args[0]);
        Path output = Path.of(args[1]);
        Path work = Path.of(args[2]);
        Path stamp = work.resolve("migrations.sha256");
        String hash = hashOf(migrations);
        if (Files.isDirectory(output) && Files.exists(stamp) && Files.readString(stamp).equals(hash)) {
            System.out.println("jOOQ schema is up to date");
            return;
        }
        Files.createDirectories(work);
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(work.toFile())
                .setDataDirectory(work.resolve("pgdata"))
                .start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            Flyway.configure()
                    .dataSource(url, "postgres", "postgres")
                    .locations("filesystem:" + migrations.toAbsolutePath())
                    .load()
                    .migrate();
            GenerationTool.generate(new Configuration()
                    .withJdbc(new Jdbc().withDriver("org.postgresql.Driver").withUrl(url)
                            .withUser("postgres").withPassword("postgres"))
                    .withGenerator(new Generator()
                            .withDatabase(new Database()
                                    .withName("org.jooq.meta.postgres.PostgresDatabase")
                                    .withInputSchema("public")
                                    .withExcludes("flyway_schema_history"))
                            .withGenerate(new Generate().withJavaTimeTypes(true).withRecords(true)
                                    .withPojos(false).withDaos(false).withGeneratedAnnotation(false))
                            .withTarget(new Target().withPackageName("io.octopusha.node.db.schema")
                                    .withDirectory(output.toAbsolutePath().toString()))));
        }
        Files.writeString(stamp, hash);
    }

    private static String hashOf(Path dir) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                digest.update(f.getFileName().toString().getBytes());
                digest.update(Files.readAllBytes(f));
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
