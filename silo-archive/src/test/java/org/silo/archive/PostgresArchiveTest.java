package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.silo.archive.catalog.Catalog;
import org.silo.wire.ErrorCode;

/**
 * The catalog suite on PostgreSQL at 127.0.0.1:5432, database {@code test} (override with
 * {@code -Dsilo.test.pg=jdbc:postgresql://HOST:PORT/DB?user=U}). Each test gets a schema of its own,
 * dropped afterwards. If the server cannot be reached the tests are skipped, saying so.
 */
class PostgresArchiveTest extends ArchiveContract {
    static final String BASE = System.getProperty("silo.test.pg", "");
    private String base;
    private String schema;

    @Override
    String freshCatalog() throws Exception {
        base = reachable();
        schema = "silo_t" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    @Override
    void dropCatalog() throws Exception {
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(base);
                    Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    /** A URL that connects, or the test is aborted (skipped) with the reason. */
    static String reachable() {
        String[] candidates = BASE.isEmpty()
                ? new String[] {
                    "jdbc:postgresql://127.0.0.1:5432/test?user=postgres",
                    "jdbc:postgresql://127.0.0.1:5432/test?user=root"
                }
                : new String[] {BASE};
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
        Assumptions.abort("PostgreSQL cannot be reached, PostgreSQL catalog tests skipped: " + why);
        return null;
    }

    @Test
    void postgresCatalogIsInItsOwnSchema() throws Exception {
        assertThat(archive.catalog().engine()).isEqualTo(Catalog.Engine.POSTGRESQL);
        String current = archive.catalog()
                .tx(c -> org.silo.archive.catalog.Sql.one(c, "SELECT current_schema()", rs -> rs.getString(1))
                        .orElseThrow());
        assertThat(current).isEqualTo(schema);
    }

    @Test
    @org.junit.jupiter.api.Timeout(600)
    void aCatalogThatGoesAwayIsAClearErrorAndNothingIsHalfWritten() throws Exception {
        String url = setting.replace("127.0.0.1:5432", "127.0.0.1:PORT");
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", 5432)) {
            try (ArchiveService viaProxy =
                    ArchiveService.open(data.resolve("p"), url.replace("PORT", String.valueOf(proxy.port())))) {
                viaProxy.namespace().mkdir("/before", false, "a");
                proxy.close();
                // that it fails at all, rather than hang, is what matters; how soon is this machine's business
                // (the test's @Timeout is only a ceiling for a hang)
                String msg = fails(ErrorCode.IO, () -> viaProxy.namespace().mkdir("/during", false, "a"))
                        .getMessage();
                assertThat(msg).contains("cannot reach the catalog jdbc:postgresql://127.0.0.1:" + proxy.port());
            }
        }
        assertThat(archive.namespace().stat("/before").kind()).isEqualTo("dir");
        fails(ErrorCode.NOT_FOUND, () -> archive.namespace().stat("/during"));
    }

    @Test
    void aCatalogThatCannotBeReachedIsAClearError() {
        String msg = fails(ErrorCode.IO, () -> Catalog.open(data, "jdbc:postgresql://127.0.0.1:1/test?user=postgres"))
                .getMessage();
        assertThat(msg).contains("cannot reach the catalog jdbc:postgresql://127.0.0.1:1/test");
    }
}
