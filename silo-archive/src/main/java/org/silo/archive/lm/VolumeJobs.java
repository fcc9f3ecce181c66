package org.silo.archive.lm;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.file.FileClerk;
import org.silo.archive.lm.Requests.Req;
import org.silo.archive.ns.Namespace;
import org.silo.archive.ns.NsPath;
import org.silo.archive.ops.FileMessages.BitFileInfo;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.archive.volume.ContentHash;
import org.silo.archive.volume.VolumeClerk;
import org.silo.archive.volume.VolumeState;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * The library manager's volume work, the requests no client waits on (docs/archive.md, "Copies,
 * content hashes and volume jobs"): {@code copy} (a bit file to another volume, recorded as a copy
 * naming its original) and {@code verify} (every live file of a volume read and checked); and the
 * copies a write with {@code copies > 1} queues once it is recorded.
 */
final class VolumeJobs {
    private final LibraryManager lm;
    private final Outcomes outcomes;
    private final Catalog catalog;
    private final VolumeClerk volumes;
    private final FileClerk files;

    VolumeJobs(LibraryManager lm, Outcomes outcomes, Catalog catalog, VolumeClerk volumes, FileClerk files) {
        this.lm = lm;
        this.outcomes = outcomes;
        this.catalog = catalog;
        this.volumes = volumes;
        this.files = files;
    }

    /**
     * copy_to_volume: queues a copy of an archived file (by path, or by content hash) to a volume, or to
     * any other volume of its library with room when none is named. The copy is recorded as a bit file
     * of its own that names the original; reads fall back to it when the original's volume is unreadable.
     */
    long submitCopy(LibraryMessages.CopyFile q, String who) throws SiloException {
        long id = catalog.tx(c -> {
            BitFileInfo b = original(c, q.file());
            VolumeInfo v = VolumeClerk.get(c, b.volume());
            String target = null;
            if (q.volume() != null && !q.volume().isBlank()) {
                VolumeInfo t = VolumeClerk.get(c, VolumeClerk.name("volume", q.volume()));
                if (holders(c, b.bfid()).contains(t.label())) {
                    throw SiloException.of(
                            ErrorCode.EXISTS,
                            "volume " + t.label() + " already holds " + b.path() + " (" + b.bfid() + ")");
                }
                if (!t.library().equals(v.library())) {
                    throw SiloException.invalid(
                            "volume " + t.label() + " is in library " + t.library() + ", the file in " + v.library());
                }
                target = t.label();
            }
            return Requests.insert(
                    c,
                    catalog.engine(),
                    new Requests.New(
                            LibraryMessages.KIND_COPY,
                            v.library(),
                            v.storageGroup(),
                            v.fileFamily(),
                            v.label(),
                            b.bfid(),
                            b.path(),
                            b.size(),
                            b.adler32(),
                            q.priority(),
                            null,
                            NO_CLIENT,
                            NO_CLIENT,
                            true,
                            "",
                            who,
                            target,
                            1,
                            null,
                            null),
                    System.currentTimeMillis());
        });
        catalog.tx(c -> Sql.update(
                c,
                "UPDATE request SET cookie = (SELECT cookie FROM bit_file WHERE bfid = request.bfid) WHERE id = ?",
                id));
        return id;
    }

    /** verify_volume: queues a read of every live file on the volume, each checked against its size, Adler-32 and hash. */
    long submitVerify(LibraryMessages.VerifyVolume q, String who) throws SiloException {
        String label = VolumeClerk.name("volume", q.volume());
        long id = catalog.tx(c -> {
            VolumeInfo v = VolumeClerk.get(c, label);
            long bytes = Sql.count(
                    c, "SELECT COALESCE(SUM(size), 0) FROM bit_file WHERE volume = ? AND state = 'active'", label);
            return Requests.insert(
                    c,
                    catalog.engine(),
                    new Requests.New(
                            LibraryMessages.KIND_VERIFY,
                            v.library(),
                            v.storageGroup(),
                            v.fileFamily(),
                            label,
                            null,
                            "vol:" + label,
                            bytes,
                            null,
                            q.priority(),
                            null,
                            NO_CLIENT,
                            NO_CLIENT,
                            false,
                            "",
                            who,
                            null,
                            1,
                            null,
                            null),
                    System.currentTimeMillis());
        });
        return id;
    }

    /** Callback and token of requests no client waits on (copy, verify). */
    static final String NO_CLIENT = "-";

    private static BitFileInfo original(Connection c, String file) throws SQLException, SiloException {
        if (file == null || file.isBlank()) {
            throw SiloException.invalid("name the file to copy, by path or content hash");
        }
        BitFileInfo b;
        if (ContentHash.isHash(file)) {
            String h = ContentHash.parse(file);
            b = FileClerk.byHash(c, h).orElseThrow(() -> SiloException.notFound("no file has content hash " + h));
        } else {
            NsPath path = NsPath.parse(file);
            Namespace.Node n =
                    Namespace.resolve(c, path).orElseThrow(() -> SiloException.notFound("no such file " + path));
            if (n.bfid() == null) {
                throw SiloException.invalid(path + " is a directory");
            }
            b = FileClerk.get(c, n.bfid());
        }
        if (!VolumeState.parse(VolumeClerk.get(c, b.volume()).state()).readable()) {
            throw SiloException.of(
                    ErrorCode.PERMISSION, "volume " + b.volume() + " of " + b.path() + " cannot be read now");
        }
        return b;
    }

    /** The volumes holding a bit file: its own and its copies'. */
    static Set<String> holders(Connection c, String bfid) throws SQLException, SiloException {
        Set<String> out = new HashSet<>();
        out.add(FileClerk.get(c, bfid).volume());
        for (BitFileInfo cp : FileClerk.copies(c, bfid)) {
            out.add(cp.volume());
        }
        return out;
    }

    /**
     * The copies a write asked for, of one group commit: a container is copied whole, one copy request per
     * extra copy for all its members (its bfid null, its cookie the container's), and a file of its own on
     * its own, each naming the write as its parent.
     */
    void queueCopies(Req r, LibraryMessages.FilesDone d, List<LibraryMessages.Recorded> recorded) throws SiloException {
        java.util.Map<Integer, LibraryMessages.FileDone> byIndex = new java.util.HashMap<>();
        d.files().forEach(f -> byIndex.put(f.index(), f));
        boolean container = false;
        for (LibraryMessages.Recorded x : recorded) {
            LibraryMessages.FileDone f = byIndex.get(x.index());
            if (x.error() != null || f == null) {
                continue;
            }
            if (d.container() != null && f.cookie().startsWith(d.container() + "+")) {
                container = true;
            } else {
                queueCopies(r, catalog.tx(c -> FileClerk.get(c, x.bfid())));
            }
        }
        if (container) {
            catalog.tx(c -> {
                for (int i = 1; i < r.copies(); i++) {
                    long id = Requests.insert(
                            c,
                            catalog.engine(),
                            new Requests.New(
                                    LibraryMessages.KIND_COPY,
                                    r.library(),
                                    r.storageGroup(),
                                    r.fileFamily(),
                                    r.volume(),
                                    null,
                                    "vol:" + r.volume(),
                                    d.containerSize(),
                                    null,
                                    r.basePri(),
                                    null,
                                    NO_CLIENT,
                                    NO_CLIENT,
                                    true,
                                    "",
                                    r.owner(),
                                    null,
                                    1,
                                    null,
                                    r.id()),
                            System.currentTimeMillis());
                    Sql.update(c, "UPDATE request SET cookie = ? WHERE id = ?", d.container(), id);
                }
                return null;
            });
        }
    }

    /** The copies a write asked for, of one file of its own. */
    private void queueCopies(Req r, BitFileInfo b) throws SiloException {
        catalog.tx(c -> {
            long now = System.currentTimeMillis();
            for (int i = 1; i < r.copies(); i++) {
                Requests.insert(
                        c,
                        catalog.engine(),
                        new Requests.New(
                                LibraryMessages.KIND_COPY,
                                r.library(),
                                r.storageGroup(),
                                r.fileFamily(),
                                b.volume(),
                                b.bfid(),
                                b.path(),
                                b.size(),
                                b.adler32(),
                                r.basePri(),
                                null,
                                NO_CLIENT,
                                NO_CLIENT,
                                true,
                                "",
                                r.owner(),
                                null,
                                1,
                                null,
                                r.id()),
                        now);
            }
            Sql.update(
                    c,
                    "UPDATE request SET cookie = ? WHERE parent = ? AND bfid = ? AND cookie IS NULL",
                    b.cookie(),
                    r.id(),
                    b.bfid());
            return null;
        });
    }

    /** The volumes holding a container, or a copy of any of its members: a copy of it goes elsewhere. */
    private static Set<String> containerHolders(Connection c, String volume, String container) throws SQLException {
        Set<String> out = new HashSet<>(Sql.list(
                c,
                "SELECT DISTINCT k.volume FROM bit_file k JOIN bit_file o ON k.original = o.bfid"
                        + " WHERE o.volume = ? AND o.container = ? AND k.state = 'active'",
                rs -> rs.getString(1),
                volume,
                container));
        out.add(volume);
        return out;
    }

    JobInfo copyDone(Req r, TransferDone d, String moverName, boolean mine) throws SiloException {
        String target = r.target(); // set when the copy was given to the mover
        if (!mine) {
            outcomes.releaseWriting(target, moverName, d.ok() ? d.size() : 0);
            throw SiloException.invalid(
                    "job " + r.id() + " is no longer mover " + moverName + "'s (" + r.state() + "): nothing recorded");
        }
        if (!d.ok()) {
            outcomes.releaseWriting(target, moverName, 0);
            if (d.volumeFault()) {
                String at = d.faultVolume() == null ? r.volume() : d.faultVolume();
                volumes.noteError(at, moverName, at.equals(target), d.error());
            }
            outcomes.finish(r.id(), "failed", null, null, d.error(), d.moverId(), 0, 0, 1);
            return lm.info(r.id());
        }
        if (r.bfid() == null) { // a container: each live member's copy recorded at the same range of the copy
            int n;
            try {
                n = catalog.tx(c -> files.recorder()
                        .recordContainerCopy(
                                c,
                                r.volume(),
                                r.cookie(),
                                target,
                                d.cookie(),
                                d.size(),
                                "job-" + r.id(),
                                System.currentTimeMillis()));
            } catch (SiloException e) {
                outcomes.releaseWriting(target, moverName, d.size());
                outcomes.finish(r.id(), "failed", null, null, e.getMessage(), d.moverId(), 0, 0, 1);
                throw e;
            }
            outcomes.releaseWriting(target, moverName, 0); // its bytes and files were counted with the record
            outcomes.finish(
                    r.id(),
                    "done",
                    null,
                    null,
                    null,
                    d.moverId(),
                    d.size(),
                    n,
                    0,
                    "copy of container " + r.cookie() + " (" + n + " files) on " + target + " at " + d.cookie());
            return lm.info(r.id());
        }
        BitFileInfo copy;
        try {
            copy = files.newCopy("job-" + r.id(), r.bfid(), target, d.cookie(), d.size(), d.adler32());
        } catch (SiloException e) {
            outcomes.releaseWriting(target, moverName, d.size());
            outcomes.finish(r.id(), "failed", null, null, e.getMessage(), d.moverId(), 0, 0, 1);
            throw e;
        }
        outcomes.releaseWriting(target, moverName, d.size());
        outcomes.finish(
                r.id(),
                "done",
                null,
                null,
                null,
                d.moverId(),
                d.size(),
                1,
                0,
                "copy " + copy.bfid() + " on " + target + " at " + copy.cookie());
        return lm.info(r.id());
    }

    JobInfo verifyDone(Req r, TransferDone d, String moverName, boolean mine) throws SiloException {
        if (!mine) {
            throw SiloException.invalid(
                    "job " + r.id() + " is no longer mover " + moverName + "'s (" + r.state() + ")");
        }
        if (d.volumeFault()) {
            volumes.noteError(r.volume(), moverName, false, d.error());
        }
        outcomes.finish(
                r.id(),
                d.ok() ? "done" : "failed",
                null,
                null,
                d.error(),
                d.moverId(),
                d.ok() ? d.size() : 0,
                0,
                d.ok() ? 0 : 1,
                d.result());
        if (d.ok()) {
            volumes.updateReadStats(r.volume(), d.size());
        }
        return lm.info(r.id());
    }

    /**
     * Where a copy goes: the volume it names, or an ok volume of its library that has room, holds no copy
     * of the file and is neither busy nor being written (its own storage group first, then blank ones,
     * which join it). Null: none now; the copy waits.
     */
    VolumeInfo copyTarget(Connection c, Req r, Set<String> busy, String mover) throws SQLException, SiloException {
        Set<String> holders = r.bfid() != null
                ? holders(c, r.bfid())
                : r.kind().equals(LibraryMessages.KIND_COPY)
                        ? containerHolders(c, r.volume(), r.cookie()) // a container's copy
                        : Set.of(r.volume()); // a repack: any volume but its own
        List<String> labels = r.target() != null
                ? List.of(r.target())
                : Sql.list(
                        c,
                        "SELECT label FROM volume WHERE library = ? AND state = 'ok' AND writing IS NULL AND remaining >= ?"
                                + " ORDER BY CASE WHEN storage_group = ? AND file_family = ? THEN 0 WHEN file_family = ? THEN 1 ELSE 2 END, label",
                        rs -> rs.getString(1),
                        r.library(),
                        r.size(),
                        r.storageGroup(),
                        r.fileFamily(),
                        VolumeClerk.BLANK_FAMILY);
        for (String label : labels) {
            VolumeInfo t = VolumeClerk.get(c, label);
            if (holders.contains(label)
                    || busy.contains(label)
                    || !t.state().equals("ok")
                    || t.writing() != null
                    || t.remaining() < r.size()
                    || !org.silo.archive.volume.VolumeWriters.claim(c, label, mover, System.currentTimeMillis())) {
                continue; // claimed in this transaction: another server's copy or write cannot take it too
            }
            if (t.fileFamily().equals(VolumeClerk.BLANK_FAMILY)) {
                Sql.update(
                        c,
                        "UPDATE volume SET storage_group = ?, file_family = ? WHERE label = ?",
                        r.storageGroup(),
                        r.fileFamily(),
                        label);
                t = VolumeClerk.get(c, label);
            }
            return t;
        }
        Sql.update(
                c,
                "UPDATE request SET error = ? WHERE id = ?",
                "waiting: no volume free to take the copy"
                        + (r.target() == null ? "" : " (" + r.target() + " is busy, full or not ok)"),
                r.id());
        return null;
    }
}
