package org.silo.archive;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A fresh catalog for a parameterized test: {@code sqlite} (null: the data directory's) or {@code pg}, a
 * schema of its own in PostgreSQL at 127.0.0.1:5432 (as {@link PostgresArchiveTest}; the test is skipped,
 * saying why, when PostgreSQL cannot be reached), dropped by {@link #close}.
 */
final class TestCatalogs implements AutoCloseable {
    private final String base;
    private final String schema;
    final String setting;

    TestCatalogs(String kind) {
        if (kind.equals("pg")) {
            base = PostgresArchiveTest.reachable();
            schema = "silo_t" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
            setting = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        } else {
            base = null;
            schema = null;
            setting = null;
        }
    }

    @Override
    public void close() throws Exception {
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(base);
                    Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }
}
