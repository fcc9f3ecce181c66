package org.silo.archive.lm;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.file.FileClerk;
import org.silo.archive.ns.Namespace;
import org.silo.archive.ns.NsPath;
import org.silo.archive.ops.FileMessages.BitFileInfo;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.FileAt;
import org.silo.archive.ops.LibraryMessages.FileSpec;
import org.silo.archive.ops.LibraryMessages.FileState;
import org.silo.archive.ops.LibraryMessages.ReadFiles;
import org.silo.archive.ops.LibraryMessages.ReadFromHsm;
import org.silo.archive.ops.LibraryMessages.Refused;
import org.silo.archive.ops.LibraryMessages.WriteFiles;
import org.silo.archive.ops.LibraryMessages.WriteToHsm;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.archive.volume.Containers;
import org.silo.archive.volume.ContentHash;
import org.silo.archive.volume.VolumeClerk;
import org.silo.archive.volume.VolumeState;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * A client's transfers entering the queue (docs/archive.md, "Batches"). write_files queues a put's
 * files as one request, read_files a get's as one request per volume; their files are rows of
 * {@code request_file}, each checked first (bad input is refused, file by file, and queues nothing),
 * all in one transaction. write_to_hsm and read_from_hsm are such requests of one file, their refusal
 * the call's error. A call sent again with the same token gets the requests made the first time
 * ({@link ClientJobs#repeated}); a read of one file that already has a one-file read queued joins it
 * (merged reads).
 */
final class Submissions {
    /** The most files one request may carry. */
    static final int MAX_FILES = 10_000;

    private final Catalog catalog;

    Submissions(Catalog catalog) {
        this.catalog = catalog;
    }

    /** What a submission made: the requests, the files refused, where each read file went. */
    record Made(List<Long> ids, List<Refused> refused, List<FileAt> at) {}

    /** write_to_hsm: a write of one file; its refusal (path taken, no directory, ...) is the error. Returns the request's id. */
    long write(WriteToHsm q, String who) throws SiloException {
        Made m = writeFiles(
                new WriteFiles(
                        q.library(),
                        q.storageGroup(),
                        q.fileFamily(),
                        q.priority(),
                        q.verify(),
                        q.callback(),
                        q.token(),
                        q.owner(),
                        q.avoidMovers(),
                        q.copies(),
                        q.hash(),
                        List.of(new FileSpec(q.path(), q.size()))),
                who);
        return one(m);
    }

    /** read_from_hsm: a read of one file, merged with a one-file read of it already queued. Returns the request's id. */
    long read(ReadFromHsm q, String who) throws SiloException {
        return one(readFiles(
                new ReadFiles(q.priority(), q.callback(), q.token(), q.avoidMovers(), List.of(q.path())), who));
    }

    private static long one(Made m) throws SiloException {
        if (!m.refused().isEmpty()) {
            Refused r = m.refused().get(0);
            throw SiloException.of(ErrorCode.valueOf(r.code()), r.error());
        }
        return m.ids().get(0);
    }

    /** write_files: the files that can be written become one queued request; the others are refused, each with why. */
    Made writeFiles(WriteFiles q, String who) throws SiloException {
        List<FileSpec> specs = q.files() == null ? List.of() : q.files();
        if (specs.isEmpty() || specs.size() > MAX_FILES) {
            throw SiloException.invalid(
                    "a write_files request carries 1 to " + MAX_FILES + " files, not " + specs.size());
        }
        String lib = VolumeClerk.name("library", q.library() == null ? "default" : q.library());
        String sg = VolumeClerk.name("storage group", q.storageGroup() == null ? "none" : q.storageGroup());
        String ff = VolumeClerk.name("file family", q.fileFamily() == null ? "default" : q.fileFamily());
        callback(q.callback(), q.token());
        int copies = Math.max(1, q.copies());
        if (copies > LibraryManager.MAX_COPIES) {
            throw SiloException.invalid("at most " + LibraryManager.MAX_COPIES + " copies of a file, not " + copies);
        }
        String hash = ContentHash.algorithm(q.hash());
        String owner = q.owner() == null || q.owner().isBlank() ? who : q.owner();
        return catalog.tx(c -> {
            Optional<Long> again =
                    ClientJobs.repeated(c, LibraryMessages.KIND_WRITE, firstPath(specs), q.callback(), q.token());
            if (again.isPresent()) {
                return new Made(List.of(again.get()), List.of(), List.of());
            }
            if (Sql.count(c, "SELECT COUNT(*) FROM library WHERE name = ?", lib) == 0) {
                throw SiloException.notFound("no library " + lib);
            }
            MoverPresence.requireServed(c, lib);
            List<Refused> refused = new ArrayList<>();
            Map<Integer, NsPath> ok = writable(c, specs, refused);
            if (ok.isEmpty()) {
                return new Made(List.of(), refused, List.of());
            }
            long total = 0;
            for (int i : ok.keySet()) {
                total += specs.get(i).size();
            }
            long now = System.currentTimeMillis();
            String first = ok.values().iterator().next().toString();
            long id = Requests.insert(
                    c,
                    catalog.engine(),
                    new Requests.New(
                            LibraryMessages.KIND_WRITE,
                            lib,
                            sg,
                            ff,
                            null,
                            null,
                            first,
                            total,
                            null,
                            q.priority(),
                            null,
                            q.callback(),
                            q.token(),
                            q.verify(),
                            avoid(q.avoidMovers()),
                            owner,
                            null,
                            copies,
                            hash,
                            null),
                    now);
            Sql.update(c, "UPDATE request SET files = ? WHERE id = ?", ok.size(), id);
            try (Sql.Batch rows = Sql.batch(
                    c, "INSERT INTO request_file (request, idx, path, size, state) VALUES (?,?,?,?,'queued')")) {
                for (Map.Entry<Integer, NsPath> e : ok.entrySet()) {
                    rows.add(
                            id,
                            e.getKey(),
                            e.getValue().toString(),
                            specs.get(e.getKey()).size());
                }
                rows.run();
            }
            return new Made(List.of(id), refused, List.of());
        });
    }

    /**
     * The files that can be written, by index, in the call's order; the others go to {@code refused}
     * with why: a bad path or size, a directory that is missing or is a file, a path taken, a path in
     * the call twice, or a path another request is writing. The checks ask the catalog once per
     * directory and few hundred files, not once per file.
     */
    private static Map<Integer, NsPath> writable(Connection c, List<FileSpec> specs, List<Refused> refused)
            throws SQLException {
        Map<Integer, NsPath> ok = new java.util.TreeMap<>();
        Set<NsPath> seen = new HashSet<>();
        Map<NsPath, List<Integer>> byDir = new LinkedHashMap<>();
        for (int i = 0; i < specs.size(); i++) {
            FileSpec f = specs.get(i);
            NsPath p;
            try {
                p = NsPath.parse(f.path());
            } catch (SiloException e) {
                refused.add(new Refused(i, ErrorCode.INVALID.name(), e.getMessage()));
                continue;
            }
            if (f.size() < 0) {
                refused.add(new Refused(i, ErrorCode.INVALID.name(), "size must not be negative: " + f.size()));
            } else if (p.isRoot()) {
                refused.add(new Refused(i, ErrorCode.INVALID.name(), "/ is a directory"));
            } else if (!seen.add(p)) {
                refused.add(new Refused(i, ErrorCode.INVALID.name(), p + " is in the request twice"));
            } else {
                ok.put(i, p);
                byDir.computeIfAbsent(p.parent(), d -> new ArrayList<>()).add(i);
            }
        }
        Namespace.Dirs dirs = new Namespace.Dirs(c);
        for (Map.Entry<NsPath, List<Integer>> e : byDir.entrySet()) {
            Optional<Namespace.Node> dir = dirs.get(e.getKey());
            if (dir.isEmpty() || !dir.get().kind().equals("d")) {
                for (int i : e.getValue()) {
                    ok.remove(i);
                    refused.add(
                            dir.isEmpty()
                                    ? new Refused(i, ErrorCode.NOT_FOUND.name(), "no directory " + e.getKey())
                                    : new Refused(i, ErrorCode.INVALID.name(), e.getKey() + " is not a directory"));
                }
                continue;
            }
            Set<String> taken = dirs.taken(
                    dir.get(), e.getValue().stream().map(i -> ok.get(i).name()).toList());
            for (int i : e.getValue()) {
                if (taken.contains(ok.get(i).name())) {
                    refused.add(new Refused(i, ErrorCode.EXISTS.name(), ok.remove(i) + " already exists"));
                }
            }
        }
        Map<String, Long> writing =
                beingWritten(c, ok.values().stream().map(NsPath::toString).toList());
        for (var it = ok.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Long job = writing.get(e.getValue().toString());
            if (job != null) {
                refused.add(new Refused(
                        e.getKey(), ErrorCode.EXISTS.name(), e.getValue() + " is already being written by job " + job));
                it.remove();
            }
        }
        refused.sort(java.util.Comparator.comparingInt(Refused::index));
        return ok;
    }

    /** Which of these paths a queued or running write is writing, and which request (one query per batch: {@link Sql#listIn}). */
    private static Map<String, Long> beingWritten(Connection c, List<String> paths) throws SQLException {
        Map<String, Long> out = new java.util.HashMap<>();
        for (var row : Sql.listIn(
                c,
                "SELECT f.path, f.request FROM request_file f JOIN request r ON r.id = f.request WHERE f.state = 'queued'"
                        + " AND r.kind = 'write' AND r.state IN ('queued', 'active') AND",
                "f.path",
                List.of(),
                paths,
                rs -> Map.entry(rs.getString(1), rs.getLong(2)))) {
            out.putIfAbsent(row.getKey(), row.getValue());
        }
        return out;
    }

    /**
     * read_files: each file found becomes part of the request for its volume (a volume that cannot be read
     * falls back to a copy on one that can); the files not found, or unreadable everywhere, are refused.
     */
    Made readFiles(ReadFiles q, String who) throws SiloException {
        List<String> paths = q.paths() == null ? List.of() : q.paths();
        if (paths.isEmpty() || paths.size() > MAX_FILES) {
            throw SiloException.invalid(
                    "a read_files request carries 1 to " + MAX_FILES + " files, not " + paths.size());
        }
        callback(q.callback(), q.token());
        if (q.avoidCopies() != null && q.avoidCopies().size() > MAX_FILES * LibraryManager.MAX_COPIES) {
            throw SiloException.invalid("a read_files request avoids at most " + MAX_FILES * LibraryManager.MAX_COPIES
                    + " copies, not " + q.avoidCopies().size());
        }
        return catalog.tx(c -> {
            List<Long> again = Sql.list(
                    c,
                    "SELECT id FROM request WHERE token = ? AND callback = ? AND kind = 'read' ORDER BY id",
                    rs -> rs.getLong(1),
                    q.token(),
                    q.callback());
            if (!again.isEmpty()) {
                return new Made(again, List.of(), atOf(c, again));
            }
            List<Refused> refused = new ArrayList<>();
            Map<String, List<Object[]>> byVolume = new LinkedHashMap<>(); // volume -> (index, path, bit file)
            Map<String, VolumeInfo> volumes = new LinkedHashMap<>();
            Namespace.Dirs dirs = new Namespace.Dirs(c); // each directory looked up once
            Set<String> avoid =
                    q.avoidCopies() == null || q.avoidCopies().isEmpty() ? Set.of() : new HashSet<>(q.avoidCopies());
            for (int i = 0; i < paths.size(); i++) {
                try {
                    NsPath p = NsPath.parse(paths.get(i));
                    BitFileInfo b = readable(c, dirs, volumes, p, avoid);
                    VolumeInfo v = volumes.get(b.volume());
                    byVolume.computeIfAbsent(v.label(), k -> new ArrayList<>()).add(new Object[] {i, p.toString(), b});
                } catch (SiloException e) {
                    refused.add(new Refused(i, e.code().name(), e.getMessage()));
                }
            }
            Set<String> served = new HashSet<>();
            for (VolumeInfo v : volumes.values()) {
                if (served.add(v.library())) {
                    MoverPresence.requireServed(c, v.library());
                }
            }
            long now = System.currentTimeMillis();
            List<Long> ids = new ArrayList<>();
            List<FileAt> at = new ArrayList<>();
            for (Map.Entry<String, List<Object[]>> e : byVolume.entrySet()) {
                VolumeInfo v = volumes.get(e.getKey());
                List<Object[]> fs = e.getValue();
                long total =
                        fs.stream().mapToLong(f -> ((BitFileInfo) f[2]).size()).sum();
                BitFileInfo one = fs.size() == 1 ? (BitFileInfo) fs.get(0)[2] : null;
                // a single file already queued for another client: read once, sent to both (merged read)
                Long primary = one == null
                        ? null
                        : Sql.one(
                                        c,
                                        "SELECT id FROM request WHERE kind = 'read' AND bfid = ? AND state = 'queued'"
                                                + " AND merged_into IS NULL AND files = 1 ORDER BY id",
                                        rs -> rs.getLong(1),
                                        one.bfid())
                                .orElse(null);
                long id = Requests.insert(
                        c,
                        catalog.engine(),
                        new Requests.New(
                                LibraryMessages.KIND_READ,
                                v.library(),
                                v.storageGroup(),
                                v.fileFamily(),
                                v.label(),
                                one == null ? null : one.bfid(),
                                (String) fs.get(0)[1],
                                total,
                                one == null ? null : one.adler32(),
                                q.priority(),
                                primary,
                                q.callback(),
                                q.token(),
                                false,
                                avoid(q.avoidMovers()),
                                who,
                                null,
                                1,
                                null,
                                null),
                        now);
                Sql.update(
                        c,
                        "UPDATE request SET files = ?, cookie = ? WHERE id = ?",
                        fs.size(),
                        one == null ? null : one.cookie(),
                        id);
                try (Sql.Batch rows = Sql.batch(
                        c,
                        "INSERT INTO request_file (request, idx, path, size, state, bfid, cookie, adler32)"
                                + " VALUES (?,?,?,?,'queued',?,?,?)")) {
                    for (Object[] f : fs) {
                        BitFileInfo b = (BitFileInfo) f[2];
                        rows.add(id, f[0], f[1], b.size(), b.bfid(), b.cookie(), b.adler32());
                        at.add(new FileAt((Integer) f[0], id, b.size(), b.adler32(), b.bfid(), b.volume()));
                    }
                    rows.run();
                }
                ids.add(id);
            }
            return new Made(ids, refused, at);
        });
    }

    /**
     * The bit file to read for {@code p}: its own, or a copy when its volume cannot be read or when a mover
     * of an earlier try could not read its bytes ({@code avoid}, ReadFiles.avoidCopies: the client's retry of
     * a file whose copy was missing, short or damaged on a volume whose state is fine). A file whose first
     * bit file is readable and not avoided costs nothing more than before: its copies are looked up only
     * when they are needed. When no copy is left the file is refused (IO), naming each copy and what is
     * wrong with it, so that the client stops asking.
     */
    static BitFileInfo readable(
            Connection c, Namespace.Dirs dirs, Map<String, VolumeInfo> volumes, NsPath p, Set<String> avoid)
            throws SQLException, SiloException {
        Namespace.Node n = dirs.get(p).orElseThrow(() -> SiloException.notFound("no such file " + p));
        if (n.bfid() == null) {
            throw SiloException.invalid(p + " is a directory");
        }
        BitFileInfo b = FileClerk.get(c, n.bfid());
        if (!Containers.holdForRead(c, b.volume(), b.cookie())) {
            b = FileClerk.get(c, n.bfid()); // a repack moved it and is freeing its old container: where it is now
        }
        VolumeInfo v = volume(c, volumes, b.volume());
        boolean bad = !avoid.isEmpty() && avoid.contains(b.bfid());
        if (!bad && VolumeState.parse(v.state()).readable()) {
            return b;
        }
        List<BitFileInfo> copies = FileClerk.copies(c, b.bfid());
        for (BitFileInfo cp : copies) {
            if (!avoid.contains(cp.bfid())
                    && VolumeState.parse(volume(c, volumes, cp.volume()).state())
                            .readable()
                    && Containers.holdForRead(c, cp.volume(), cp.cookie())) {
                return cp;
            }
        }
        boolean anyBad = bad || copies.stream().anyMatch(cp -> avoid.contains(cp.bfid()));
        if (!anyBad) {
            throw SiloException.of(
                    ErrorCode.PERMISSION,
                    "volume " + v.label() + " is " + v.state() + ": " + v.stateReason()
                            + (copies.isEmpty() ? "" : ", and no copy is on a readable volume"));
        }
        List<String> why = new ArrayList<>();
        List<BitFileInfo> all = new ArrayList<>(copies);
        all.add(0, b);
        for (BitFileInfo f : all) {
            VolumeInfo fv = volume(c, volumes, f.volume());
            why.add(
                    avoid.contains(f.bfid())
                            ? "its bytes on volume " + fv.label() + " could not be read"
                            : "volume " + fv.label() + " is " + fv.state() + ": " + fv.stateReason());
        }
        throw SiloException.of(ErrorCode.IO, p + " has no copy left to read: " + String.join("; ", why));
    }

    private static VolumeInfo volume(Connection c, Map<String, VolumeInfo> volumes, String label)
            throws SQLException, SiloException {
        VolumeInfo v = volumes.get(label);
        if (v == null) {
            v = VolumeClerk.get(c, label);
            volumes.put(label, v);
        }
        return v;
    }

    /** job_files: the files of a request and what became of each, in index order. */
    List<FileState> jobFiles(long id) throws SiloException {
        return catalog.tx(c -> {
            Requests.Req r = Sql.one(c, Requests.SELECT + " WHERE id = ?", Requests::row, id)
                    .orElseThrow(() -> SiloException.notFound("no job " + id));
            long of = r.mergedInto() != null ? r.mergedInto() : id;
            return Sql.list(
                    c,
                    "SELECT idx, path, size, state, bfid, cookie, adler32, error FROM request_file WHERE request = ? ORDER BY idx",
                    rs -> new FileState(
                            rs.getInt(1),
                            rs.getString(2),
                            rs.getLong(3),
                            rs.getString(4),
                            rs.getString(5),
                            r.volume(),
                            rs.getString(6),
                            rs.getString(7),
                            rs.getString(8)),
                    of);
        });
    }

    private static String firstPath(List<FileSpec> specs) {
        try {
            return NsPath.parse(specs.get(0).path()).toString();
        } catch (SiloException e) {
            return specs.get(0).path();
        }
    }

    private static List<FileAt> atOf(Connection c, List<Long> ids) throws SQLException {
        List<FileAt> at = new ArrayList<>();
        for (long id : ids) {
            at.addAll(Sql.list(
                    c,
                    "SELECT f.idx, f.size, f.adler32, f.bfid, r.volume FROM request_file f JOIN request r ON r.id = f.request"
                            + " WHERE f.request = ? ORDER BY f.idx",
                    rs -> new FileAt(
                            rs.getInt(1), id, rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5)),
                    id));
        }
        return at;
    }

    private static void callback(String callback, String token) throws SiloException {
        if (callback == null || !callback.matches("[^\\s]+:[0-9]{1,5}") || callback.length() > 256) {
            throw SiloException.invalid("callback must be HOST:PORT, not '" + callback + "'");
        }
        if (token == null || token.isBlank() || token.length() > 64) {
            throw SiloException.invalid("token must be 1 to 64 characters");
        }
    }

    private static String avoid(List<String> movers) {
        return movers == null ? "" : Requests.cut(String.join(",", movers), 1024);
    }
}
