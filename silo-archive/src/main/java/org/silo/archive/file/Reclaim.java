package org.silo.archive.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.ops.FileMessages.ReclaimReport;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.VolumeClerk;
import org.silo.wire.SiloException;

/**
 * reclaim ({@code silo fsck --reclaim}; docs/archive.md, "Deletes and dead space"): frees the bytes that
 * fsck warns of, which a writer that stopped mid-way left on a volume and no record will ever name.
 *
 * <ul>
 * <li>Part files of unfinished writes are removed ({@link Backend#removeLeftovers}).
 * <li>Named files no record names (an orphan container: its mover or server stopped between naming it and
 *     recording it) are emptied with {@link Backend#delete}, which keeps an empty file in their place so
 *     that their number is never given again.
 * </ul>
 *
 * <p>Each volume is done in one catalog transaction that holds its row locked and finds no writer on it:
 * a writer binding it meanwhile (on any server) waits for the row, and every other writer has lost the
 * volume and cannot record a file there any more (files_done checks that the request is still its mover's;
 * a server's own writes hold {@code volume.writing} until recorded). So what is unrecorded now stays
 * unrecorded, and emptying it loses nothing. A volume being written is left alone and named.
 */
final class Reclaim {
    private final Catalog catalog;
    private final VolumeClerk volumes;

    Reclaim(Catalog catalog, VolumeClerk volumes) {
        this.catalog = catalog;
        this.volumes = volumes;
    }

    /** Every volume's, or one's ({@code label} not null nor empty). */
    ReclaimReport run(String label) throws SiloException {
        List<String> freed = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        long[] bytes = {0};
        List<VolumeInfo> all = label == null || label.isEmpty() ? volumes.list(null) : List.of(volumes.inquire(label));
        for (VolumeInfo v : all) {
            Backend b = volumes.backends().get(v.backend());
            catalog.tx(c -> {
                Optional<String> writer = Sql.one(
                        c,
                        "SELECT COALESCE(writing, '') FROM volume WHERE label = ?" + catalog.forUpdate(),
                        rs -> rs.getString(1),
                        v.label());
                if (writer.isEmpty()) {
                    return null; // removed meanwhile
                }
                if (!writer.get().isEmpty()) {
                    skipped.add("volume " + v.label() + ": being written by " + writer.get() + ", left alone");
                    return null;
                }
                for (Backend.Leftover l : b.removeLeftovers()) {
                    freed.add("volume " + v.label() + " " + l.name() + ": " + l.bytes()
                            + " bytes of an unfinished write, removed");
                    bytes[0] += l.bytes();
                }
                Set<Long> known = recordedNumbers(c, v.label());
                for (long n : b.fileNumbers()) {
                    if (known.contains(n)) {
                        continue;
                    }
                    String cookie = Backend.cookie(n);
                    long size = size(b, cookie);
                    if (size > 0) {
                        b.delete(cookie);
                        freed.add("volume " + v.label() + " " + cookie + ": " + size
                                + " bytes no record names, emptied (its number stays taken)");
                        bytes[0] += size;
                    }
                }
                return null;
            });
        }
        return new ReclaimReport(freed, bytes[0], skipped);
    }

    /** The numbers of the volume's files that a record names: a bit file's, or a container's. */
    static Set<Long> recordedNumbers(Connection c, String label) throws SQLException, SiloException {
        Set<Long> known = new HashSet<>();
        for (String cookie : Sql.list(
                c,
                "SELECT cookie FROM bit_file WHERE volume = ? UNION SELECT cookie FROM container WHERE volume = ?",
                rs -> rs.getString(1),
                label,
                label)) {
            known.add(Backend.fileNumber(cookie));
        }
        return known;
    }

    /** The file's length, read through (the backends tell no sizes; an orphan is one container at most). */
    static long size(Backend b, String cookie) throws SiloException {
        try (InputStream in = b.open(cookie)) {
            return in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw SiloException.of(org.silo.wire.ErrorCode.IO, "cannot read " + cookie + ": " + e.getMessage(), e);
        }
    }
}
