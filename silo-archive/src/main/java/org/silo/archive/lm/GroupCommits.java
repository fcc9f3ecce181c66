package org.silo.archive.lm;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.file.FileClerk;
import org.silo.archive.file.FileRecorder;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.FileDone;
import org.silo.archive.ops.LibraryMessages.FileRef;
import org.silo.archive.ops.LibraryMessages.FileState;
import org.silo.archive.ops.LibraryMessages.FilesDone;
import org.silo.archive.ops.LibraryMessages.Recorded;
import org.silo.wire.SiloException;

/**
 * files_done, a mover's group commit (docs/archive.md, "Aggregation"): for a write, every file the mover
 * made durable is recorded (bit file, namespace entry, its container) in one transaction and answered
 * with its bfid, or why not; a file already recorded (the mover tells it again after a lost answer) gets
 * its first bfid. For a read, the files' outcomes are noted. Each request's files are rows of
 * {@code request_file}; a job gives its mover those still queued ({@link #queuedFiles}).
 */
final class GroupCommits {
    private final Catalog catalog;
    private final FileClerk files;

    GroupCommits(Catalog catalog, FileClerk files) {
        this.catalog = catalog;
        this.files = files;
    }

    /** The files a job gives its mover: those of the request still queued, in index order. */
    static List<FileRef> queuedFiles(Connection c, Requests.Req r) throws SQLException {
        return Sql.list(
                c,
                "SELECT idx, path, size, bfid, cookie, adler32 FROM request_file WHERE request = ? AND state = 'queued'"
                        + " ORDER BY idx",
                rs -> new FileRef(
                        rs.getString(4),
                        rs.getString(5),
                        rs.getLong(3),
                        rs.getString(6),
                        null,
                        rs.getInt(1),
                        rs.getString(2),
                        r.owner()),
                r.id());
    }

    /**
     * files_done: for a write, every stored file is recorded (bit file, namespace entry, container) in one
     * transaction, and answered with its bfid or why not; a file already recorded (the mover tells it
     * again after a lost answer) gets its first bfid. For a read, the files' outcomes are noted.
     */
    List<Recorded> filesDone(FilesDone d) throws SiloException {
        for (int attempt = 0; ; attempt++) {
            try {
                return catalog.tx(c -> record(c, d));
            } catch (Catalog.ConstraintViolation e) {
                if (attempt >= 3) {
                    throw e;
                }
                files.recorder().afterConflict(catalog); // another server minted the same bfid: past it, and again
            }
        }
    }

    private List<Recorded> record(Connection c, FilesDone d) throws SQLException, SiloException {
        Requests.Req r = Sql.one(c, Requests.SELECT + " WHERE id = ?", Requests::row, d.job())
                .orElseThrow(() -> SiloException.notFound("no job " + d.job()));
        if (!r.state().equals("active") || !d.moverId().equals(r.mover())) {
            throw SiloException.invalid("job " + r.id() + " is no longer mover " + d.moverId() + "'s (" + r.state()
                    + "): nothing recorded");
        }
        long now = System.currentTimeMillis();
        Map<Integer, FileState> rows = new LinkedHashMap<>();
        for (FileState s : Sql.list(
                c,
                "SELECT idx, path, size, state, bfid, cookie, adler32, error FROM request_file WHERE request = ?",
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
                r.id())) {
            rows.put(s.index(), s);
        }
        List<Recorded> out = new ArrayList<>();
        List<FileRecorder.ToRecord> toRecord = new ArrayList<>();
        boolean write = r.kind().equals(LibraryMessages.KIND_WRITE);
        try (Sql.Batch states = Sql.batch(
                c,
                "UPDATE request_file SET state = ?, bfid = COALESCE(?, bfid), cookie = COALESCE(?, cookie),"
                        + " adler32 = COALESCE(?, adler32), error = ? WHERE request = ? AND idx = ?")) {
            for (FileDone f : d.files()) {
                FileState s = rows.get(f.index());
                if (s == null) {
                    out.add(new Recorded(f.index(), null, "file " + f.index() + " is not one of job " + r.id() + "'s"));
                } else if (s.state().equals("done")) {
                    out.add(new Recorded(
                            f.index(), s.bfid(), null)); // told again after a lost answer: the first record stands
                } else if (!f.ok()) {
                    states.add("failed", null, null, null, Requests.cut(f.error(), 2048), r.id(), f.index());
                    out.add(new Recorded(f.index(), null, f.error()));
                } else if (write) {
                    toRecord.add(new FileRecorder.ToRecord(
                            f.index(), s.path(), f.cookie(), f.size(), f.adler32(), f.hash(), r.owner()));
                } else {
                    states.add("done", s.bfid(), s.cookie(), s.adler32(), null, r.id(), f.index());
                    out.add(new Recorded(f.index(), s.bfid(), null));
                }
            }
            if (!toRecord.isEmpty()) {
                Map<Integer, FileRecorder.ToRecord> byIndex = new HashMap<>();
                toRecord.forEach(t -> byIndex.put(t.index(), t));
                for (FileRecorder.Outcome o :
                        files.recorder().record(c, r.volume(), d.container(), d.containerSize(), toRecord, now)) {
                    FileRecorder.ToRecord t = byIndex.get(o.index());
                    if (o.ok()) {
                        states.add("done", o.bfid(), t.cookie(), t.adler32(), null, r.id(), o.index());
                    } else {
                        states.add("failed", null, null, null, Requests.cut(o.error(), 2048), r.id(), o.index());
                    }
                    out.add(new Recorded(o.index(), o.bfid(), o.error()));
                }
            }
            states.run();
        }
        Sql.update(c, "UPDATE request SET updated_ms = ? WHERE id = ?", now, r.id());
        return out;
    }

    /** How many of a request's files are done and how many not, and the first error: {done, notDone}. */
    static long[] tally(Connection c, long request) throws SQLException {
        long done = Sql.count(c, "SELECT COUNT(*) FROM request_file WHERE request = ? AND state = 'done'", request);
        long all = Sql.count(c, "SELECT COUNT(*) FROM request_file WHERE request = ?", request);
        return new long[] {done, all - done};
    }

    /** The first error among a request's files that are not done (null: none). */
    static String firstError(Connection c, long request) throws SQLException {
        return Sql.one(
                        c,
                        "SELECT error FROM request_file WHERE request = ? AND state <> 'done' AND error IS NOT NULL ORDER BY idx",
                        rs -> rs.getString(1),
                        request)
                .orElse(null);
    }
}
