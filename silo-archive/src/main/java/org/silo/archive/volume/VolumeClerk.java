package org.silo.archive.volume;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.ops.VolumeMessages.AddVol;
import org.silo.archive.ops.VolumeMessages.EditVol;
import org.silo.archive.ops.VolumeMessages.ListVols;
import org.silo.archive.ops.VolumeMessages.NextWriteVolume;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * The volume clerk (seed 000's storage server): every volume's record, its state machine, and the
 * choice of the next volume to write. Each method is one catalog transaction.
 */
public final class VolumeClerk {
    /** Failures on this many different movers make a volume noaccess (suspect volume). */
    public static final int SUSPECT_MOVERS = 3;

    public static final String BLANK_FAMILY = "none";
    static final String SYSTEM = "system";

    private final Catalog catalog;
    private final Backends backends;

    public VolumeClerk(Catalog catalog, Backends backends) {
        this.catalog = catalog;
        this.backends = backends;
    }

    public Backends backends() {
        return backends;
    }

    // ---- admin -----------------------------------------------------------------------------------

    public VolumeInfo addvol(AddVol a, String by) throws SiloException {
        String label = name("label", a.label());
        String library = name("library", a.library());
        long capacity = capacity(a.capacity());
        String backend = backends.canonical(a.backend() == null ? "dir:volumes/" + label : a.backend());
        String sg = a.storageGroup() == null ? "none" : name("storage group", a.storageGroup());
        String ff = a.fileFamily() == null ? BLANK_FAMILY : name("file family", a.fileFamily());
        String media =
                a.mediaType() == null ? (backend.startsWith("s3:") ? "s3" : "disk") : name("media type", a.mediaType());
        long now = System.currentTimeMillis();
        return catalog.tx(c -> {
            if (find(c, label).isPresent()) {
                throw SiloException.of(ErrorCode.EXISTS, "volume " + label + " already exists");
            }
            if (Sql.count(c, "SELECT COUNT(*) FROM volume WHERE backend = ?", backend) > 0) {
                throw SiloException.of(ErrorCode.EXISTS, "another volume already uses backend " + backend);
            }
            ensureLibrary(c, library, now);
            Sql.update(
                    c,
                    "INSERT INTO volume (label, library, media_type, backend, capacity, remaining, storage_group,"
                            + " file_family, state, state_by, state_reason, state_ms, created_ms, last_access_ms)"
                            + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    label,
                    library,
                    media,
                    backend,
                    capacity,
                    capacity,
                    sg,
                    ff,
                    "ok",
                    by,
                    "added",
                    now,
                    now,
                    now);
            event(c, label, null, VolumeState.OK, by, "added", now);
            return get(c, label);
        });
    }

    public static void ensureLibrary(Connection c, String library, long now) throws SQLException {
        if (Sql.count(c, "SELECT COUNT(*) FROM library WHERE name = ?", library) == 0) {
            Sql.update(c, "INSERT INTO library (name, created_ms) VALUES (?, ?)", library, now);
        }
    }

    /**
     * delete_vol: refused while the volume holds live files, unless {@code force}: then those files are
     * marked deleted and leave the namespace (their records stay, naming the volume that was).
     */
    public VolumeInfo deleteVol(String label, boolean force, String by) throws SiloException {
        return catalog.tx(c -> {
            VolumeInfo v = lock(c, label);
            long live = Sql.count(c, "SELECT COUNT(*) FROM bit_file WHERE volume = ? AND state = 'active'", label);
            if (live > 0 && !force) {
                throw SiloException.of(
                        ErrorCode.BUSY,
                        "volume " + label + " holds " + live + " live files: delete them first or use --force");
            }
            if (live > 0) {
                Sql.update(
                        c,
                        "DELETE FROM ns_entry WHERE bfid IN (SELECT bfid FROM bit_file WHERE volume = ? AND state = 'active')",
                        label);
                Sql.update(
                        c,
                        "UPDATE bit_file SET state = 'deleted', updated_ms = ? WHERE volume = ? AND state = 'active'",
                        System.currentTimeMillis(),
                        label);
                Containers.recount(c, "s.volume = ?", label);
            }
            Sql.update(c, "DELETE FROM volume WHERE label = ?", label);
            return v;
        });
    }

    public VolumeInfo edit(EditVol e) throws SiloException {
        String by = e.by() == null || e.by().isBlank() ? "admin" : e.by();
        Long capacity = e.capacity() == null ? null : capacity(e.capacity());
        VolumeState to = e.state() == null ? null : VolumeState.parse(e.state());
        if (to != null && (e.reason() == null || e.reason().isBlank())) {
            throw SiloException.invalid("a state change needs a reason (--reason TEXT)");
        }
        String sg = e.storageGroup() == null ? null : name("storage group", e.storageGroup());
        String ff = e.fileFamily() == null ? null : name("file family", e.fileFamily());
        return catalog.tx(c -> {
            VolumeInfo v = lock(c, e.label());
            long now = System.currentTimeMillis();
            if (capacity != null) {
                long used = v.capacity() - v.remaining();
                if (capacity < used) {
                    throw SiloException.invalid(
                            "capacity " + capacity + " is below the " + used + " bytes already on " + v.label());
                }
                Sql.update(
                        c,
                        "UPDATE volume SET capacity = ?, remaining = ? WHERE label = ?",
                        capacity,
                        capacity - used,
                        v.label());
            }
            if (sg != null) {
                Sql.update(c, "UPDATE volume SET storage_group = ? WHERE label = ?", sg, v.label());
            }
            if (ff != null) {
                Sql.update(c, "UPDATE volume SET file_family = ? WHERE label = ?", ff, v.label());
            }
            if (to != null) {
                changeState(c, v, to, by, e.reason(), now);
            }
            return get(c, v.label());
        });
    }

    public List<VolumeInfo> list(ListVols f) throws SiloException {
        StringBuilder sql = new StringBuilder(SELECT + " WHERE 1=1");
        List<Object> args = new ArrayList<>();
        if (f != null && f.library() != null) {
            sql.append(" AND library = ?");
            args.add(f.library());
        }
        if (f != null && f.storageGroup() != null) {
            sql.append(" AND storage_group = ?");
            args.add(f.storageGroup());
        }
        if (f != null && f.state() != null) {
            sql.append(" AND state = ?");
            args.add(VolumeState.parse(f.state()).wireName());
        }
        sql.append(" ORDER BY label");
        return catalog.tx(c -> Sql.list(c, sql.toString(), VolumeClerk::row, args.toArray()));
    }

    public int setFamilyWidth(String family, int width) throws SiloException {
        String ff = name("file family", family);
        if (width < 1) {
            throw SiloException.invalid("file family width must be at least 1, not " + width);
        }
        return catalog.tx(c -> {
            if (Sql.update(c, "UPDATE file_family SET width = ? WHERE name = ?", width, ff) == 0) {
                Sql.update(c, "INSERT INTO file_family (name, width) VALUES (?, ?)", ff, width);
            }
            return width;
        });
    }

    public int setQuota(String library, String storageGroup, int maxVolumes) throws SiloException {
        String lib = name("library", library);
        String sg = name("storage group", storageGroup);
        return catalog.tx(c -> {
            ensureLibrary(c, lib, System.currentTimeMillis());
            Sql.update(c, "DELETE FROM sg_quota WHERE library = ? AND storage_group = ?", lib, sg);
            if (maxVolumes >= 0) {
                Sql.update(
                        c,
                        "INSERT INTO sg_quota (library, storage_group, max_volumes) VALUES (?,?,?)",
                        lib,
                        sg,
                        maxVolumes);
            }
            return maxVolumes;
        });
    }

    // ---- movers ----------------------------------------------------------------------------------

    public VolumeInfo inquire(String label) throws SiloException {
        return catalog.tx(c -> get(c, label));
    }

    /**
     * next_write_volume: a volume of the library, storage group and file family in state ok with room
     * for {@code size} bytes and not being written, marked as being written by the mover. If every such
     * volume is busy, a blank volume of the storage group (file family {@code none}) joins the family,
     * as long as the family has fewer than its width of volumes being written and the storage group is
     * under its quota. Fullest first, so volumes fill up one after another.
     */
    public VolumeInfo nextWriteVolume(NextWriteVolume q) throws SiloException {
        return catalog.tx(c -> nextWriteVolume(c, q));
    }

    /** next_write_volume inside the caller's transaction (the library manager binds a volume with it). */
    public VolumeInfo nextWriteVolume(Connection c, NextWriteVolume q) throws SQLException, SiloException {
        return WriteVolumeChoice.choose(c, catalog, q);
    }

    /** The lowest file number the volume's next file may take ({@link VolumeWriters#nextFile}). */
    public long nextFile(String label) throws SiloException {
        return catalog.tx(c -> VolumeWriters.nextFile(c, label));
    }

    /** set_appending: the mover is appending to the volume; refused unless the volume is ok. */
    public VolumeInfo setAppending(String label, String mover) throws SiloException {
        return catalog.tx(c -> {
            VolumeInfo v = lock(c, label);
            requireWritable(v);
            if (v.writing() != null && !v.writing().equals(mover)) {
                throw SiloException.of(ErrorCode.BUSY, "volume " + label + " is being written by " + v.writing());
            }
            String who = mover == null ? "anonymous" : mover;
            if (!WriteVolumeChoice.startWriting(c, v, who, System.currentTimeMillis())) {
                throw SiloException.of(ErrorCode.BUSY, "volume " + label + " is being written by another mover");
            }
            return get(c, label);
        });
    }

    /** append_done: {@code bytes} were appended; the volume is no longer being written; full if no room is left. */
    public VolumeInfo appendDone(String label, long bytes) throws SiloException {
        if (bytes < 0) {
            throw SiloException.invalid("bytes must not be negative: " + bytes);
        }
        return catalog.tx(c -> {
            VolumeInfo v = lock(c, label);
            long now = System.currentTimeMillis();
            long remaining = Math.max(0, v.remaining() - bytes);
            Sql.update(
                    c,
                    "UPDATE volume SET writing = NULL, remaining = ?, files = files + ?, last_access_ms = ? WHERE label = ?",
                    remaining,
                    bytes > 0 ? 1 : 0,
                    now,
                    label);
            if (remaining == 0 && v.state().equals("ok")) {
                changeState(c, get(c, label), VolumeState.FULL, SYSTEM, "no bytes remaining", now);
            }
            return get(c, label);
        });
    }

    public VolumeInfo updateReadStats(String label, long bytes) throws SiloException {
        return catalog.tx(c -> {
            lock(c, label);
            Sql.update(
                    c,
                    "UPDATE volume SET mounts = mounts + 1, bytes_read = bytes_read + ?, last_access_ms = ? WHERE label = ?",
                    Math.max(0, bytes),
                    System.currentTimeMillis(),
                    label);
            return get(c, label);
        });
    }

    public VolumeInfo setRemainingBytes(String label, long bytes) throws SiloException {
        return catalog.tx(c -> {
            VolumeInfo v = lock(c, label);
            if (bytes < 0 || bytes > v.capacity()) {
                throw SiloException.invalid(
                        "remaining bytes must be between 0 and the capacity " + v.capacity() + ", not " + bytes);
            }
            long now = System.currentTimeMillis();
            Sql.update(c, "UPDATE volume SET remaining = ? WHERE label = ?", bytes, label);
            if (bytes == 0 && v.state().equals("ok")) {
                changeState(c, get(c, label), VolumeState.FULL, SYSTEM, "no bytes remaining", now);
            }
            return get(c, label);
        });
    }

    /**
     * A mover found that the volume has no room for a file: seed 000's set_remaining_bytes, with the
     * bytes the volume's storage can really still take ({@code room}; negative: the mover cannot tell,
     * the catalog's count stands), never more than the catalog counted. The mover's write mark is
     * cleared. With {@code full} (the volume answered ENOSPC), or when no byte remains, an {@code ok} or
     * {@code readonly} volume becomes {@code full}, by the mover, for {@code reason}; a noaccess or hung
     * one keeps its state.
     */
    public VolumeInfo outOfRoom(String label, long room, boolean full, String mover, String reason)
            throws SiloException {
        String by = mover == null || mover.isBlank() ? SYSTEM : mover;
        return catalog.tx(c -> {
            VolumeInfo v = lock(c, label);
            long now = System.currentTimeMillis();
            long remaining = room < 0 ? v.remaining() : Math.min(room, v.remaining());
            Sql.update(
                    c,
                    "UPDATE volume SET remaining = ?, writing = NULL, last_access_ms = ? WHERE label = ?",
                    remaining,
                    now,
                    label);
            VolumeState from = VolumeState.parse(v.state());
            if ((full || remaining == 0) && (from == VolumeState.OK || from == VolumeState.READONLY)) {
                changeState(
                        c,
                        get(c, label),
                        VolumeState.FULL,
                        by,
                        reason == null || reason.isBlank() ? "no bytes remaining" : reason,
                        now);
            }
            return get(c, label);
        });
    }

    /** set_system_readonly, set_hung and the like: a state change by the system, with who and why. */
    public VolumeInfo setState(String label, VolumeState to, String by, String reason) throws SiloException {
        String why = reason == null || reason.isBlank() ? "(no reason given)" : reason;
        return catalog.tx(c -> {
            VolumeInfo v = lock(c, label);
            changeState(c, v, to, by == null || by.isBlank() ? SYSTEM : by, why, System.currentTimeMillis());
            return get(c, label);
        });
    }

    /**
     * note_error: a mover failed on the volume. Once failures since the volume was last set ok come
     * from {@value #SUSPECT_MOVERS} different movers, the volume becomes noaccess (suspect volume).
     */
    public VolumeInfo noteError(String label, String mover, boolean write, String reason) throws SiloException {
        String m = mover == null || mover.isBlank() ? "anonymous" : mover;
        String why = reason == null ? "" : reason;
        return catalog.tx(c -> {
            VolumeInfo v = lock(c, label);
            long now = System.currentTimeMillis();
            Sql.update(
                    c, "INSERT INTO volume_error (label, mover, reason, at_ms) VALUES (?,?,?,?)", label, m, why, now);
            Sql.update(
                    c,
                    "UPDATE volume SET "
                            + (write
                                    ? "write_errors = write_errors + 1, writing = NULL"
                                    : "read_errors = read_errors + 1")
                            + " WHERE label = ?",
                    label);
            List<String> movers = Sql.list(
                    c,
                    "SELECT DISTINCT mover FROM volume_error WHERE label = ? AND at_ms >= ? ORDER BY mover",
                    rs -> rs.getString(1),
                    label,
                    v.state().equals("ok") ? v.stateMs() : 0L);
            if (movers.size() >= SUSPECT_MOVERS && !v.state().equals("noaccess")) {
                changeState(
                        c,
                        get(c, label),
                        VolumeState.NOACCESS,
                        SYSTEM,
                        "suspect volume: failed on " + movers.size() + " different movers " + movers,
                        now);
            }
            return get(c, label);
        });
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static void changeState(Connection c, VolumeInfo v, VolumeState to, String by, String reason, long now)
            throws SQLException, SiloException {
        VolumeState from = VolumeState.parse(v.state());
        if (!from.canBecome(to)) {
            throw SiloException.invalid(
                    "volume " + v.label() + " cannot go from " + from.wireName() + " to " + to.wireName());
        }
        Sql.update(
                c,
                "UPDATE volume SET state = ?, state_by = ?, state_reason = ?, state_ms = ? WHERE label = ?",
                to.wireName(),
                by,
                reason,
                now,
                v.label());
        if (to == VolumeState.OK) {
            Sql.update(c, "DELETE FROM volume_error WHERE label = ?", v.label());
        }
        event(c, v.label(), from, to, by, reason, now);
    }

    private static void event(
            Connection c, String label, VolumeState from, VolumeState to, String by, String reason, long now)
            throws SQLException {
        Sql.update(
                c,
                "INSERT INTO volume_event (label, from_state, to_state, by_whom, reason, at_ms, seq) VALUES (?,?,?,?,?,?,"
                        + "(SELECT COALESCE(MAX(seq), 0) + 1 FROM volume_event WHERE label = ?))",
                label,
                from == null ? null : from.wireName(),
                to.wireName(),
                by,
                reason,
                now,
                label);
    }

    /** The volume's state history, oldest first: "from -> to by WHO: WHY". */
    public List<String> history(String label) throws SiloException {
        return catalog.tx(c -> Sql.list(
                c,
                "SELECT from_state, to_state, by_whom, reason FROM volume_event WHERE label = ? ORDER BY seq, at_ms",
                rs -> rs.getString(1) + " -> " + rs.getString(2) + " by " + rs.getString(3) + ": " + rs.getString(4),
                label));
    }

    static void requireWritable(VolumeInfo v) throws SiloException {
        switch (v.state()) {
            case "ok" -> {}
            case "full" -> throw SiloException.of(ErrorCode.NO_SPACE, "volume " + v.label() + " is full");
            case "readonly" ->
                throw SiloException.of(ErrorCode.READ_ONLY, "volume " + v.label() + " is readonly: " + v.stateReason());
            default ->
                throw SiloException.of(
                        ErrorCode.PERMISSION,
                        "volume " + v.label() + " is " + v.state() + " (" + v.stateBy() + ": " + v.stateReason() + ")");
        }
    }

    private VolumeInfo lock(Connection c, String label) throws SQLException, SiloException {
        return Sql.one(c, SELECT + " WHERE label = ?" + catalog.forUpdate(), VolumeClerk::row, label)
                .orElseThrow(() -> SiloException.notFound("no volume " + label));
    }

    public static VolumeInfo get(Connection c, String label) throws SQLException, SiloException {
        return find(c, label).orElseThrow(() -> SiloException.notFound("no volume " + label));
    }

    static Optional<VolumeInfo> find(Connection c, String label) throws SQLException {
        return Sql.one(c, SELECT + " WHERE label = ?", VolumeClerk::row, label);
    }

    public Map<String, Object> status() throws SiloException {
        return catalog.tx(c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("volumes", Sql.count(c, "SELECT COUNT(*) FROM volume"));
            for (VolumeState s : VolumeState.values()) {
                m.put(
                        "volumes" + Character.toUpperCase(s.wireName().charAt(0))
                                + s.wireName().substring(1),
                        Sql.count(c, "SELECT COUNT(*) FROM volume WHERE state = ?", s.wireName()));
            }
            m.put("capacityBytes", Sql.count(c, "SELECT COALESCE(SUM(capacity), 0) FROM volume"));
            m.put("remainingBytes", Sql.count(c, "SELECT COALESCE(SUM(remaining), 0) FROM volume"));
            m.put("writing", Sql.count(c, "SELECT COUNT(*) FROM volume WHERE writing IS NOT NULL"));
            return m;
        });
    }

    /** A capacity as a person writes it (org.silo.wire.Sizes: 10G, 1.5 TiB, 4096). */
    private static long capacity(String text) throws SiloException {
        try {
            return org.silo.wire.Sizes.parse(text);
        } catch (IllegalArgumentException e) {
            throw SiloException.invalid("capacity " + e.getMessage());
        }
    }

    /** Checks a name (label, library, group, family): 1..64 of letters, digits, '.', '_', '-'. */
    public static String name(String what, String s) throws SiloException {
        if (s == null || s.isBlank()) {
            throw SiloException.invalid("missing " + what);
        }
        if (!s.matches("[A-Za-z0-9._-]{1,64}")) {
            throw SiloException.invalid(
                    "bad " + what + " '" + s.replace("\0", "\\0") + "': use 1 to 64 letters, digits, '.', '_' or '-'");
        }
        return s;
    }

    static final String SELECT =
            "SELECT label, library, media_type, backend, capacity, remaining, storage_group, file_family,"
                    + " state, state_by, state_reason, state_ms, writing, mounts, read_errors, write_errors, files, bytes_read,"
                    + " created_ms, last_access_ms" + Containers.VOLUME_COLUMNS + " FROM volume";

    static VolumeInfo row(ResultSet rs) throws SQLException {
        return new VolumeInfo(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getLong(5),
                rs.getLong(6),
                rs.getString(7),
                rs.getString(8),
                rs.getString(9),
                rs.getString(10),
                rs.getString(11),
                rs.getLong(12),
                rs.getString(13),
                rs.getLong(14),
                rs.getLong(15),
                rs.getLong(16),
                rs.getLong(17),
                rs.getLong(18),
                rs.getLong(19),
                rs.getLong(20),
                rs.getLong(21),
                rs.getLong(22));
    }
}
