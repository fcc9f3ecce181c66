package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.silo.archive.catalog.Schema;
import org.silo.server.SiloServer;
import org.silo.server.TestSilo;

/**
 * Upgrades keep data (docs/operations.md, "Upgrades"): this build's server, started on a data directory
 * and catalog that the previous release made (src/test/resources/upgrade/README.md says how), migrates
 * the catalog, keeps Flyway's history of the old migrations as it was, reads back every file byte for byte
 * with its checksum, finds no problem in fsck, serves the old disk image and login, and takes new files.
 */
class UpgradeTest {
    private static final String FIXTURE = "/upgrade/from-285401e.tar.gz";
    /** Where the fixtures' data directories were made: the catalogs name their volumes by these absolute paths. */
    private static final Map<String, String> MADE_IN =
            Map.of("sqlite", "/tmp/upg-make/data", "postgresql", "/tmp/upg-pg/data");

    private static final String PG_FIXTURE_SCHEMA = "silo_upgrade_fixture";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;
    private InputStream oldIn;
    private String pgBase;
    private String pgSchema;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        oldErr = System.err;
        oldIn = System.in;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setProperty("silo.config.home", dir.resolve("config").toString());
    }

    @AfterEach
    void restore() throws SQLException {
        System.setOut(oldOut);
        System.setErr(oldErr);
        System.setIn(oldIn);
        System.clearProperty("silo.config.home");
        if (pgSchema != null) {
            try (Connection c = DriverManager.getConnection(pgBase);
                    Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + pgSchema + " CASCADE");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // a hang guard only
    void theCurrentServerOpensThePreviousReleasesData(String kind) throws Exception {
        unpack();
        Path data = dir.resolve(kind).resolve("data");
        String catalog = kind.equals("sqlite") ? pointSqliteVolumesAt(data) : restorePostgres(data);
        List<String[]> historyBefore = history(catalog, data);
        assertThat(historyBefore)
                .as("the fixture is at schema 8, the previous release's")
                .last()
                .satisfies(r -> assertThat(r[0]).isEqualTo("8"));

        try (SiloServer server = SiloServer.start(TestSilo.config(data, "catalog", catalog))) {
            String at = "--server=127.0.0.1:" + server.wirePort();

            Map<String, Object> status = JSON.readValue(run(0, "status", "--json", at), new TypeReference<>() {});
            assertThat(status.get("schemaVersion"))
                    .as("the catalog migrated to this build's schema")
                    .isEqualTo(Schema.VERSION);
            assertThat((String) status.get("schemaMigratedAt")).matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z");

            Path originals = dir.resolve("originals");
            List<Path> files = originalFiles(originals);
            assertThat(files).hasSize(5);
            for (Path original : files) {
                String path = "/" + originals.relativize(original).toString();
                Path back = dir.resolve("back").resolve(original.getFileName());
                Files.createDirectories(back.getParent());
                run(0, "get", path, back.toString(), at); // get checks the Adler-32 the old release recorded
                assertThat(back).as(path).hasSameBinaryContentAs(original);
            }
            assertThat(run(0, "fsck", at)).contains("5 files, 6 copies checked", " 0 problems");

            if (kind.equals("sqlite")) {
                Path image = dir.resolve("x.img");
                run(0, "file", "cp", "device:x", "file:" + image, at);
                byte[] expected = new byte[1 << 20];
                java.util.Arrays.fill(expected, 4096, 8192, (byte) 0x5a);
                assertThat(Files.readAllBytes(image))
                        .as("the old image's bytes")
                        .isEqualTo(expected);
                System.setIn(new ByteArrayInputStream("alice-password-19\n".getBytes(StandardCharsets.UTF_8)));
                assertThat(run(0, "login", "alice", "--password-stdin", at))
                        .as("the old access list's password")
                        .contains("as alice");
                run(0, "logout", at);
            }

            Path added = dir.resolve("added.bin");
            SiloProcesses.file(added, 70_000, 19);
            run(0, "put", "--copies", "2", added.toString(), "/exp/sub/", at);
            Path back = dir.resolve("back/added.bin");
            run(0, "get", "/exp/sub/added.bin", back.toString(), at);
            assertThat(back).hasSameBinaryContentAs(added);
            assertThat(run(0, "fsck", at)).contains("6 files, 8 copies checked", " 0 problems");
        }

        List<String[]> historyAfter = history(catalog, data);
        assertThat(historyAfter.subList(0, historyBefore.size()))
                .as("Flyway's history of the old migrations, checksums and all, as it was")
                .usingRecursiveComparison()
                .isEqualTo(historyBefore);
        assertThat(historyAfter).last().satisfies(r -> assertThat(r[0]).isEqualTo(Schema.VERSION));
        assertThat(historyAfter)
                .allSatisfy(
                        r -> assertThat(r[2]).as("every migration succeeded").isEqualTo("true"));
    }

    /** {@code silo ARGS} in this process; asserts the exit status and returns what it printed on stdout. */
    private String run(int exit, String... args) {
        out.reset();
        err.reset();
        int status = Main.run(args);
        assertThat(status)
                .as(String.join(" ", args) + ": " + err.toString(StandardCharsets.UTF_8))
                .isEqualTo(exit);
        return out.toString(StandardCharsets.UTF_8);
    }

    private void unpack() throws Exception {
        Path archive = dir.resolve("fixture.tar.gz");
        try (InputStream in = UpgradeTest.class.getResourceAsStream(FIXTURE)) {
            assertThat(in).as(FIXTURE).isNotNull();
            Files.copy(in, archive);
        }
        Process tar = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", dir.toString())
                .redirectErrorStream(true)
                .start();
        String said = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tar.waitFor()).as("tar: " + said).isZero();
    }

    private static List<Path> originalFiles(Path originals) throws Exception {
        try (Stream<Path> s = Files.walk(originals)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /**
     * The volumes to where the fixture was unpacked, on the old schema, as it was made: the catalog keeps a
     * {@code dir:} volume's absolute path.
     */
    private static String pointSqliteVolumesAt(Path data) throws SQLException {
        String madeIn = MADE_IN.get("sqlite");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("catalog.db"));
                Statement s = c.createStatement()) {
            int n = s.executeUpdate(
                    "UPDATE volume SET backend = 'dir:" + data.toAbsolutePath() + "' || substr(backend, "
                            + ("dir:" + madeIn).length() + " + 1) WHERE backend LIKE 'dir:" + madeIn + "/%'");
            assertThat(n).as("the fixture's two volumes").isEqualTo(2);
        }
        return "";
    }

    /** The dumped schema into a fresh schema of PostgreSQL at 127.0.0.1:5432 (skipped, saying why, if none is there). */
    private String restorePostgres(Path data) throws Exception {
        pgBase = reachablePostgres("the PostgreSQL upgrade test");
        pgSchema = "silo_up" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        String sql = Files.readString(dir.resolve("postgresql/catalog.sql"))
                .replace(PG_FIXTURE_SCHEMA, pgSchema)
                .replace(MADE_IN.get("postgresql"), data.toAbsolutePath().toString());
        try (Connection c = DriverManager.getConnection(pgBase);
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
        return pgBase + "&currentSchema=" + pgSchema;
    }

    /** A URL of PostgreSQL at 127.0.0.1:5432 (or {@code -Dsilo.test.pg}) that connects, or {@code what} is skipped saying why. */
    static String reachablePostgres(String what) {
        String given = System.getProperty("silo.test.pg", "");
        List<String> candidates = given.isEmpty()
                ? List.of(
                        "jdbc:postgresql://127.0.0.1:5432/test?user=postgres",
                        "jdbc:postgresql://127.0.0.1:5432/test?user=root")
                : List.of(given);
        StringBuilder why = new StringBuilder();
        for (String url : candidates) {
            Properties p = new Properties();
            p.setProperty("connectTimeout", "3");
            try (Connection c = DriverManager.getConnection(url, p)) {
                return url;
            } catch (SQLException e) {
                why.append(url).append(": ").append(e.getMessage()).append("; ");
            }
        }
        Assumptions.abort("PostgreSQL cannot be reached, " + what + " skipped: " + why);
        return null;
    }

    /** Flyway's history of applied migrations: version, checksum, success; oldest first. */
    private List<String[]> history(String catalog, Path data) throws SQLException {
        String url = catalog.isEmpty() ? "jdbc:sqlite:" + data.resolve("catalog.db") : pgBase;
        String table = catalog.isEmpty() ? "flyway_schema_history" : pgSchema + ".flyway_schema_history";
        List<String[]> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version, checksum, success FROM " + table
                        + " WHERE version IS NOT NULL ORDER BY installed_rank")) {
            while (rs.next()) {
                rows.add(new String[] {rs.getString(1), rs.getString(2), String.valueOf(rs.getBoolean(3))});
            }
        }
        return rows;
    }
}
