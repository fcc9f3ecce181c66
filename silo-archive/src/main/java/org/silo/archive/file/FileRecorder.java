package org.silo.archive.file;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.ns.Namespace;
import org.silo.archive.ns.NsPath;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.Checksums;
import org.silo.archive.volume.VolumeWriters;
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
    public record ToRecord(
            int index, String path, String cookie, long size, String adler32, String hash, String owner) {}

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
    public List<Outcome> record(
            Connection c, String volume, String container, long containerSize, List<ToRecord> files, long now)
            throws SQLException, SiloException {
        Namespace.Dirs dirs = new Namespace.Dirs(c);
        // the names taken in each directory: one query per directory and few hundred names, not one per file
        Map<NsPath, List<ToRecord>> byDir = new LinkedHashMap<>();
        Map<Integer, NsPath> paths = new HashMap<>();
        Map<Integer, String> refused = new HashMap<>();
        for (ToRecord f : files) {
            try {
                NsPath p = NsPath.parse(f.path());
                if (p.isRoot()) {
                    refused.put(f.index(), "/ is a directory");
                } else {
                    paths.put(f.index(), p);
                    byDir.computeIfAbsent(p.parent(), d -> new ArrayList<>()).add(f);
                }
            } catch (SiloException e) {
                refused.put(f.index(), e.getMessage());
            }
        }
        Map<NsPath, Long> dirIds = new HashMap<>();
        for (Map.Entry<NsPath, List<ToRecord>> e : byDir.entrySet()) {
            Optional<Namespace.Node> dir = dirs.get(e.getKey());
            if (dir.isEmpty() || !dir.get().kind().equals("d")) {
                String why = dir.isEmpty() ? "no directory " + e.getKey() : e.getKey() + " is a file, not a directory";
                e.getValue().forEach(f -> refused.put(f.index(), why));
                continue;
            }
            dirIds.put(e.getKey(), dir.get().id());
            Set<String> names = new HashSet<>(dirs.taken(
                    dir.get(),
                    e.getValue().stream().map(f -> paths.get(f.index()).name()).toList()));
            for (ToRecord f : e.getValue()) {
                NsPath p = paths.get(f.index());
                if (!names.add(p.name())) { // taken already, or twice in this commit
                    refused.put(f.index(), p + " already exists");
                }
            }
        }
        List<Outcome> out = new ArrayList<>(files.size());
        int members = 0;
        long memberBytes = 0;
        long bytes = 0;
        int stored = 0;
        long highest = 0; // the highest file number the group wrote on the volume
        try (Sql.Batch bitFiles = Sql.batch(
                        c,
                        "INSERT INTO bit_file (bfid, volume, cookie, size, adler32, path, owner, state, created_ms,"
                                + " updated_ms, hash, container) VALUES (?,?,?,?,?,?,?,'active',?,?,?,?)");
                Sql.Batch entries = Namespace.fileInserts(c)) {
            for (ToRecord f : files) {
                String why = refused.get(f.index());
                if (why == null && (!Checksums.isHex8(f.adler32()) || f.size() < 0)) {
                    why = "bad size or adler32 for " + f.path() + ": " + f.size() + ", " + f.adler32();
                }
                if (why != null) {
                    out.add(new Outcome(f.index(), null, why));
                    continue;
                }
                NsPath p = paths.get(f.index());
                Backend.Location at = Backend.location(f.cookie());
                boolean member =
                        container != null && !at.whole() && at.fileCookie().equals(container);
                String bfid = bfids.next();
                bitFiles.add(
                        bfid,
                        volume,
                        f.cookie(),
                        f.size(),
                        f.adler32(),
                        p.toString(),
                        f.owner(),
                        now,
                        now,
                        f.hash(),
                        member ? container : null);
                entries.add(dirIds.get(p.parent()), p.name(), bfid, f.owner(), now, now);
                out.add(new Outcome(f.index(), bfid, null));
                stored++;
                highest = Math.max(highest, at.fileNumber());
                if (member) {
                    members++;
                    memberBytes += f.size();
                } else {
                    bytes += f.size();
                }
            }
            bitFiles.run(); // before the entries that name them (ns_entry.bfid references bit_file)
            entries.run();
        }
        if (stored > 0) {
            VolumeWriters.recorded(c, volume, highest);
        }
        if (container != null && members > 0) {
            Sql.update(
                    c,
                    "INSERT INTO container (volume, cookie, size, members, member_bytes, live_members, live_bytes, state, created_ms)"
                            + " VALUES (?,?,?,?,?,?,?,?,?)",
                    volume,
                    container,
                    containerSize,
                    members,
                    memberBytes,
                    members,
                    memberBytes,
                    "active",
                    now);
            bytes += containerSize;
        }
        if (stored > 0) {
            // the write mark stays: the mover goes on writing the volume; transfer_done releases it
            Sql.update(
                    c,
                    "UPDATE volume SET remaining = CASE WHEN remaining > ? THEN remaining - ? ELSE 0 END, files = files + ?,"
                            + " last_access_ms = ? WHERE label = ?",
                    bytes,
                    bytes,
                    stored,
                    now,
                    volume);
        }
        return out;
    }

    /**
     * Records a copy of a container that a mover wrote whole to {@code target} at {@code copy}: a container
     * row, and for each live member of the original a bit file of its own naming the member as its original
     * (as {@code FileClerk.newCopy} does for a file), at the same range of the copy. Returns how many; a
     * repeat (the same {@code clientRequest}, e.g. {@code job-42}) records nothing again.
     */
    public int recordContainerCopy(
            Connection c,
            String volume,
            String container,
            String target,
            String copy,
            long size,
            String clientRequest,
            long now)
            throws SQLException, SiloException {
        if (Sql.count(c, "SELECT COUNT(*) FROM container WHERE volume = ? AND cookie = ?", target, copy) > 0) {
            return 0; // told again after a lost answer
        }
        List<String[]> members = Sql.list(
                c,
                "SELECT bfid, cookie, size, adler32, path, owner, hash FROM bit_file WHERE volume = ?"
                        + " AND container = ? AND state = 'active' ORDER BY bfid",
                rs -> new String[] {
                    rs.getString(1),
                    rs.getString(2),
                    rs.getString(3),
                    rs.getString(4),
                    rs.getString(5),
                    rs.getString(6),
                    rs.getString(7)
                },
                volume,
                container);
        long bytes = 0;
        for (String[] m : members) {
            Backend.Location at = Backend.location(m[1]);
            Sql.update(
                    c,
                    "INSERT INTO bit_file (bfid, volume, cookie, size, adler32, path, owner, state, client_req, created_ms, updated_ms,"
                            + " hash, original, container) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    bfids.next(),
                    target,
                    Backend.memberCookie(copy, at.offset(), at.length()),
                    Long.parseLong(m[2]),
                    m[3],
                    m[4],
                    m[5],
                    "active",
                    clientRequest + "-" + m[0],
                    now,
                    now,
                    m[6],
                    m[0],
                    copy);
            bytes += Long.parseLong(m[2]);
        }
        Sql.update(
                c,
                "INSERT INTO container (volume, cookie, size, members, member_bytes, live_members, live_bytes, state, created_ms)"
                        + " VALUES (?,?,?,?,?,?,?,?,?)",
                target,
                copy,
                size,
                members.size(),
                bytes,
                members.size(),
                bytes,
                "active",
                now);
        VolumeWriters.recorded(c, target, copy);
        // the target holds the container's bytes and one more file per member, as a group commit counts them
        Sql.update(
                c,
                "UPDATE volume SET remaining = CASE WHEN remaining > ? THEN remaining - ? ELSE 0 END, files = files + ?,"
                        + " last_access_ms = ? WHERE label = ?",
                size,
                size,
                members.size(),
                now,
                target);
        return members.size();
    }

    /** After a transaction failed on a bfid another server took: mint past the catalog's highest. */
    public void afterConflict(Catalog catalog) throws SiloException {
        catalog.tx(c -> Sql.one(c, "SELECT MAX(bfid) FROM bit_file", rs -> rs.getString(1)))
                .ifPresent(bfids::seen);
    }
}
