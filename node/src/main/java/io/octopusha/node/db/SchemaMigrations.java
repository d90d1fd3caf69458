package io.octopusha.node.db;

import org.jooq.DSLContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Whether a database already has every schema migration this node carries, read from Flyway's history table
 * without starting Flyway. Loading Flyway, scanning the scripts and checksumming them took about a tenth of a
 * node's start, on every start, while a schema is current on all but the first start of each release.
 */
final class SchemaMigrations {
    static final String LOCATION = "db/migration";
    /** Flyway's versioned scripts: V1__x.sql is version 1, V1_2__x.sql version 1.2. */
    private static final Pattern VERSIONED_SCRIPT = Pattern.compile("V(\\d+(?:[._]\\d+)*)__.+\\.sql");

    private SchemaMigrations() {
    }

    /**
     * The versions of the scripts under {@link #LOCATION}, or empty where they are not in a directory (a jar): the
     * caller then leaves the decision to Flyway.
     */
    static Optional<Set<String>> bundledVersions() {
        URL location = SchemaMigrations.class.getClassLoader().getResource(LOCATION);
        if (location == null || !location.getProtocol().equals("file")) return Optional.empty();
        try (Stream<Path> scripts = Files.list(Path.of(location.toURI()))) {
            Set<String> versions = new HashSet<>();
            scripts.forEach(script -> {
                Matcher versioned = VERSIONED_SCRIPT.matcher(script.getFileName().toString());
                if (versioned.matches()) versions.add(versioned.group(1).replace('_', '.'));
            });
            return Optional.of(versions);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    /** True when Flyway's history records each of {@code versions} as applied successfully. */
    static boolean allApplied(DSLContext db, Set<String> versions) {
        if (db.fetchValue("SELECT to_regclass('flyway_schema_history')") == null) return false;
        Set<String> applied = new HashSet<>(db.fetch("SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL")
                .getValues(0, String.class));
        return applied.containsAll(versions);
    }
}
