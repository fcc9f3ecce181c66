package org.silo.archive.file;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.ns.Namespace;
import org.silo.archive.ns.NsPath;
import org.silo.archive.ops.FileMessages.BitFileInfo;
import org.silo.archive.ops.FileMessages.FsckReport;
import org.silo.archive.ops.FileMessages.NewBitFile;
import org.silo.archive.ops.FileMessages.WriteFile;
import org.silo.archive.ops.VolumeMessages.NextWriteVolume;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.Checksums;
import org.silo.archive.volume.Containers;
import org.silo.archive.volume.VolumeClerk;
import org.silo.wire.ErrorCode;
import org.silo.wire.NoSpaceException;
import org.silo.wire.SiloException;

/**
 * The file clerk (seed 000's bit file server): one record per file written, naming its volume and
 * location cookie, with its size and Adler-32; and, in the same transaction, its namespace entry.
 */
public final class FileClerk {
    private final Catalog catalog;
    private final VolumeClerk volumes;
    private final Bfids bfids;
    private final FileRecorder recorder;

    public FileClerk(Catalog catalog, VolumeClerk volumes) throws SiloException {
        this.catalog = catalog;
        this.volumes = volumes;
        this.bfids = new Bfids(catalog.tx(c -> Sql.one(c, "SELECT MAX(bfid) FROM bit_file", rs -> rs.getString(1))
                .orElse(null)));
        this.recorder = new FileRecorder(bfids);
    }

    /** Records many stored files in one transaction (a mover's group commit). */
    public FileRecorder recorder() {
        return recorder;
    }

    /**
     * new_bit_file: records a file the mover has written and adds its namespace entry. A request whose
     * {@code clientRequest} was seen before returns the bit file it made then, whether or not the reply
     * cache still holds that reply.
     */
    public BitFileInfo newBitFile(NewBitFile q) throws SiloException {
        NsPath path = NsPath.parse(q.path());
        String vol = VolumeClerk.name("volume", q.volume());
        Backend.fileNumber(q.cookie());
        if (q.size() < 0) {
            throw SiloException.invalid("size must not be negative: " + q.size());
        }
        if (!Checksums.isHex8(q.adler32())) {
            throw SiloException.invalid("adler32 must be 8 lower-case hex digits, not '" + q.adler32() + "'");
        }
        if (q.clientRequest() != null
                && (q.clientRequest().isBlank() || q.clientRequest().length() > 128)) {
            throw SiloException.invalid("client request id must be 1 to 128 characters");
        }
        String owner = q.owner() == null || q.owner().isBlank() ? "root" : q.owner();
        return withNewBfid((c, bfid) -> {
            if (q.clientRequest() != null) {
                Optional<BitFileInfo> prior =
                        Sql.one(c, SELECT + " WHERE client_req = ?", FileClerk::row, q.clientRequest());
                if (prior.isPresent()) {
                    return same(prior.get(), q, vol);
                }
            }
            VolumeClerk.get(c, vol);
            if (Sql.count(c, "SELECT COUNT(*) FROM bit_file WHERE volume = ? AND cookie = ?", vol, q.cookie()) > 0) {
                if (q.clientRequest() != null) {
                    // on PostgreSQL (read committed) the same request may have committed since the first look
                    Optional<BitFileInfo> prior =
                            Sql.one(c, SELECT + " WHERE client_req = ?", FileClerk::row, q.clientRequest());
                    if (prior.isPresent()) {
                        return same(prior.get(), q, vol);
                    }
                }
                throw SiloException.of(
                        ErrorCode.EXISTS, "volume " + vol + " already has a file at cookie " + q.cookie());
            }
            long now = Bfids.millis(bfid); // created_ms and the bfid sort alike
            Sql.update(
                    c,
                    "INSERT INTO bit_file (bfid, volume, cookie, size, adler32, path, owner, state, client_req,"
                            + " created_ms, updated_ms, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    bfid,
                    vol,
                    q.cookie(),
                    q.size(),
                    q.adler32(),
                    path.toString(),
                    owner,
                    "active",
                    q.clientRequest(),
                    now,
                    now,
                    q.hash());
            org.silo.archive.volume.VolumeWriters.recorded(c, vol, q.cookie());
            Namespace.createFile(c, path, bfid, owner, now);
            return get(c, bfid);
        });
    }

    /** Work that records a bit file under a freshly minted bfid. */
    private interface WithBfid {
        BitFileInfo run(Connection c, String bfid) throws SQLException, SiloException;
    }

    /**
     * Runs {@code work} in a transaction with a new bfid, and again with another when that id, or a
     * unique key the work relies on, was taken at the same moment: two servers on one PostgreSQL catalog
     * may mint the same id at once (the key refuses the second), and another transaction may take the
     * path, the cookie or the client request id (the next attempt finds it and answers as for any repeat
     * or clash).
     */
    private BitFileInfo withNewBfid(WithBfid work) throws SiloException {
        for (int attempt = 0; ; attempt++) {
            String bfid = bfids.next();
            try {
                return catalog.tx(c -> {
                    if (Sql.count(c, "SELECT COUNT(*) FROM bit_file WHERE bfid = ?", bfid) > 0) {
                        throw new BfidTaken(bfid);
                    }
                    return work.run(c, bfid);
                });
            } catch (BfidTaken e) {
                bfids.seen(e.bfid);
            } catch (Catalog.ConstraintViolation e) {
                if (attempt >= 3) {
                    throw e;
                }
            }
        }
    }

    private static final class BfidTaken extends SiloException {
        final String bfid;

        BfidTaken(String bfid) {
            super(ErrorCode.EXISTS, "bfid " + bfid + " taken");
            this.bfid = bfid;
        }
    }

    private static BitFileInfo same(BitFileInfo prior, NewBitFile q, String vol) throws SiloException {
        if (!prior.volume().equals(vol)
                || !prior.cookie().equals(q.cookie())
                || prior.size() != q.size()
                || !prior.adler32().equals(q.adler32())) {
            throw SiloException.of(
                    ErrorCode.EXISTS,
                    "client request " + q.clientRequest() + " already made bit file " + prior.bfid()
                            + " for another file (" + prior.volume() + " " + prior.cookie() + ")");
        }
        return prior;
    }

    public BitFileInfo info(String bfid) throws SiloException {
        return catalog.tx(c -> get(c, bfid));
    }

    /**
     * Records a copy of an active bit file that a mover wrote to another volume: a bit file of its own
     * naming the original, outside the namespace. A repeat for the same request returns the first.
     */
    public BitFileInfo newCopy(
            String clientRequest, String original, String volume, String cookie, long size, String adler32)
            throws SiloException {
        String vol = VolumeClerk.name("volume", volume);
        Backend.fileNumber(cookie);
        return withNewBfid((c, bfid) -> {
            Optional<BitFileInfo> prior = Sql.one(c, SELECT + " WHERE client_req = ?", FileClerk::row, clientRequest);
            if (prior.isPresent()) {
                return prior.get();
            }
            BitFileInfo o = get(c, original);
            if (!o.state().equals("active")) {
                throw SiloException.notFound("bit file " + original + " was deleted while it was being copied");
            }
            if (o.size() != size || !o.adler32().equals(adler32)) {
                throw SiloException.of(
                        ErrorCode.IO,
                        "the copy of " + original + " (" + size + " bytes, adler32 " + adler32
                                + ") differs from the original (" + o.size() + ", " + o.adler32() + ")");
            }
            VolumeClerk.get(c, vol);
            long now = Bfids.millis(bfid);
            Sql.update(
                    c,
                    "INSERT INTO bit_file (bfid, volume, cookie, size, adler32, path, owner, state, client_req,"
                            + " created_ms, updated_ms, hash, original) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    bfid,
                    vol,
                    cookie,
                    size,
                    adler32,
                    o.path(),
                    o.owner(),
                    "active",
                    clientRequest,
                    now,
                    now,
                    hashOf(c, original),
                    original);
            org.silo.archive.volume.VolumeWriters.recorded(c, vol, cookie);
            return get(c, bfid);
        });
    }

    /** The content hash of a bit file ({@code ALG:HEX}), or null. */
    public static String hashOf(Connection c, String bfid) throws SQLException {
        return Sql.one(c, "SELECT hash FROM bit_file WHERE bfid = ?", rs -> rs.getString(1), bfid)
                .orElse(null);
    }

    /** The active copies of a bit file (not the original itself). */
    public static List<BitFileInfo> copies(Connection c, String bfid) throws SQLException {
        return Sql.list(c, SELECT + " WHERE original = ? AND state = 'active' ORDER BY bfid", FileClerk::row, bfid);
    }

    /** The active original with this content hash ({@code ALG:HEX}), the oldest if several. */
    public static Optional<BitFileInfo> byHash(Connection c, String hash) throws SQLException {
        return Sql.one(
                c,
                SELECT + " WHERE hash = ? AND state = 'active' AND original IS NULL ORDER BY bfid",
                FileClerk::row,
                hash);
    }

    /** del_bfid: marks the bit file deleted and removes its namespace entry; the record stays. */
    public BitFileInfo delete(String bfid) throws SiloException {
        return catalog.tx(c -> {
            get(c, bfid);
            long now = System.currentTimeMillis();
            Sql.update(c, "DELETE FROM ns_entry WHERE bfid = ?", bfid);
            Sql.update(c, "UPDATE bit_file SET state = 'deleted', updated_ms = ? WHERE bfid = ?", now, bfid);
            Containers.recount(c, "s.bfid = ?", bfid);
            return get(c, bfid);
        });
    }

    /** edit_bfid: changes the owner, or the state (active or deleted) of a record. */
    public BitFileInfo edit(String bfid, String owner, String state) throws SiloException {
        if (state != null && !state.equals("active") && !state.equals("deleted")) {
            throw SiloException.invalid("bit file state must be active or deleted, not '" + state + "'");
        }
        return catalog.tx(c -> {
            BitFileInfo b = get(c, bfid);
            long now = System.currentTimeMillis();
            if (owner != null) {
                Sql.update(c, "UPDATE bit_file SET owner = ?, updated_ms = ? WHERE bfid = ?", owner, now, bfid);
            }
            if (state != null && !state.equals(b.state())) {
                if (state.equals("deleted")) {
                    Sql.update(c, "DELETE FROM ns_entry WHERE bfid = ?", bfid);
                } else {
                    Namespace.createFile(c, NsPath.parse(b.path()), bfid, owner == null ? b.owner() : owner, now);
                }
                Sql.update(c, "UPDATE bit_file SET state = ?, updated_ms = ? WHERE bfid = ?", state, now, bfid);
                Containers.recount(c, "s.bfid = ?", bfid);
            }
            return get(c, bfid);
        });
    }

    /**
     * write_file: what a mover does, in process: next_write_volume, append the bytes to the volume,
     * new_bit_file, append_done. A failure to append is noted against the volume.
     */
    public BitFileInfo write(WriteFile w, String mover) throws SiloException {
        NsPath.parse(w.path());
        byte[] data = w.data() == null ? new byte[0] : w.data();
        if (w.clientRequest() != null) {
            Optional<BitFileInfo> prior =
                    catalog.tx(c -> Sql.one(c, SELECT + " WHERE client_req = ?", FileClerk::row, w.clientRequest()));
            if (prior.isPresent()) {
                return prior.get();
            }
        }
        catalog.tx(c -> {
            Optional<Namespace.Node> there = Namespace.resolve(c, NsPath.parse(w.path()));
            if (there.isPresent()) {
                throw SiloException.of(ErrorCode.EXISTS, NsPath.parse(w.path()) + " already exists");
            }
            return null;
        });
        VolumeInfo v;
        String cookie;
        while (true) {
            v = volumes.nextWriteVolume(new NextWriteVolume(
                    w.library() == null ? "default" : w.library(),
                    w.storageGroup() == null ? "none" : w.storageGroup(),
                    w.fileFamily() == null ? "default" : w.fileFamily(),
                    data.length,
                    mover));
            Backend backend = volumes.backends().get(v.backend());
            backend.startWriter(volumes.nextFile(v.label()));
            try {
                cookie = backend.append(data);
                break;
            } catch (NoSpaceException e) {
                // the volume answered ENOSPC: it is full (with what it really has left), and the next one is tried;
                // each volume fills once, so this ends with a volume that takes the file or NO_SPACE from the clerk
                long free = backend.freeBytes();
                volumes.outOfRoom(v.label(), free, true, mover, "no space left while writing " + w.path());
            } catch (SiloException e) {
                volumes.noteError(v.label(), mover, true, e.getMessage());
                throw e;
            }
        }
        try {
            BitFileInfo b = newBitFile(new NewBitFile(
                    w.clientRequest(), v.label(), cookie, data.length, Checksums.adler32(data), w.path(), w.owner()));
            volumes.appendDone(v.label(), data.length);
            return b;
        } catch (SiloException e) {
            volumes.appendDone(v.label(), data.length); // the bytes are on the volume, recorded or not
            throw e;
        }
    }

    /** read_file: the bytes of the file at {@code path}, checked against its size and checksum. */
    public byte[] read(String path) throws SiloException {
        NsPath p = NsPath.parse(path);
        BitFileInfo b = catalog.tx(c -> {
            Namespace.Node n = Namespace.resolve(c, p).orElseThrow(() -> SiloException.notFound("no such file " + p));
            if (n.bfid() == null) {
                throw SiloException.invalid(p + " is a directory");
            }
            return get(c, n.bfid());
        });
        VolumeInfo v = volumes.inquire(b.volume());
        if (!org.silo.archive.volume.VolumeState.parse(v.state()).readable()) {
            throw SiloException.of(
                    ErrorCode.PERMISSION, "volume " + v.label() + " is " + v.state() + ": " + v.stateReason());
        }
        byte[] data;
        try (InputStream in = volumes.backends().get(v.backend()).open(b.cookie())) {
            data = in.readAllBytes();
        } catch (IOException e) {
            throw SiloException.of(ErrorCode.IO, "cannot read " + p + " from " + v.label() + ": " + e, e);
        }
        if (data.length != b.size() || !Checksums.adler32(data).equals(b.adler32())) {
            throw SiloException.of(
                    ErrorCode.IO, p + " on " + v.label() + " at " + b.cookie() + " does not match its record");
        }
        volumes.updateReadStats(v.label(), data.length);
        return data;
    }

    /**
     * fsck: every live file's bytes exist on its volume at its cookie with its size and checksum (each
     * container read once, each member checked); files on a volume that no record names are warnings.
     */
    public FsckReport fsck() throws SiloException {
        return new Fsck(catalog, volumes).run();
    }

    /**
     * reclaim: on every volume no writer holds (or on {@code label}'s), removes what unfinished writes left
     * and empties the files no record names ({@link Reclaim}).
     */
    public org.silo.archive.ops.FileMessages.ReclaimReport reclaim(String label) throws SiloException {
        return new Reclaim(catalog, volumes).run(label);
    }

    public Map<String, Object> status() throws SiloException {
        return catalog.tx(c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            // files and their extra copies apart (a put of 4 files with --copies 2 is 4 files and 4 copies, not "8
            // files": docs/archive.md)
            m.put(
                    "filesActive",
                    Sql.count(c, "SELECT COUNT(*) FROM bit_file WHERE state = 'active' AND original IS NULL"));
            m.put(
                    "copiesActive",
                    Sql.count(c, "SELECT COUNT(*) FROM bit_file WHERE state = 'active' AND original IS NOT NULL"));
            m.put(
                    "filesDeleted",
                    Sql.count(c, "SELECT COUNT(*) FROM bit_file WHERE state = 'deleted' AND original IS NULL"));
            m.put("bytesActive", Sql.count(c, "SELECT COALESCE(SUM(size), 0) FROM bit_file WHERE state = 'active'"));
            m.put("directories", Sql.count(c, "SELECT COUNT(*) FROM ns_entry WHERE kind = 'd'"));
            return m;
        });
    }

    public static BitFileInfo get(Connection c, String bfid) throws SQLException, SiloException {
        return Sql.one(c, SELECT + " WHERE bfid = ?", FileClerk::row, bfid)
                .orElseThrow(() -> SiloException.notFound("no bit file " + bfid));
    }

    private static final String SELECT =
            "SELECT bfid, volume, cookie, size, adler32, path, owner, state, created_ms, updated_ms FROM bit_file";

    private static BitFileInfo row(ResultSet rs) throws SQLException {
        return new BitFileInfo(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getLong(4),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7),
                rs.getString(8),
                rs.getLong(9),
                rs.getLong(10));
    }
}
