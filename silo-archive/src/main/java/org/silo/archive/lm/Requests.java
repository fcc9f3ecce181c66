package org.silo.archive.lm;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.wire.SiloException;

/** The library manager's queue as rows of the catalog's {@code request} table (migrations V2 and V4). */
final class Requests {
    private Requests() {}

    static final String SELECT =
            "SELECT id, kind, library, storage_group, file_family, volume, bfid, path, size, adler32,"
                    + " base_pri, admin_pri, state, mover, merged_into, callback, token, verify, avoid, owner, cookie, error, attempts,"
                    + " created_ms, updated_ms, target, copies, hash, parent, result,"
                    + " (SELECT name FROM mover WHERE mover.id = request.mover), files FROM request";

    /** A request as the queue holds it; see V2__queue.sql and V4 for the columns. */
    record Req(
            long id,
            String kind,
            String library,
            String storageGroup,
            String fileFamily,
            String volume,
            String bfid,
            String path,
            long size,
            String adler32,
            int basePri,
            Integer adminPri,
            String state,
            String mover,
            Long mergedInto,
            String callback,
            String token,
            boolean verify,
            String avoid,
            String owner,
            String cookie,
            String error,
            int attempts,
            long createdMs,
            long updatedMs,
            String target,
            int copies,
            String hash,
            Long parent,
            String result,
            String moverName,
            int files) {
        boolean avoids(String moverId, String moverName) {
            if (avoid.isEmpty()) {
                return false;
            }
            List<String> a = Arrays.asList(avoid.split(","));
            return a.contains(moverId) || (moverName != null && a.contains(moverName));
        }

        JobInfo info(int effective) {
            return info(effective, error);
        }

        /** As the client sees it, with {@code shownError} for the stored error (a queued request's live reason). */
        JobInfo info(int effective, String shownError) {
            return new JobInfo(
                    id,
                    kind,
                    state,
                    path,
                    size,
                    bfid,
                    volume,
                    cookie,
                    adler32,
                    mover,
                    basePri,
                    adminPri,
                    effective,
                    storageGroup,
                    owner,
                    shownError,
                    attempts,
                    mergedInto,
                    createdMs,
                    updatedMs,
                    target,
                    copies,
                    hash,
                    parent,
                    result,
                    moverName,
                    files);
        }
    }

    static Req row(ResultSet rs) throws SQLException {
        int admin = rs.getInt(12);
        Integer adminPri = rs.wasNull() ? null : admin;
        long merged = rs.getLong(15);
        Long mergedInto = rs.wasNull() ? null : merged;
        long parentId = rs.getLong(29);
        Long parent = rs.wasNull() ? null : parentId;
        return new Req(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7),
                rs.getString(8),
                rs.getLong(9),
                rs.getString(10),
                rs.getInt(11),
                adminPri,
                rs.getString(13),
                rs.getString(14),
                mergedInto,
                rs.getString(16),
                rs.getString(17),
                rs.getInt(18) != 0,
                rs.getString(19),
                rs.getString(20),
                rs.getString(21),
                rs.getString(22),
                rs.getInt(23),
                rs.getLong(24),
                rs.getLong(25),
                rs.getString(26),
                rs.getInt(27),
                rs.getString(28),
                parent,
                rs.getString(30),
                rs.getString(31),
                rs.getInt(32));
    }

    /** The request with this id; NOT_FOUND ("no job N") if there is none. */
    static Req get(Connection c, long id) throws SQLException, SiloException {
        return Sql.one(c, SELECT + " WHERE id = ?", Requests::row, id)
                .orElseThrow(() -> SiloException.notFound("no job " + id));
    }

    /** The first {@code n} characters of {@code s} (null stays null): what a column of the catalog keeps of a text. */
    /**
     * Puts running request {@code r} back in the queue with the error {@code requeued: WHY}, avoiding mover
     * {@code avoidMover} from now on (null: no mover avoided); a write chooses its volume again. Changes
     * nothing (0) if {@code r} no longer runs on its mover.
     */
    static int requeue(Connection c, Req r, String avoidMover, String why, long now) throws SQLException {
        String avoid = avoidMover == null ? r.avoid() : r.avoid().isEmpty() ? avoidMover : r.avoid() + "," + avoidMover;
        return Sql.update(
                c,
                "UPDATE request SET state = 'queued', mover = NULL, volume = ?, avoid = ?, error = ?, updated_ms = ?"
                        + " WHERE id = ? AND state = 'active' AND mover = ?",
                r.kind().equals(org.silo.archive.ops.LibraryMessages.KIND_WRITE) ? null : r.volume(),
                cut(avoid, 1024),
                cut(org.silo.archive.ops.LibraryMessages.REQUEUED + why, 2048),
                now,
                r.id(),
                r.mover());
    }

    static String cut(String s, int n) {
        return s == null || s.length() <= n ? s : s.substring(0, n);
    }

    /** The fields a new request is made with; it starts queued. */
    record New(
            String kind,
            String library,
            String storageGroup,
            String fileFamily,
            String volume,
            String bfid,
            String path,
            long size,
            String adler32,
            int priority,
            Long mergedInto,
            String callback,
            String token,
            boolean verify,
            String avoid,
            String owner,
            String target,
            int copies,
            String hash,
            Long parent) {}

    /** Inserts a queued request and returns its id. */
    static long insert(Connection c, Catalog.Engine engine, New n, long now) throws SQLException {
        String sql =
                "INSERT INTO request (kind, library, storage_group, file_family, volume, bfid, path, size, adler32, base_pri,"
                        + " state, merged_into, callback, token, verify, avoid, owner, created_ms, updated_ms, target, copies, hash, parent)"
                        + " VALUES (?,?,?,?,?,?,?,?,?,?,'queued',?,?,?,?,?,?,?,?,?,?,?,?)";
        Object[] args = {
            n.kind(),
            n.library(),
            n.storageGroup(),
            n.fileFamily(),
            n.volume(),
            n.bfid(),
            n.path(),
            n.size(),
            n.adler32(),
            n.priority(),
            n.mergedInto(),
            n.callback(),
            n.token(),
            n.verify() ? 1 : 0,
            n.avoid(),
            n.owner(),
            now,
            now,
            n.target(),
            n.copies(),
            n.hash(),
            n.parent()
        };
        try (PreparedStatement ps = engine == Catalog.Engine.POSTGRESQL
                ? c.prepareStatement(sql, new String[] {"id"})
                : c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }
}
