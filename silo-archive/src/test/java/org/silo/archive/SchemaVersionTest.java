package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Schema;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * The catalog's schema version: the constant {@code silo --version} prints is the last migration of both
 * engines, a catalog says the version Flyway's history table holds, and a catalog a newer release has
 * migrated is refused rather than used (docs/operations.md, "Upgrades").
 */
class SchemaVersionTest {
    private static final Pattern MIGRATION = Pattern.compile("V(\\d+)__.+\\.sql");

    @TempDir
    Path dir;

    private static List<Integer> versions(String engine) throws Exception {
        URL url = Catalog.class.getClassLoader().getResource("db/migration/" + engine);
        assertThat(url).as(engine + " migrations on the class path").isNotNull();
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            return files.map(p -> MIGRATION.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches)
                    .map(m -> Integer.parseInt(m.group(1)))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void theConstantIsTheLastMigrationOfBothEngines() throws Exception {
        List<Integer> sqlite = versions("sqlite");
        assertThat(versions("postgresql"))
                .as("the same migrations for both engines")
                .isEqualTo(sqlite);
        assertThat(String.valueOf(sqlite.get(sqlite.size() - 1))).isEqualTo(Schema.VERSION);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "pg"})
    void aCatalogSaysItsVersionFromFlywaysHistory(String kind) throws Exception {
        try (TestCatalogs t = new TestCatalogs(kind);
                Catalog c = Catalog.open(dir, t.setting)) {
            assertThat(c.schemaVersion()).isEqualTo(Schema.VERSION);
            assertThat(c.schemaMigratedAt())
                    .isBetween(
                            Instant.now().minus(Duration.ofHours(1)),
                            Instant.now().plus(Duration.ofHours(1)));
        }
    }

    /** What an older release would meet after a newer one migrated its catalog: refused, and left as it was. */
    @Test
    void aCatalogANewerReleaseMigratedIsRefused() throws Exception {
        Catalog.open(dir, null).close();
        String url = "jdbc:sqlite:" + dir.resolve("catalog.db");
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute(
                    "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by,"
                            + " execution_time, success) VALUES (99, '99', 'from the future', 'SQL', 'V99__from_the_future.sql', 0, 'test', 1, 1)");
        }
        assertThatThrownBy(() -> Catalog.open(dir, null))
                .isInstanceOf(SiloException.class)
                .hasMessageContaining("is at schema version 99, newer than this silo's " + Schema.VERSION)
                .hasMessageContaining("restore the backup taken before the upgrade")
                .satisfies(e -> assertThat(((SiloException) e).code()).isEqualTo(ErrorCode.INVALID));
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*), MAX(installed_rank) FROM flyway_schema_history")) {
            rs.next();
            assertThat(rs.getInt(1))
                    .as("nothing migrated or removed")
                    .isEqualTo(versions("sqlite").size() + 1);
            assertThat(rs.getInt(2)).isEqualTo(99);
        }
    }
}
