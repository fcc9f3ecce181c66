package org.silo.archive.lm;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.cluster.ServerRoster;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.MoverHello;
import org.silo.archive.ops.LibraryMessages.MoverInfo;
import org.silo.archive.ops.LibraryMessages.Progress;
import org.silo.archive.ops.LibraryMessages.ProgressAck;
import org.silo.archive.ops.LibraryMessages.Unbind;
import org.silo.archive.volume.VolumeClerk;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The movers the library manager knows: each one's row of the catalog's {@code mover} table (name,
 * library, state, bound volume, statistics) and, in memory, when it last spoke and what it is doing
 * ({@link Live}: idle_mover, have_bound_volume and mover_progress keep it fresh). A mover that is silent
 * for longer than {@link LibrarySettings#moverTimeoutMs} goes offline (the reaper): its binding and its requests
 * are given back to the queue, as they are on unilateral_unbind and kill_binding.
 */
final class MoverRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MoverRegistry.class);

    /** What the library manager knows of a mover between catalog writes: when it last spoke, what it is doing. */
    static final class Live {
        volatile String name;
        volatile long seenMs;
        volatile String state = "idle";
        volatile String volume;
        volatile long job;
        volatile long bytesDone;
        volatile long bytesTotal;
        volatile double rate;
        volatile boolean unbind;
        /** Found stuck in its job by {@link HungMovers}: shown {@code hung} until it speaks again (idle_mover, have_bound_volume). */
        volatile boolean hung;

        volatile String persisted = "";
        /** Whose request the mover was given last (fair share: {@code Scheduler}). */
        volatile String lastOwner;
        /** The request kinds the mover does; null: all. */
        volatile Set<String> kinds;

        boolean takes(String kind) {
            Set<String> k = kinds;
            return k == null || k.contains(kind);
        }
    }

    private final Catalog catalog;
    private final LibrarySettings settings;
    private final Scheduler scheduler;
    private final JobsToStop stops;
    private final OperatorMounts mounts;
    private final WorkSignal signal;
    private final Map<String, Live> live = new ConcurrentHashMap<>();

    /** The address this server is known by in the catalog's server roster, written on each mover it holds. */
    private volatile String server;

    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "library-manager-reaper");
        t.setDaemon(true);
        return t;
    });

    MoverRegistry(
            Catalog catalog,
            LibrarySettings settings,
            Scheduler scheduler,
            JobsToStop stops,
            OperatorMounts mounts,
            WorkSignal signal)
            throws SiloException {
        this.catalog = catalog;
        this.settings = settings;
        this.scheduler = scheduler;
        this.stops = stops;
        this.mounts = mounts;
        this.signal = signal;
        long now = System.currentTimeMillis();
        // movers known before a restart get one timeout to speak up before their requests are given away
        catalog.tx(c -> {
            for (MoverRow m : Sql.list(c, MOVER_SELECT + " WHERE state <> 'offline'", MoverRegistry::moverRow)) {
                Live l = new Live();
                l.name = m.name;
                l.seenMs = now;
                l.state = m.state;
                l.volume = m.volume;
                l.persisted = m.state + "|" + m.volume;
                live.put(m.id, l);
            }
            return null;
        });
        long period = Math.max(100, Math.min(1000, settings.moverTimeoutMs() / 2));
        reaper.scheduleWithFixedDelay(this::reap, period, period, TimeUnit.MILLISECONDS);
    }

    /** What is known in memory of the mover with this id; null if it has not spoken since the library manager started. */
    Live live(String moverId) {
        return live.get(moverId);
    }

    /**
     * The mover speaks (hello, idle_mover, have_bound_volume): it is seen now, in {@code state} with
     * {@code volume} bound; its catalog row is made on first contact (with a unique name) and written
     * only when its state or volume changed.
     */
    /** Names this server in every mover row it writes from now on (ServerRoster's address). */
    void servedAt(String address) {
        server = address;
        live.values().forEach(l -> l.persisted = ""); // each row is written again, with it, at its next ask
    }

    Live register(MoverHello h, String state, String volume) throws SiloException {
        if (h.id() == null || !h.id().matches("[A-Za-z0-9._-]{1,64}")) {
            throw SiloException.invalid("a mover id is 1 to 64 of A-Z a-z 0-9 . _ -, not '" + h.id() + "'");
        }
        String lib = VolumeClerk.name("library", h.library() == null ? "default" : h.library());
        long now = System.currentTimeMillis();
        Live l = live.computeIfAbsent(h.id(), k -> new Live());
        l.seenMs = now;
        l.hung = false; // it asks for work again: out of its stuck call
        l.kinds = h.kinds() == null ? null : Set.copyOf(h.kinds());
        String key = state + "|" + volume;
        if (l.name == null || !key.equals(l.persisted) || l.state.equals("offline")) {
            String media = h.mediaTypes() == null ? "" : String.join(",", h.mediaTypes());
            String host = h.host() == null ? "" : Requests.cut(h.host(), 256);
            l.name = catalog.tx(c -> {
                Optional<MoverRow> m = Sql.one(c, MOVER_SELECT + " WHERE id = ?", MoverRegistry::moverRow, h.id());
                if (m.isPresent()) {
                    Sql.update(
                            c,
                            "UPDATE mover SET library = ?, media_types = ?, host = ?, state = ?, volume = ?, seen_ms = ?,"
                                    + " server = ? WHERE id = ?",
                            lib,
                            media,
                            host,
                            state,
                            volume,
                            now,
                            server,
                            h.id());
                    return m.get().name;
                }
                String name = h.name() == null || h.name().isBlank()
                        ? "mover-" + h.id().substring(0, Math.min(8, h.id().length()))
                        : h.name();
                if (Sql.count(c, "SELECT COUNT(*) FROM mover WHERE name = ?", name) > 0) {
                    name = name + "-" + h.id().substring(0, Math.min(8, h.id().length()));
                }
                Sql.update(
                        c,
                        "INSERT INTO mover (id, name, library, media_types, host, state, volume, created_ms, seen_ms,"
                                + " server) VALUES (?,?,?,?,?,?,?,?,?,?)",
                        h.id(),
                        name,
                        lib,
                        media,
                        host,
                        state,
                        volume,
                        now,
                        now,
                        server);
                return name;
            });
            l.persisted = key;
        }
        l.state = state;
        l.volume = volume;
        return l;
    }

    /** mover_progress: the mover's heartbeat while it moves bytes; cancel if its job was killed or given away. */
    ProgressAck progress(Progress p) {
        Live l = live.get(p.moverId());
        if (l == null) {
            return new ProgressAck(true);
        }
        l.seenMs = System.currentTimeMillis();
        l.state = p.state();
        l.bytesDone = p.bytesDone();
        l.bytesTotal = p.bytesTotal();
        l.rate = p.bytesPerSecond();
        return new ProgressAck(stops.mustStop(p.job(), p.moverId()));
    }

    /**
     * The mover's name: as this server knows it, else as the catalog has it (null if neither does). A
     * remote mover that moved here from a server that died reports the end of its job there, or unbinds,
     * before its next idle_mover registers it here; a volume's write mark names the mover by name, and one
     * released under any other name (its id) stayed set: the volume looked written by it for ever, its file
     * family's width taken, and the queue never drained (HostMoversIT).
     */
    String nameOf(String moverId) {
        Live l = live.get(moverId);
        if (l != null && l.name != null) {
            return l.name;
        }
        try {
            return catalog.tx(c -> Sql.one(c, "SELECT name FROM mover WHERE id = ?", rs -> rs.getString(1), moverId))
                    .orElse(null);
        } catch (SiloException | RuntimeException e) {
            log.warn("cannot look up the name of mover {}: {}", moverId, e.getMessage());
            return null;
        }
    }

    /** unilateral_unbind: the mover gives up its volume; whatever it had running goes back to the queue. */
    void unbind(Unbind u) throws SiloException {
        Live l = live.get(u.moverId());
        String name = nameOf(u.moverId()); // not only l's: a mover that moved here is not live here yet
        catalog.tx(c -> {
            scheduler.requeue(c, u.moverId(), name, false);
            Sql.update(
                    c,
                    "UPDATE mover SET volume = NULL, state = 'idle', seen_ms = ? WHERE id = ?",
                    System.currentTimeMillis(),
                    u.moverId());
            return null;
        });
        if (l != null) {
            l.volume = null;
            l.job = 0;
            l.state = "idle";
            l.persisted = "idle|null";
        }
        signal.wake();
    }

    /** kill_binding: the mover's running requests go back to the queue and it is told to unbind. */
    MoverInfo killBinding(String mover) throws SiloException {
        MoverRow m = catalog.tx(c -> findMover(c, mover));
        Live l = live.get(m.id);
        catalog.tx(c -> {
            scheduler.requeue(c, m.id, m.name, true);
            Sql.update(c, "UPDATE mover SET volume = NULL, state = 'idle' WHERE id = ?", m.id);
            return null;
        });
        if (l != null) {
            l.unbind = true;
            l.job = 0;
        }
        signal.wake();
        return mover(m.id);
    }

    /**
     * Movers silent for longer than the timeout lose their binding; their requests go to other movers. Only
     * a mover the catalog says is connected here (or to no server, or to one that is not up) is this
     * server's to release: a mover that speaks to another server of the catalog is that server's business,
     * however long it has been silent here. The movers of a server that is no longer up are released too.
     */
    void reap() {
        long now = System.currentTimeMillis();
        for (Map.Entry<String, Live> e : live.entrySet()) {
            Live l = e.getValue();
            if (l.state.equals("offline") || now - l.seenMs <= settings.moverTimeoutMs()) {
                continue;
            }
            try {
                boolean released = catalog.tx(c -> {
                    if (!ours(c, e.getKey(), now)) {
                        return false;
                    }
                    scheduler.requeue(c, e.getKey(), l.name, true);
                    Sql.update(c, "UPDATE mover SET state = 'offline', volume = NULL WHERE id = ?", e.getKey());
                    return true;
                });
                if (!released) {
                    live.remove(e.getKey(), l); // connected to another server: not known here any more
                    continue;
                }
                log.warn(
                        "mover {} ({}) silent for {} ms: offline, its binding to {} and its requests released",
                        l.name,
                        e.getKey(),
                        now - l.seenMs,
                        l.volume);
                l.state = "offline";
                l.persisted = "offline|null";
                mounts.forget(e.getKey());
                l.volume = null;
                l.job = 0;
                signal.wake();
            } catch (SiloException | RuntimeException ex) {
                log.warn("cannot release mover {}: {}", l.name, ex.getMessage());
            }
        }
        String me = server;
        if (me != null && catalog.engine() == Catalog.Engine.POSTGRESQL) { // SQLite: one server
            releaseOrphans(me, now);
        }
    }

    /**
     * Whether the mover is this server's to release: its row (locked) names this server, none, or a server
     * that is not up. A mover that registered with another server meanwhile is not.
     */
    private boolean ours(Connection c, String moverId, long now) throws SQLException {
        if (catalog.engine() == Catalog.Engine.SQLITE) {
            return true; // one server: a row naming another address is this server's from before a restart
        }
        Optional<String> at = Sql.one(
                c, "SELECT server FROM mover WHERE id = ?" + catalog.forUpdate(), rs -> rs.getString(1), moverId);
        String me = server;
        if (at.isEmpty() || at.get() == null || me == null || at.get().equals(me)) {
            return true;
        }
        return !ServerRoster.up(c, at.get(), now);
    }

    /**
     * The movers of servers that are no longer up (killed, or stopped while their movers held work): their
     * bindings and requests go back to the queue, from whichever server finds them first.
     */
    private void releaseOrphans(String me, long now) {
        try {
            List<String[]> orphans = catalog.tx(c -> {
                List<String[]> out = new ArrayList<>();
                for (String[] m : Sql.list(
                        c,
                        "SELECT id, name, server FROM mover WHERE state <> 'offline' AND server IS NOT NULL"
                                + " AND server <> ?",
                        rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)},
                        me)) {
                    if (!ServerRoster.up(c, m[2], now)) {
                        out.add(m);
                    }
                }
                return out;
            });
            for (String[] m : orphans) {
                boolean released = catalog.tx(c -> {
                    if (!ours(c, m[0], now)) {
                        return false; // it registered with a server that is up meanwhile
                    }
                    scheduler.requeue(c, m[0], m[1], true);
                    Sql.update(c, "UPDATE mover SET state = 'offline', volume = NULL WHERE id = ?", m[0]);
                    return true;
                });
                if (released) {
                    log.warn(
                            "mover {} ({}) was connected to server {}, which is not up: its binding and its"
                                    + " requests released",
                            m[1],
                            m[0],
                            m[2]);
                    Live l = live.get(m[0]);
                    if (l != null) {
                        l.state = "offline";
                        l.persisted = "offline|null";
                        l.volume = null;
                        l.job = 0;
                    }
                    signal.wake();
                }
            }
        } catch (SiloException | RuntimeException ex) {
            log.warn("cannot release the movers of servers that are not up: {}", ex.getMessage());
        }
    }

    /** mover_ls: every mover the catalog knows, with its live state. */
    List<MoverInfo> movers() throws SiloException {
        List<MoverRow> rows = catalog.tx(c -> Sql.list(c, MOVER_SELECT + " ORDER BY name", MoverRegistry::moverRow));
        List<MoverInfo> out = new ArrayList<>();
        for (MoverRow m : rows) {
            out.add(m.info(live.get(m.id)));
        }
        return out;
    }

    MoverInfo mover(String idOrName) throws SiloException {
        MoverRow m = catalog.tx(c -> findMover(c, idOrName));
        return m.info(live.get(m.id));
    }

    /** mover_name: an administrator names a mover (unique; 1 to 64 of A-Z a-z 0-9 . _ -). */
    MoverInfo rename(String mover, String name) throws SiloException {
        String n = VolumeClerk.name("mover name", name);
        MoverRow m = catalog.tx(c -> {
            MoverRow found = findMover(c, mover);
            Optional<String> other =
                    Sql.one(c, "SELECT id FROM mover WHERE name = ? AND id <> ?", rs -> rs.getString(1), n, found.id);
            if (other.isPresent()) {
                throw SiloException.of(ErrorCode.EXISTS, "mover " + other.get() + " is already named " + n);
            }
            Sql.update(c, "UPDATE mover SET name = ? WHERE id = ?", n, found.id);
            Sql.update(c, "UPDATE volume SET writing = ? WHERE writing = ?", n, found.name);
            return found;
        });
        Live l = live.get(m.id);
        if (l != null) {
            l.name = n;
        }
        mounts.rename(m.id, n);
        return mover(m.id);
    }

    /** Stops the reaper. */
    @Override
    /** Stops the reaper, waiting for a reaping under way, so that the catalog can be closed after it. */
    public void close() {
        reaper.shutdown();
        try {
            if (!reaper.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
                reaper.shutdownNow();
            }
        } catch (InterruptedException e) {
            reaper.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static MoverRow findMover(Connection c, String idOrName) throws SQLException, SiloException {
        return Sql.one(c, MOVER_SELECT + " WHERE id = ? OR name = ?", MoverRegistry::moverRow, idOrName, idOrName)
                .orElseThrow(() -> SiloException.notFound("no mover " + idOrName));
    }

    static final String MOVER_SELECT =
            "SELECT id, name, library, media_types, host, state, volume, bytes, files, errors, mounts,"
                    + " seen_ms FROM mover";

    /** A row of the catalog's {@code mover} table, as {@link #MOVER_SELECT} reads it. */
    record MoverRow(
            String id,
            String name,
            String library,
            String mediaTypes,
            String host,
            String state,
            String volume,
            long bytes,
            long files,
            long errors,
            long mounts,
            long seenMs) {
        MoverInfo info(Live l) {
            List<String> media = mediaTypes.isEmpty() ? List.of() : List.of(mediaTypes.split(","));
            if (l == null) {
                return new MoverInfo(
                        id, name, library, media, host, state, volume, 0, 0, 0, 0, bytes, files, errors, mounts,
                        seenMs);
            }
            return new MoverInfo(
                    id,
                    name,
                    library,
                    media,
                    host,
                    l.hung ? LibraryMessages.MOVER_HUNG : l.state,
                    l.volume,
                    l.job,
                    l.bytesDone,
                    l.bytesTotal,
                    l.rate,
                    bytes,
                    files,
                    errors,
                    mounts,
                    l.seenMs);
        }
    }

    private static MoverRow moverRow(ResultSet rs) throws SQLException {
        return new MoverRow(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7),
                rs.getLong(8),
                rs.getLong(9),
                rs.getLong(10),
                rs.getLong(11),
                rs.getLong(12));
    }
}
