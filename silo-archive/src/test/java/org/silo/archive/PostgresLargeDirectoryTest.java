package org.silo.archive;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/** {@link LargeDirectoryContract} on PostgreSQL, in a schema of its own (skipped, saying so, without a server). */
class PostgresLargeDirectoryTest extends LargeDirectoryContract {
    private String base;
    private String schema;

    @Override
    String freshCatalog() {
        base = PostgresArchiveTest.reachable();
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
}
