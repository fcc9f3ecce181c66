package org.silo.archive.volume;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.silo.archive.catalog.Sql;

/**
 * The catalog's containers (table {@code container}, docs/archive.md "Containers" and "Deletes and dead
 * space"): how many of each container's members are still alive, and so how much of a volume is dead
 * space that a repack would give back. Every change of a member's state goes through {@link #recount} in
 * the same transaction, so the counts are never out of step with the bit files.
 */
public final class Containers {
    private Containers() {}

    /** A container as the catalog keeps it. */
    public record Container(
            String volume,
            String cookie,
            long size,
            int members,
            long memberBytes,
            int liveMembers,
            long liveBytes,
            String state,
            long createdMs) {
        /** The bytes no live file needs: the whole container once no member lives, else the data of its deleted members. */
        public long deadBytes() {
            return liveMembers == 0 ? size : memberBytes - liveBytes;
        }
    }

    /**
     * Counts again the live members and bytes of every active container holding a bit file that matches
     * {@code where} (an SQL condition on the bit file, alias {@code s}: {@code "s.bfid = ?"}). Counting
     * again rather than subtracting: a member deleted twice (rm, then vol rm --force) is counted once.
     */
    public static int recount(Connection c, String where, Object... args) throws SQLException {
        return Sql.update(
                c,
                "UPDATE container SET"
                        + " live_members = (SELECT COUNT(*) FROM bit_file b WHERE b.volume = container.volume AND b.container = container.cookie"
                        + " AND b.state = 'active'),"
                        + " live_bytes = (SELECT COALESCE(SUM(b.size), 0) FROM bit_file b WHERE b.volume = container.volume"
                        + " AND b.container = container.cookie AND b.state = 'active')"
                        + " WHERE state = 'active' AND EXISTS (SELECT 1 FROM bit_file s WHERE s.volume = container.volume"
                        + " AND s.container = container.cookie AND (" + where + "))",
                args);
    }

    /** Counts again one container's live members and bytes (its members may all have moved away: a repack). */
    public static void recountOne(Connection c, String volume, String cookie) throws SQLException {
        Sql.update(
                c,
                "UPDATE container SET live_members = (SELECT COUNT(*) FROM bit_file b WHERE b.volume = ? AND b.container = ?"
                        + " AND b.state = 'active'), live_bytes = (SELECT COALESCE(SUM(b.size), 0) FROM bit_file b WHERE b.volume = ?"
                        + " AND b.container = ? AND b.state = 'active') WHERE volume = ? AND cookie = ? AND state = 'active'",
                volume,
                cookie,
                volume,
                cookie,
                volume,
                cookie);
    }

    /** The volume's active containers (and those a repack began to free), oldest first. */
    public static List<Container> active(Connection c, String volume) throws SQLException {
        return Sql.list(
                c,
                SELECT + " WHERE volume = ? AND state IN ('active', 'freeing') ORDER BY cookie",
                Containers::row,
                volume);
    }

    public static Optional<Container> get(Connection c, String volume, String cookie) throws SQLException {
        return Sql.one(c, SELECT + " WHERE volume = ? AND cookie = ?", Containers::row, volume, cookie);
    }

    /**
     * Holds the container of a member being queued for a read until the caller's transaction ends, so that
     * a repack cannot free it meanwhile (on PostgreSQL, {@code FOR SHARE}: a repack deciding to free it takes
     * the row {@code FOR UPDATE} and so waits, then sees the read; SQLite's transactions run one at a time).
     * False when the container is being freed or freed: the member has moved, and its record must be read
     * again. A file of its own: true.
     */
    public static boolean holdForRead(Connection c, String volume, String cookie) throws SQLException {
        int plus = cookie.indexOf('+');
        if (plus < 0) {
            return true;
        }
        boolean pg = Sql.isPostgres(c);
        String state = Sql.one(
                        c,
                        "SELECT state FROM container WHERE volume = ? AND cookie = ?" + (pg ? " FOR SHARE" : ""),
                        rs -> rs.getString(1),
                        volume,
                        cookie.substring(0, plus))
                .orElse("active");
        return state.equals("active");
    }

    /**
     * Takes a container a repack emptied for freeing (state {@code freeing}): from now on no read is queued
     * on it ({@link #holdForRead}), and the mover may remove its bytes, then mark it {@link #freed}. On
     * PostgreSQL the row is locked first, so a read being queued on it right now is committed (and seen by
     * {@code stillRead}) before the choice is made. False, changing nothing, if it is still needed.
     */
    public static boolean startFreeing(
            Connection c, String volume, String cookie, java.util.function.BooleanSupplier stillRead)
            throws SQLException {
        boolean pg = Sql.isPostgres(c);
        Optional<Container> k = Sql.one(
                c,
                SELECT + " WHERE volume = ? AND cookie = ?" + (pg ? " FOR UPDATE" : ""),
                Containers::row,
                volume,
                cookie);
        if (k.isEmpty() || k.get().state().equals("freed")) {
            return false;
        }
        if (k.get().state().equals("active") && (k.get().liveMembers() > 0 || stillRead.getAsBoolean())) {
            return false;
        }
        Sql.update(
                c,
                "UPDATE container SET state = 'freeing', live_members = 0, live_bytes = 0 WHERE volume = ? AND cookie = ?",
                volume,
                cookie);
        return true;
    }

    /** Marks a container freed: its bytes were removed from the volume (repacked, or no member lived). */
    public static void freed(Connection c, String volume, String cookie) throws SQLException {
        Sql.update(
                c,
                "UPDATE container SET state = 'freed', live_members = 0, live_bytes = 0 WHERE volume = ? AND cookie = ?",
                volume,
                cookie);
    }

    /** Columns of VolumeClerk's select (alias-free, on table {@code volume}): the volume's active containers and their dead bytes. */
    static final String VOLUME_COLUMNS = ", (SELECT COUNT(*) FROM container k WHERE k.volume = volume.label"
            + " AND k.state IN ('active', 'freeing')),"
            + " (SELECT COALESCE(SUM(CASE WHEN k.live_members = 0 THEN k.size ELSE k.member_bytes - k.live_bytes END), 0)"
            + " FROM container k WHERE k.volume = volume.label AND k.state IN ('active', 'freeing'))";

    private static final String SELECT =
            "SELECT volume, cookie, size, members, member_bytes, live_members, live_bytes, state, created_ms"
                    + " FROM container";

    private static Container row(ResultSet rs) throws SQLException {
        return new Container(
                rs.getString(1),
                rs.getString(2),
                rs.getLong(3),
                rs.getInt(4),
                rs.getLong(5),
                rs.getInt(6),
                rs.getLong(7),
                rs.getString(8),
                rs.getLong(9));
    }
}
