package org.silo.archive;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/** The queue suite on PostgreSQL (a schema of its own per test; skipped if PostgreSQL cannot be reached). */
class PostgresQueueTest extends QueueContract {
    private String base;
    private String schema;

    @Override
    String freshCatalog() {
        base = PostgresArchiveTest.reachable();
        schema = "silo_q" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
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
