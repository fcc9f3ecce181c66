package org.silo.archive.volume;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.ops.VolumeMessages.NextWriteVolume;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * Seed 000's next_write_volume: the volume a write goes to, chosen and marked as being written in the
 * caller's transaction (docs/archive.md, "Choosing a volume to write"). A volume of the file family with
 * room and not being written, fullest first; else a blank volume joins the family, within the family's
 * width and the storage group's quota.
 */
final class WriteVolumeChoice {
    private WriteVolumeChoice() {}

    static VolumeInfo choose(Connection c, Catalog catalog, NextWriteVolume q) throws SQLException, SiloException {
        String lib = VolumeClerk.name("library", q.library());
        String sg = VolumeClerk.name("storage group", q.storageGroup());
        String ff = VolumeClerk.name("file family", q.fileFamily());
        String mover = q.mover() == null || q.mover().isBlank() ? "anonymous" : q.mover();
        if (q.size() < 0) {
            throw SiloException.invalid("size must not be negative: " + q.size());
        }
        if (ff.equals(VolumeClerk.BLANK_FAMILY)) {
            throw SiloException.invalid("file family 'none' is reserved for blank volumes");
        }
        {
            long now = System.currentTimeMillis();
            if (Sql.count(c, "SELECT COUNT(*) FROM library WHERE name = ?", lib) == 0) {
                throw SiloException.notFound("no library " + lib);
            }
            // the family's row first: two servers choosing for one family count its writers one after the other
            int width = VolumeWriters.lockFamily(c, catalog, ff);
            List<VolumeInfo> family = Sql.list(
                    c,
                    VolumeClerk.SELECT + " WHERE library = ? AND storage_group = ? AND file_family = ?"
                            + " ORDER BY remaining, label" + catalog.forUpdate(),
                    VolumeClerk::row,
                    lib,
                    sg,
                    ff);
            long writing = family.stream().filter(v -> v.writing() != null).count();
            for (VolumeInfo v : family) {
                if (v.writing() == null
                        && v.state().equals("ok")
                        && v.remaining() >= q.size()
                        && VolumeWriters.claim(c, v.label(), mover, now)) {
                    return mounted(c, v.label());
                }
            }
            if (writing >= width) {
                throw SiloException.of(
                        ErrorCode.BUSY,
                        "file family " + ff + " already writes " + writing + " volumes (its width is " + width
                                + "): try again when one is done");
            }
            Optional<Integer> quota = Sql.one(
                    c,
                    "SELECT max_volumes FROM sg_quota WHERE library = ? AND storage_group = ?",
                    rs -> rs.getInt(1),
                    lib,
                    sg);
            long held = Sql.count(
                    c,
                    "SELECT COUNT(*) FROM volume WHERE library = ? AND storage_group = ? AND file_family <> ?",
                    lib,
                    sg,
                    VolumeClerk.BLANK_FAMILY);
            List<VolumeInfo> blanks = Sql.list(
                    c,
                    VolumeClerk.SELECT + " WHERE library = ? AND storage_group IN (?, 'none')"
                            + " AND file_family = ? AND state = 'ok' AND writing IS NULL AND remaining >= ?"
                            + " ORDER BY CASE WHEN storage_group = ? THEN 0 ELSE 1 END, label" + catalog.forUpdate(),
                    VolumeClerk::row,
                    lib,
                    sg,
                    VolumeClerk.BLANK_FAMILY,
                    q.size(),
                    sg);
            if (quota.isPresent() && held >= quota.get()) {
                throw SiloException.of(
                        ErrorCode.NO_SPACE,
                        "storage group " + sg + " has reached its quota of " + quota.get() + " volumes in library "
                                + lib);
            }
            if (blanks.isEmpty()) {
                throw SiloException.of(
                        ErrorCode.NO_SPACE,
                        "no volume in library " + lib + " for storage group " + sg + ", file family " + ff
                                + " has room for " + q.size() + " bytes, and no blank volume is left");
            }
            for (VolumeInfo blank : blanks) {
                if (VolumeWriters.claim(c, blank.label(), mover, now)) {
                    Sql.update(
                            c,
                            "UPDATE volume SET storage_group = ?, file_family = ? WHERE label = ?",
                            sg,
                            ff,
                            blank.label());
                    return mounted(c, blank.label());
                }
            }
            throw SiloException.of(
                    ErrorCode.BUSY, "every blank volume of library " + lib + " is being written: try again later");
        }
    }

    /**
     * set_appending: {@code mover} writes the volume from now on; false if another writer holds it (the
     * claim is {@link VolumeWriters#claim}'s, so a second server's transaction cannot take it too).
     */
    static boolean startWriting(Connection c, VolumeInfo v, String mover, long now) throws SQLException {
        if (!mover.equals(v.writing()) && !VolumeWriters.claim(c, v.label(), mover, now)) {
            return false;
        }
        Sql.update(c, "UPDATE volume SET mounts = mounts + 1, last_access_ms = ? WHERE label = ?", now, v.label());
        return true;
    }

    private static VolumeInfo mounted(Connection c, String label) throws SQLException, SiloException {
        Sql.update(c, "UPDATE volume SET mounts = mounts + 1 WHERE label = ?", label);
        return VolumeClerk.get(c, label);
    }
}
