package org.silo.archive.file;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.ns.Namespace;
import org.silo.archive.ns.NsPath;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.Checksums;
import org.silo.wire.SiloException;

/**
 * Records the files of a mover's group commit (files_done of a write): for each, a bit file and its
 * namespace entry, and for a container its row, all in the caller's transaction, so that the commit is
 * recorded whole or not at all (docs/archive.md, "Aggregation"). One transaction for a thousand files
 * instead of several for each: SQLite does "50,000 or more INSERT statements per second" but "a few
 * dozen transactions per second" (sqlite.org FAQ 19).
 *
 * <pre>{@code
 * List<Outcome> done = catalog.tx(c -> recorder.record(c, "VOL001", containerCookie, length, files, now));
 * }</pre>
 */
public final class FileRecorder {
    private final Bfids bfids;

    FileRecorder(Bfids bfids) {
        this.bfids = bfids;
    }

    /**
     * A file the mover stored: at {@code cookie} (a member's cookie when it is in the container), with
     * its size, Adler-32 and content hash, to be entered at {@code path} for {@code owner}.
     */
    public record ToRecord(int index, String path, String cookie, long size, String adler32, String hash, String owner) {}

    /** What became of one file: its new bfid, or why it was not recorded ({@code error}). */
    public record Outcome(int index, String bfid, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    /**
     * Records {@code files}, stored on {@code volume}; those whose cookie lies in {@code container}
     * ({@code containerSize} bytes; null: none) become its members. A file whose path is taken or whose
     * directory is gone is not recorded (its bytes are dead space) and says why; the others are.
     */
    public List<Outcome> record(Connection c, String volume, String container, long containerSize, List<ToRecord> files, long now)
            throws SQLException, SiloException {
        Namespace.Dirs dirs = new Namespace.Dirs(c);
        List<Outcome> out = new ArrayList<>(files.size());
        int members = 0;
        long memberBytes = 0;
        long bytes = 0;
        int stored = 0;
        for (ToRecord f : files) {
            NsPath p;
            try {
                p = NsPath.parse(f.path());
            } catch (SiloException e) {
                out.add(new Outcome(f.index(), null, e.getMessage()));
                continue;
            }
            String taken = taken(c, dirs, p);
            if (taken != null) {
                out.add(new Outcome(f.index(), null, taken));
                continue;
            }
            if (!Checksums.isHex8(f.adler32()) || f.size() < 0) {
                out.add(new Outcome(f.index(), null, "bad size or adler32 for " + p + ": " + f.size() + ", " + f.adler32()));
                continue;
            }
            Backend.Location at = Backend.location(f.cookie());
            boolean member = container != null && !at.whole() && at.fileCookie().equals(container);
            String bfid = bfids.next();
            Sql.update(c, "INSERT INTO bit_file (bfid, volume, cookie, size, adler32, path, owner, state, created_ms, updated_ms, hash,"
                    + " container) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", bfid, volume, f.cookie(), f.size(), f.adler32(), p.toString(),
                    f.owner(), "active", now, now, f.hash(), member ? container : null);
            String refused = dirs.addFile(p, bfid, f.owner(), now);
            if (refused != null) { // checked just above, in this transaction: cannot happen
                throw new SQLException("namespace entry for " + p + " refused after its check: " + refused);
            }
            out.add(new Outcome(f.index(), bfid, null));
            stored++;
            if (member) {
                members++;
                memberBytes += f.size();
            } else {
                bytes += f.size();
            }
        }
        if (container != null && members > 0) {
            Sql.update(c, "INSERT INTO container (volume, cookie, size, members, member_bytes, live_members, live_bytes, state, created_ms)"
                    + " VALUES (?,?,?,?,?,?,?,?,?)", volume, container, containerSize, members, memberBytes, members, memberBytes, "active",
                    now);
            bytes += containerSize;
        }
        if (stored > 0) {
            // the write mark stays: the mover goes on writing the volume; transfer_done releases it
            Sql.update(c, "UPDATE volume SET remaining = CASE WHEN remaining > ? THEN remaining - ? ELSE 0 END, files = files + ?,"
                    + " last_access_ms = ? WHERE label = ?", bytes, bytes, stored, now, volume);
        }
        return out;
    }

    /** Why {@code p} cannot be entered (taken, or its directory missing), or null. */
    private static String taken(Connection c, Namespace.Dirs dirs, NsPath p) throws SQLException {
        if (p.isRoot()) {
            return "/ is a directory";
        }
        Optional<Namespace.Node> dir = dirs.get(p.parent());
        if (dir.isEmpty()) {
            return "no directory " + p.parent();
        }
        if (!dir.get().kind().equals("d")) {
            return p.parent() + " is a file, not a directory";
        }
        return dirs.get(p).isPresent() ? p + " already exists" : null;
    }

    /** After a transaction failed on a bfid another server took: mint past the catalog's highest. */
    public void afterConflict(Catalog catalog) throws SiloException {
        catalog.tx(c -> Sql.one(c, "SELECT MAX(bfid) FROM bit_file", rs -> rs.getString(1))).ifPresent(bfids::seen);
    }
}
