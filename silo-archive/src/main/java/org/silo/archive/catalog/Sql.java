package org.silo.archive.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Small JDBC helpers: statements with positional parameters, one row mapper. */
public final class Sql {
    private Sql() {}

    /** Maps the current row of a result set. */
    @FunctionalInterface
    public interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    public static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        }
    }

    public static <T> List<T> list(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args);
                ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(row.map(rs));
            }
            return out;
        }
    }

    public static <T> Optional<T> one(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
        List<T> all = list(c, sql, row, args);
        return all.isEmpty() ? Optional.empty() : Optional.ofNullable(all.get(0));
    }

    public static long count(Connection c, String sql, Object... args) throws SQLException {
        return one(c, sql, rs -> rs.getLong(1), args).orElse(0L);
    }

    /**
     * One statement run for many rows: prepared once, each row added, all sent with {@link #run} (a
     * group commit's thousand inserts parse their SQL once, not a thousand times).
     *
     * <pre>{@code
     * try (Sql.Batch b = Sql.batch(c, "INSERT INTO t (a, b) VALUES (?, ?)")) {
     *     for (Row r : rows) b.add(r.a(), r.b());
     *     b.run();
     * }
     * }</pre>
     */
    public static final class Batch implements AutoCloseable {
        private final PreparedStatement ps;
        private int rows;

        private Batch(PreparedStatement ps) {
            this.ps = ps;
        }

        public void add(Object... args) throws SQLException {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.addBatch();
            rows++;
        }

        /** Runs the rows added since the last run; returns how many there were. */
        public int run() throws SQLException {
            int n = rows;
            if (n > 0) {
                ps.executeBatch();
                rows = 0;
            }
            return n;
        }

        @Override
        public void close() throws SQLException {
            ps.close();
        }
    }

    public static Batch batch(Connection c, String sql) throws SQLException {
        return new Batch(c.prepareStatement(sql));
    }

    /**
     * The rows of {@code sql} for many values of one column: {@code sql} ends where the condition on
     * {@code column} goes (after {@code WHERE} or {@code AND}), and {@code first} are the parameters before
     * it. On PostgreSQL the values go as one array parameter, {@code column = ANY(?)}; elsewhere as
     * {@code column IN (?, ?, ...)}, 500 at a time (SQLite's limit on parameters was 999 before 3.32).
     *
     * <p>Why so on PostgreSQL: a list of separate parameters made its plan cached for the prepared
     * statement (after five runs) test every entry of the directory against the list one value after the
     * other: a put of 100,000 files into one directory slowed to 600 files/s, each check of 500 names
     * taking 300 ms. With one array the cached plan was no better once made while the directory was
     * empty (to the planner, without statistics yet, a directory of ten entries): it kept scanning the
     * whole directory for each batch (1,000 files/s). So this statement is never prepared on the server
     * (pgjdbc's prepare threshold 0) and is planned for the values at hand each time: an index probe or
     * a hash per value, however the directory grew (4,700 files/s, as on SQLite). Only here: the other
     * statements, ls's above all, do better with the cached plans.
     */
    public static <T> List<T> listIn(
            Connection c, String sql, String column, List<?> first, java.util.Collection<String> values, Row<T> row)
            throws SQLException {
        List<T> out = new ArrayList<>();
        if (values.isEmpty()) {
            return out;
        }
        if (isPostgres(c)) {
            List<Object> args = new ArrayList<>(first);
            args.add(c.createArrayOf("varchar", values.toArray()));
            try (PreparedStatement ps = prepare(c, sql + " " + column + " = ANY(?)", args.toArray())) {
                ps.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(0);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row.map(rs));
                    }
                }
            }
            return out;
        }
        List<String> all = new ArrayList<>(values);
        for (int at = 0; at < all.size(); at += 500) {
            List<String> chunk = all.subList(at, Math.min(all.size(), at + 500));
            List<Object> args = new ArrayList<>(first);
            args.addAll(chunk);
            out.addAll(list(
                    c,
                    sql + " " + column + " IN (" + String.join(",", java.util.Collections.nCopies(chunk.size(), "?"))
                            + ")",
                    row,
                    args.toArray()));
        }
        return out;
    }

    /** Whether the catalog is PostgreSQL (else SQLite): for the few statements that differ. */
    public static boolean isPostgres(Connection c) throws SQLException {
        return c.getMetaData()
                .getDatabaseProductName()
                .toLowerCase(java.util.Locale.ROOT)
                .contains("postgres");
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }
}
