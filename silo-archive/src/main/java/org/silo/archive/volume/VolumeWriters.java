package org.silo.archive.volume;

import java.sql.Connection;
import java.sql.SQLException;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.wire.SiloException;

/**
 * Who writes a volume, how many volumes of a file family are written at once, and where a volume's next
 * file goes: decided in the catalog transaction that binds a mover to write, so that every server on one
 * catalog keeps them (docs/archive.md, "Several servers on one catalog").
 *
 * <ul>
 * <li>A volume has one writer: {@link #claim} sets {@code volume.writing} only where it is empty. On
 *     PostgreSQL a second transaction's update waits for the first's row lock and then finds the column
 *     set, so of two servers binding one volume at once exactly one gets it; SQLite runs one transaction
 *     at a time.
 * <li>A file family's width: every writer binding of the family first locks the family's row
 *     ({@link #lockFamily}), so that the writers already bound are counted by one transaction at a time.
 * <li>A volume's append position: {@code volume.next_file} is raised in the transaction that records a
 *     file ({@link #recorded}) and handed to the writer with its binding ({@link #nextFile}); the writer
 *     starts there or past the last file it finds on the volume, whichever is higher.
 * </ul>
 */
public final class VolumeWriters {
    private VolumeWriters() {}

    /**
     * Locks the file family's row, made with width 1 if the family has none, and returns its width: until
     * the transaction ends, every other writer binding of the family, on any server, waits here.
     */
    public static int lockFamily(Connection c, Catalog catalog, String family) throws SQLException {
        Sql.update(c, "INSERT INTO file_family (name, width) VALUES (?, 1) ON CONFLICT (name) DO NOTHING", family);
        return Sql.one(
                        c,
                        "SELECT width FROM file_family WHERE name = ?" + catalog.forUpdate(),
                        rs -> rs.getInt(1),
                        family)
                .orElse(1);
    }

    /** Volumes of the family being written now, but {@code except} (null: none). */
    static long writing(Connection c, VolumeInfo in, String except) throws SQLException {
        return Sql.count(
                c,
                "SELECT COUNT(*) FROM volume WHERE library = ? AND storage_group = ? AND file_family = ?"
                        + " AND writing IS NOT NULL AND label <> ?",
                in.library(),
                in.storageGroup(),
                in.fileFamily(),
                except == null ? "" : except);
    }

    /**
     * Makes {@code mover} the volume's writer if it has none; false if another writer holds it (the
     * transaction that set it first has committed, or this one waits until it does).
     */
    public static boolean claim(Connection c, String label, String mover, long now) throws SQLException {
        return Sql.update(
                        c,
                        "UPDATE volume SET writing = ?, last_access_ms = ? WHERE label = ? AND writing IS NULL",
                        mover,
                        now,
                        label)
                == 1;
    }

    /**
     * Claims the volume for a writer outside next_write_volume (a mover with the volume bound asks for
     * more work): within the family's width, counted under its lock. False if the width is taken or the
     * volume has a writer.
     */
    public static boolean claimWithinWidth(Connection c, Catalog catalog, VolumeInfo v, String mover, long now)
            throws SQLException {
        int width = lockFamily(c, catalog, v.fileFamily());
        return writing(c, v, v.label()) < width && claim(c, v.label(), mover, now);
    }

    /** The lowest file number the volume's next file may take (0: not known; the writer lists the volume). */
    public static long nextFile(Connection c, String label) throws SQLException {
        return Sql.one(c, "SELECT next_file FROM volume WHERE label = ?", rs -> rs.getLong(1), label)
                .orElse(0L);
    }

    /** A file at {@code cookie} (a whole file or a container; a member's: its container) is recorded. */
    public static void recorded(Connection c, String label, String cookie) throws SQLException, SiloException {
        recorded(c, label, Backend.fileNumber(cookie));
    }

    /** File number {@code n} of the volume is recorded: the next file goes past it. */
    public static void recorded(Connection c, String label, long n) throws SQLException {
        Sql.update(c, "UPDATE volume SET next_file = ? WHERE label = ? AND next_file < ?", n + 1, label, n + 1);
    }
}
