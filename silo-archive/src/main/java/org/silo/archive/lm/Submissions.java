package org.silo.archive.lm;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.file.FileClerk;
import org.silo.archive.ns.Namespace;
import org.silo.archive.ns.NsPath;
import org.silo.archive.ops.FileMessages.BitFileInfo;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.ReadFromHsm;
import org.silo.archive.ops.LibraryMessages.WriteToHsm;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.archive.volume.VolumeClerk;
import org.silo.archive.volume.VolumeState;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * A client's transfers entering the queue: write_to_hsm and read_from_hsm are checked (bad input is
 * refused and queues nothing) and each becomes a queued row of the {@code request} table, in one
 * transaction. A request sent again with the same token gets the one made the first time
 * ({@link ClientJobs#repeated}); a read of a file that already has a read queued joins it (merged reads).
 * The library manager wakes waiting movers and answers with the job.
 */
final class Submissions {
    private final Catalog catalog;

    Submissions(Catalog catalog) {
        this.catalog = catalog;
    }

    /** write_to_hsm: queues a write; the path must be free and its directory must exist. Returns the request's id. */
    long write(WriteToHsm q, String who) throws SiloException {
        NsPath path = NsPath.parse(q.path());
        if (q.size() < 0) {
            throw SiloException.invalid("size must not be negative: " + q.size());
        }
        String lib = VolumeClerk.name("library", q.library() == null ? "default" : q.library());
        String sg = VolumeClerk.name("storage group", q.storageGroup() == null ? "none" : q.storageGroup());
        String ff = VolumeClerk.name("file family", q.fileFamily() == null ? "default" : q.fileFamily());
        callback(q.callback(), q.token());
        String owner = q.owner() == null || q.owner().isBlank() ? who : q.owner();
        int copies = Math.max(1, q.copies());
        if (copies > LibraryManager.MAX_COPIES) {
            throw SiloException.invalid("at most " + LibraryManager.MAX_COPIES + " copies of a file, not " + copies);
        }
        String hash = org.silo.archive.volume.ContentHash.algorithm(q.hash());
        return catalog.tx(c -> {
            Optional<Long> again = ClientJobs.repeated(c, LibraryMessages.KIND_WRITE, path.toString(), q.callback(), q.token());
            if (again.isPresent()) {
                return again.get(); // sent again (its answer was lost): the request made the first time
            }
            if (Sql.count(c, "SELECT COUNT(*) FROM library WHERE name = ?", lib) == 0) {
                throw SiloException.notFound("no library " + lib);
            }
            MoverPresence.requireServed(c, lib);
            checkFree(c, path);
            Optional<Long> pending = Sql.one(c, "SELECT id FROM request WHERE kind = 'write' AND path = ? AND state IN ('queued', 'active')",
                    rs -> rs.getLong(1), path.toString());
            if (pending.isPresent()) {
                throw new SiloException(ErrorCode.EXISTS, path + " is already being written by job " + pending.get());
            }
            long now = System.currentTimeMillis();
            return Requests.insert(c, catalog.engine(), new Requests.New(LibraryMessages.KIND_WRITE, lib, sg, ff, null, null,
                    path.toString(), q.size(), null, q.priority(), null, q.callback(), q.token(), q.verify(), avoid(q.avoidMovers()),
                    owner, null, copies, hash, null), now);
        });
    }

    /**
     * read_from_hsm: queues a read of the file at the path (of a copy on a readable volume when the
     * original's is not), merged with a read of the same file already queued. Returns the request's id.
     */
    long read(ReadFromHsm q, String who) throws SiloException {
        NsPath path = NsPath.parse(q.path());
        callback(q.callback(), q.token());
        return catalog.tx(c -> {
            Optional<Long> again = ClientJobs.repeated(c, LibraryMessages.KIND_READ, path.toString(), q.callback(), q.token());
            if (again.isPresent()) {
                return again.get();
            }
            Namespace.Node n = Namespace.resolve(c, path).orElseThrow(() -> SiloException.notFound("no such file " + path));
            if (n.bfid() == null) {
                throw SiloException.invalid(path + " is a directory");
            }
            BitFileInfo b = FileClerk.get(c, n.bfid());
            VolumeInfo v = VolumeClerk.get(c, b.volume());
            if (!VolumeState.parse(v.state()).readable()) {
                // the original's volume cannot be read: a copy on a readable volume serves instead
                Optional<BitFileInfo> copy = Optional.empty();
                for (BitFileInfo cp : FileClerk.copies(c, b.bfid())) {
                    if (VolumeState.parse(VolumeClerk.get(c, cp.volume()).state()).readable()) {
                        copy = Optional.of(cp);
                        break;
                    }
                }
                if (copy.isEmpty()) {
                    throw new SiloException(ErrorCode.PERMISSION, "volume " + v.label() + " is " + v.state() + ": " + v.stateReason()
                            + (FileClerk.copies(c, b.bfid()).isEmpty() ? "" : ", and no copy is on a readable volume"));
                }
                b = copy.get();
                v = VolumeClerk.get(c, b.volume());
            }
            MoverPresence.requireServed(c, v.library());
            Optional<Long> primary = Sql.one(c, "SELECT id FROM request WHERE kind = 'read' AND bfid = ? AND state = 'queued'"
                    + " AND merged_into IS NULL ORDER BY id", rs -> rs.getLong(1), b.bfid());
            long now = System.currentTimeMillis();
            long made = Requests.insert(c, catalog.engine(), new Requests.New(LibraryMessages.KIND_READ, v.library(), v.storageGroup(),
                    v.fileFamily(), v.label(), b.bfid(), path.toString(), b.size(), b.adler32(), q.priority(), primary.orElse(null),
                    q.callback(), q.token(), false, avoid(q.avoidMovers()), who, null, 1, null, null), now);
            Sql.update(c, "UPDATE request SET cookie = ? WHERE id = ?", b.cookie(), made);
            return made;
        });
    }

    private static void callback(String callback, String token) throws SiloException {
        if (callback == null || !callback.matches("[^\\s]+:[0-9]{1,5}") || callback.length() > 256) {
            throw SiloException.invalid("callback must be HOST:PORT, not '" + callback + "'");
        }
        if (token == null || token.isBlank() || token.length() > 64) {
            throw SiloException.invalid("token must be 1 to 64 characters");
        }
    }

    private static void checkFree(Connection c, NsPath path) throws SQLException, SiloException {
        if (Namespace.resolve(c, path).isPresent()) {
            throw new SiloException(ErrorCode.EXISTS, path + " already exists");
        }
        NsPath parent = path.parent();
        Namespace.Node dir = Namespace.resolve(c, parent).orElseThrow(() -> SiloException.notFound("no directory " + parent));
        if (!dir.kind().equals("d")) {
            throw SiloException.invalid(parent + " is not a directory");
        }
    }

    private static String avoid(List<String> movers) {
        return movers == null ? "" : Requests.cut(String.join(",", movers), 1024);
    }
}
