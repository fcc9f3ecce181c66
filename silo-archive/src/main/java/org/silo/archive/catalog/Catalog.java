package org.silo.archive.catalog;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import org.silo.wire.ErrorCode;
import org.silo.wire.ExistsException;
import org.silo.wire.InvalidException;
import org.silo.wire.SiloException;

/**
 * The archive catalog: a JDBC database (SQLite by default, PostgreSQL for several hosts) behind a
 * HikariCP pool, its schema kept by Flyway migrations ({@code db/migration/sqlite} or
 * {@code db/migration/postgresql}). Every change runs in one transaction through {@link #tx}: on any
 * error it is rolled back, so nothing half-written is left.
 *
 * <pre>{@code
 * try (Catalog c = Catalog.open(dataDir, null)) {          // <data>/catalog.db
 *     long n = c.tx(conn -> Sql.count(conn, "SELECT COUNT(*) FROM volume"));
 * }
 * }</pre>
 */
public final class Catalog implements AutoCloseable {

    /** The database engine behind the catalog. */
    public enum Engine {
        SQLITE,
        POSTGRESQL
    }

    /** Work done inside one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection conn) throws SQLException, SiloException;
    }

    private final HikariDataSource pool;
    private final Engine engine;
    private final String url;
    private final String schema;
    /** SQLite has one writer: transactions are serialised here rather than fail with SQLITE_BUSY. */
    private final ReentrantLock sqliteWriter = new ReentrantLock(true);
    /** The transaction this thread is in, if any: a {@link #tx} inside it joins it. */
    private final ThreadLocal<Open> current = new ThreadLocal<>();

    /**
     * A transaction in progress on a thread. {@code clean} while nothing in it is kept yet: a nested
     * {@link #tx} that fails then rolls the whole transaction back, which undoes as much as a savepoint
     * would, without the savepoint's two round trips to PostgreSQL.
     */
    private static final class Open {
        final Connection conn;
        boolean clean;

        Open(Connection conn, boolean clean) {
            this.conn = conn;
            this.clean = clean;
        }
    }

    private final String schemaVersion;
    private final java.time.Instant schemaMigratedAt;

    private Catalog(HikariDataSource pool, Engine engine, String url, String schema, MigrationInfo current) {
        this.pool = pool;
        this.engine = engine;
        this.url = url;
        this.schema = schema;
        this.schemaVersion = current == null ? "" : current.getVersion().getVersion();
        this.schemaMigratedAt = current == null || current.getInstalledOn() == null
                ? null
                : current.getInstalledOn().toInstant();
    }

    /**
     * Opens (and migrates) the catalog named by the {@code catalog} setting: empty or null for SQLite
     * in {@code <dataDir>/catalog.db}, {@code jdbc:sqlite:FILE}, or {@code jdbc:postgresql://...}
     * (a {@code currentSchema=NAME} parameter puts the tables in that schema, created if missing).
     */
    public static Catalog open(Path dataDir, String setting) throws SiloException {
        String url = setting == null || setting.isBlank() || setting.equals("sqlite")
                ? "jdbc:sqlite:" + dataDir.resolve("catalog.db").toAbsolutePath()
                : setting.trim();
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setPoolName("silo-catalog");
        hc.setAutoCommit(false);
        hc.setConnectionTimeout(5_000);
        hc.setInitializationFailTimeout(5_000);
        Engine engine;
        String schema = null;
        if (url.startsWith("jdbc:sqlite:")) {
            engine = Engine.SQLITE;
            hc.setMaximumPoolSize(1);
            hc.addDataSourceProperty("journal_mode", "WAL");
            hc.addDataSourceProperty("foreign_keys", "true");
            hc.addDataSourceProperty("busy_timeout", "10000");
            hc.addDataSourceProperty("synchronous", "FULL");
            hc.addDataSourceProperty("transaction_mode", "IMMEDIATE");
            // a page cache of up to 64 MiB (SQLite's default is 2 MiB): ls of a directory of 100,000 files
            // joins each entry to its bit_file row, and with the default cache most of those lookups read
            // their pages from the file again on every listing (docs/benchmarks.md, "ls of a large directory")
            hc.addDataSourceProperty("cache_size", "-65536");
            hc.setDriverClassName("org.sqlite.JDBC");
        } else if (url.startsWith("jdbc:postgresql:")) {
            engine = Engine.POSTGRESQL;
            hc.setMaximumPoolSize(16);
            hc.setDriverClassName("org.postgresql.Driver");
            schema = parameter(url, "currentSchema");
        } else {
            throw SiloException.of(
                    ErrorCode.INVALID,
                    "catalog must be empty (SQLite in the data directory), jdbc:sqlite:FILE or jdbc:postgresql://HOST/DB, not '"
                            + setting + "'");
        }
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw SiloException.of(ErrorCode.IO, "cannot reach the catalog " + redact(url) + ": " + rootMessage(e), e);
        }
        try {
            var fw = Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/migration/" + (engine == Engine.SQLITE ? "sqlite" : "postgresql"))
                    .failOnMissingLocations(true);
            if (schema != null) {
                fw.schemas(schema).createSchemas(true);
            }
            Flyway flyway = fw.load();
            refuseNewer(flyway.info(), url);
            flyway.migrate();
            return new Catalog(pool, engine, url, schema, flyway.info().current());
        } catch (SiloException e) {
            pool.close();
            throw e;
        } catch (RuntimeException e) {
            pool.close();
            throw SiloException.of(
                    ErrorCode.IO, "cannot migrate the catalog " + redact(url) + ": " + rootMessage(e), e);
        }
    }

    /**
     * Refuses a catalog that a newer release has migrated past this build's last migration. Flyway itself
     * would open it (it ignores applied migrations it does not know, "*:future"), and this build would
     * then read and write tables whose meaning changed after it was made.
     */
    private static void refuseNewer(MigrationInfoService info, String url) throws SiloException {
        for (MigrationInfo m : info.applied()) {
            if (m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED) {
                throw new InvalidException("the catalog " + redact(url) + " is at schema version "
                        + info.current().getVersion().getVersion() + ", newer than this silo's " + Schema.VERSION
                        + ": a newer release has upgraded it. Run that release, or restore the backup taken before the upgrade"
                        + " (docs/operations.md, \"Upgrades\")");
            }
        }
    }

    /** The schema version the catalog is at, from Flyway's history table (after this build's migrations ran). */
    public String schemaVersion() {
        return schemaVersion;
    }

    /** When the catalog's latest migration was applied, or null if Flyway did not record it. */
    public java.time.Instant schemaMigratedAt() {
        return schemaMigratedAt;
    }

    public Engine engine() {
        return engine;
    }

    /** The JDBC URL, without any password. */
    public String url() {
        return redact(url);
    }

    String rawUrl() {
        return url;
    }

    /** The PostgreSQL schema named in the URL, or null. */
    public String schema() {
        return schema;
    }

    /** {@code " FOR UPDATE"} on PostgreSQL; nothing on SQLite, whose transactions already hold the write lock. */
    public String forUpdate() {
        return engine == Engine.POSTGRESQL ? " FOR UPDATE" : "";
    }

    /** How often a transaction PostgreSQL ended as a deadlock's victim is run (see {@link #tx}). */
    static final int ATTEMPTS = 3;

    /**
     * Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. A catalog
     * that cannot be reached is an {@link ErrorCode#IO} error naming it. Called inside another transaction
     * of the same thread, it joins it: rolled back to where it began if it throws (a savepoint, or the
     * whole transaction while nothing else is in it: {@link #txAround}), and committed only with the outer
     * one (so a call's record commits with its effect; docs/archive.md, "At most once across
     * servers"). On PostgreSQL, an outermost transaction the database rolled back to break a deadlock
     * between servers' (or threads') transactions (SQLSTATE 40P01), or as a serialization failure
     * (40001), is run again from the start, up to {@link #ATTEMPTS} times in all, as PostgreSQL's manual
     * advises ("Serialization Failure Handling"): nothing of it was kept, so {@code work} must only be
     * safe to run again, which catalog work that keeps its state in the database is.
     */
    public <T> T tx(Work<T> work) throws SiloException {
        return tx(work, false);
    }

    /**
     * As {@link #tx}, for work that calls other transactions first and uses the connection itself only
     * after they returned (a call's record after its effect: {@code CallRecords}). Until then the nested
     * ones need no savepoints.
     */
    public <T> T txAround(Work<T> work) throws SiloException {
        return tx(work, true);
    }

    private <T> T tx(Work<T> work, boolean around) throws SiloException {
        Open outer = current.get();
        if (outer != null) {
            return nested(outer, work);
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return once(work, around);
            } catch (Retry r) {
                if (attempt >= ATTEMPTS) {
                    throw translate(r.cause);
                }
            }
        }
    }

    /** A transaction PostgreSQL rolled back that may simply be run again. */
    private static final class Retry extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient SQLException cause;

        Retry(SQLException cause) {
            super(null, null, false, false);
            this.cause = cause;
        }
    }

    private Retry retry(SQLException e) {
        String state = e.getSQLState();
        return engine == Engine.POSTGRESQL && ("40P01".equals(state) || "40001".equals(state)) ? new Retry(e) : null;
    }

    private <T> T once(Work<T> work, boolean around) throws SiloException {
        boolean locked = false;
        if (engine == Engine.SQLITE) {
            sqliteWriter.lock();
            locked = true;
        }
        try (Connection conn = connection()) {
            current.set(new Open(conn, around));
            try {
                T result = work.run(conn);
                current.remove();
                conn.commit();
                return result;
            } catch (SQLException | SiloException | RuntimeException e) {
                current.remove();
                rollback(conn);
                if (e instanceof SiloException se) {
                    throw se;
                }
                if (e instanceof SQLException sql) {
                    Retry again = retry(sql);
                    if (again != null) {
                        throw again;
                    }
                    throw translate(sql);
                }
                throw (RuntimeException) e;
            }
        } catch (SQLException e) {
            throw translate(e);
        } finally {
            if (locked) {
                sqliteWriter.unlock();
            }
        }
    }

    private <T> T nested(Open outer, Work<T> work) throws SiloException {
        Connection conn = outer.conn;
        java.sql.Savepoint savepoint = null;
        if (!outer.clean) {
            try {
                savepoint = conn.setSavepoint();
            } catch (SQLException e) {
                throw translate(e);
            }
        }
        try {
            T result = work.run(conn);
            if (savepoint != null) {
                conn.releaseSavepoint(savepoint);
            }
            outer.clean = false; // its work is the outer transaction's now
            return result;
        } catch (SQLException | SiloException | RuntimeException e) {
            try {
                if (savepoint != null) {
                    conn.rollback(savepoint);
                } else {
                    conn.rollback(); // nothing else in it: the same as a savepoint, and a fresh transaction
                }
            } catch (SQLException ignored) {
                // the outer transaction fails in turn and is rolled back whole
            }
            if (e instanceof SiloException se) {
                throw se;
            }
            if (e instanceof SQLException sql) {
                throw translate(sql);
            }
            throw (RuntimeException) e;
        }
    }

    private Connection connection() throws SiloException {
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            throw SiloException.of(ErrorCode.IO, "cannot reach the catalog " + url() + ": " + rootMessage(e), e);
        }
    }

    private static void rollback(Connection conn) {
        try {
            conn.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it and the database drops the transaction
        }
    }

    private SiloException translate(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("08") || state.startsWith("57P")) {
            return SiloException.of(ErrorCode.IO, "cannot reach the catalog " + url() + ": " + e.getMessage(), e);
        }
        if (state.startsWith("23")) {
            return new ConstraintViolation(e);
        }
        return SiloException.of(ErrorCode.INTERNAL, "catalog error: " + e.getMessage(), e);
    }

    /**
     * A uniqueness or foreign key refusal by the database itself (SQLSTATE class 23): most often a race
     * lost to another transaction, which the caller may look again after and retry. On the wire it is
     * EXISTS.
     */
    public static final class ConstraintViolation extends ExistsException {
        private static final long serialVersionUID = 1L;

        ConstraintViolation(SQLException e) {
            super("catalog constraint: " + e.getMessage(), e);
        }
    }

    static String parameter(String url, String name) {
        int q = url.indexOf('?');
        if (q < 0) {
            return null;
        }
        for (String kv : url.substring(q + 1).split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.substring(0, eq).equals(name)) {
                return kv.substring(eq + 1);
            }
        }
        return null;
    }

    /** A catalog URL as it may be shown: its password is not (logs and reports go to tickets and chats). */
    public static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    @Override
    public void close() {
        pool.close();
    }
}
