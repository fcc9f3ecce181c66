package org.silo.archive.lm;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.lm.MoverRegistry.Live;
import org.silo.archive.lm.Requests.Req;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.Job;
import org.silo.archive.ops.LibraryMessages.Target;
import org.silo.archive.ops.LibraryMessages.Work;
import org.silo.archive.ops.VolumeMessages.NextWriteVolume;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.archive.volume.VolumeClerk;
import org.silo.archive.volume.VolumeState;
import org.silo.archive.volume.VolumeWriters;
import org.silo.wire.BusyException;
import org.silo.wire.NoSpaceException;
import org.silo.wire.NotFoundException;
import org.silo.wire.SiloException;

/**
 * Which queued request a mover gets, in one catalog transaction (on PostgreSQL the queued rows are read
 * {@code FOR UPDATE SKIP LOCKED}, so that several library managers may share one queue):
 *
 * <ul>
 * <li>idle_mover: bind_volume with the first request that fits, by fair share (the storage group with
 *     the fewest requests active first), then priority, then age; a read, copy or verify from its
 *     volume if no other mover has it bound, a write to the volume next_write_volume chooses. Else
 *     nowork, after waiting up to {@link LibrarySettings#pollWaitMs} for the queue to change;
 * <li>have_bound_volume: every waiting read of the bound volume, then the writes that fit it, before
 *     unbind_volume.
 * </ul>
 *
 * Priority is Enstore's aging ({@link #effective}). A request given to a mover is {@code active}, and
 * goes back to the queue ({@link #requeue}) when its mover loses it.
 */
final class Scheduler {
    private final Catalog catalog;
    private final VolumeClerk volumes;
    private final LibrarySettings settings;
    private final JobsToStop stops;
    private final WorkSignal signal;
    private final VolumeJobs volumeJobs;
    private final NoRoom noRoom;

    Scheduler(
            Catalog catalog,
            VolumeClerk volumes,
            LibrarySettings settings,
            JobsToStop stops,
            WorkSignal signal,
            VolumeJobs volumeJobs,
            NoRoom noRoom) {
        this.catalog = catalog;
        this.volumes = volumes;
        this.settings = settings;
        this.stops = stops;
        this.signal = signal;
        this.volumeJobs = volumeJobs;
        this.noRoom = noRoom;
    }

    /** idle_mover: nowork, or bind_volume with the volume and its first job. Waits up to pollWaitMs for work. */
    Work idleMover(String moverId, Live l) throws SiloException {
        l.unbind = false;
        long deadline = System.currentTimeMillis() + settings.pollWaitMs();
        while (true) {
            long gen = signal.generation();
            Work w = catalog.tx(c -> bindNext(c, moverId, l));
            if (!w.action().equals(LibraryMessages.NOWORK)) {
                return w;
            }
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return w;
            }
            try {
                signal.awaitWake(gen, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return w;
            }
        }
    }

    /**
     * have_bound_volume: the next read of the volume, else a write that fits it, else unbind_volume. Fair
     * share among users: while another user waits with nothing running, the volume serves only that user's
     * requests; if it has none of them, the mover unbinds, so that the next idle_mover goes to that user (a
     * user with a thousand batches queued on one volume does not keep another's one file waiting).
     */
    Work haveBoundVolume(String moverId, String label, Live l) throws SiloException {
        return catalog.tx(c -> {
            long now = System.currentTimeMillis();
            VolumeInfo v = VolumeClerk.get(c, label);
            if (!l.unbind) {
                Map<String, Long> byOwner = activeByOwner(c, v.library());
                Set<String> starving = waitingOwners(c, v.library(), byOwner);
                starving.remove(l.lastOwner); // the user this volume just served is not the one kept waiting
                List<Req> reads = Sql.list(
                        c,
                        Requests.SELECT + " WHERE volume = ? AND kind <> 'write' AND state = 'queued'"
                                + " AND merged_into IS NULL ORDER BY id" + skipLocked(),
                        Requests::row,
                        label);
                for (Req r : byPriority(c, reads, Map.of(), byOwner, now)) {
                    if (!r.avoids(moverId, l.name)
                            && l.takes(r.kind())
                            && VolumeState.parse(v.state()).readable()
                            && (starving.isEmpty() || starving.contains(r.owner()))) {
                        VolumeInfo target = null;
                        if (needsTarget(r)
                                && (target = volumeJobs.copyTarget(c, r, busyVolumes(c, moverId), l.name)) == null) {
                            continue;
                        }
                        return new Work(
                                LibraryMessages.READ_FROM_HSM,
                                label,
                                v.backend(),
                                activate(c, r, moverId, l, v, false, target));
                    }
                }
                if (v.state().equals("ok") && v.writing() == null && l.takes(LibraryMessages.KIND_WRITE)) {
                    List<Req> writes = Sql.list(
                            c,
                            Requests.SELECT + " WHERE library = ? AND storage_group = ? AND file_family = ?"
                                    + " AND kind = 'write' AND state = 'queued' AND size <= ? ORDER BY id"
                                    + skipLocked(),
                            Requests::row,
                            v.library(),
                            v.storageGroup(),
                            v.fileFamily(),
                            v.remaining());
                    for (Req r : byPriority(c, writes, Map.of(), byOwner, now)) {
                        if (!r.avoids(moverId, l.name) && (starving.isEmpty() || starving.contains(r.owner()))) {
                            if (!VolumeWriters.claimWithinWidth(c, catalog, v, l.name, now)) {
                                break; // another mover (of any server) writes it now, or the family's width is taken
                            }
                            return new Work(
                                    LibraryMessages.WRITE_TO_HSM,
                                    label,
                                    v.backend(),
                                    activate(c, r, moverId, l, v, false, null));
                        }
                    }
                }
            }
            l.unbind = false;
            l.volume = null;
            l.state = "dismounting";
            Sql.update(c, "UPDATE mover SET volume = NULL, state = 'idle', seen_ms = ? WHERE id = ?", now, moverId);
            l.persisted = "idle|null";
            return new Work(LibraryMessages.UNBIND_VOLUME, label, v.backend(), null);
        });
    }

    /** Requests running per owner in the library. */
    private static Map<String, Long> activeByOwner(Connection c, String library) throws SQLException {
        Map<String, Long> out = new HashMap<>();
        for (var row : Sql.list(
                c,
                "SELECT owner, COUNT(*) FROM request WHERE library = ? AND state = 'active' GROUP BY owner",
                rs -> Map.entry(rs.getString(1), rs.getLong(2)),
                library)) {
            out.put(row.getKey(), row.getValue());
        }
        return out;
    }

    /** Owners with requests queued in the library and none running: they wait for a mover. */
    private static Set<String> waitingOwners(Connection c, String library, Map<String, Long> active)
            throws SQLException {
        Set<String> out = new HashSet<>(Sql.list(
                c,
                "SELECT DISTINCT owner FROM request WHERE library = ? AND state = 'queued'"
                        + " AND merged_into IS NULL",
                rs -> rs.getString(1),
                library));
        out.removeAll(active.keySet());
        return out;
    }

    private Work bindNext(Connection c, String moverId, Live l) throws SQLException, SiloException {
        String lib = Sql.one(c, "SELECT library FROM mover WHERE id = ?", rs -> rs.getString(1), moverId)
                .orElse("default");
        long now = System.currentTimeMillis();
        if (l.job != 0
                || Sql.count(c, "SELECT COUNT(*) FROM request WHERE state = 'active' AND mover = ?", moverId) > 0) {
            // an idle mover runs nothing: what it had (it restarted, or lost our answer) goes back to the queue
            requeue(c, moverId, l.name, false);
            l.job = 0;
        }
        List<Req> queued = Sql.list(
                c,
                Requests.SELECT + " WHERE library = ? AND state = 'queued' AND merged_into IS NULL ORDER BY id"
                        + skipLocked(),
                Requests::row,
                lib);
        if (queued.isEmpty()) {
            return new Work(LibraryMessages.NOWORK, null, null, null);
        }
        Set<String> busy = busyVolumes(c, moverId);
        Map<String, Long> activeBySg = new HashMap<>();
        for (var row : Sql.list(
                c,
                "SELECT storage_group, COUNT(*) FROM request WHERE library = ? AND state = 'active'"
                        + " GROUP BY storage_group",
                rs -> Map.entry(rs.getString(1), rs.getLong(2)),
                lib)) {
            activeBySg.put(row.getKey(), row.getValue());
        }
        for (Req r : byPriority(c, queued, activeBySg, activeByOwner(c, lib), now)) {
            if (r.avoids(moverId, l.name) || !l.takes(r.kind())) {
                continue;
            }
            if (!r.kind().equals(LibraryMessages.KIND_WRITE)) { // read, copy, verify: from the request's volume
                if (busy.contains(r.volume())) {
                    continue;
                }
                VolumeInfo v = VolumeClerk.get(c, r.volume());
                if (catalog.engine() == Catalog.Engine.POSTGRESQL && boundMeanwhile(c, v.label(), moverId)) {
                    busy.add(v.label());
                    continue;
                }
                if (!VolumeState.parse(v.state()).readable()) {
                    Sql.update(
                            c,
                            "UPDATE request SET state = 'failed', error = ?, updated_ms = ? WHERE id = ? OR merged_into = ?",
                            "volume " + v.label() + " is " + v.state() + ": " + v.stateReason(),
                            now,
                            r.id(),
                            r.id());
                    continue;
                }
                VolumeInfo target = null;
                if (needsTarget(r) && (target = volumeJobs.copyTarget(c, r, busy, l.name)) == null) {
                    continue;
                }
                return new Work(
                        LibraryMessages.BIND_VOLUME,
                        v.label(),
                        v.backend(),
                        activate(c, r, moverId, l, v, true, target));
            }
            VolumeInfo v;
            try {
                v = volumes.nextWriteVolume(
                        c, new NextWriteVolume(r.library(), r.storageGroup(), r.fileFamily(), r.size(), l.name));
            } catch (BusyException | NoSpaceException | NotFoundException e) {
                noRoom.noVolume(c, r, e, now);
                continue;
            }
            return new Work(
                    LibraryMessages.BIND_VOLUME, v.label(), v.backend(), activate(c, r, moverId, l, v, true, null));
        }
        return new Work(LibraryMessages.NOWORK, null, null, null);
    }

    /**
     * Whether the request writes to a volume besides its own: a copy, or a repack with live files to move
     * (one whose target is named keeps it; a repack with nothing alive only frees containers).
     */
    private static boolean needsTarget(Req r) {
        return r.kind().equals(LibraryMessages.KIND_COPY)
                || (r.kind().equals(LibraryMessages.KIND_REPACK) && r.size() > 0);
    }

    /**
     * Whether another server's scheduler bound the volume since {@code busy} was read: its row is locked
     * (a scheduler binding it at this moment has committed once the lock is ours), then the bindings are
     * read again. PostgreSQL only: SQLite's transactions run one at a time.
     */
    private static boolean boundMeanwhile(Connection c, String label, String moverId) throws SQLException {
        Sql.one(c, "SELECT label FROM volume WHERE label = ? FOR UPDATE", rs -> rs.getString(1), label);
        return busyVolumes(c, moverId).contains(label);
    }

    /** Volumes other movers have bound, or that running requests use (as source or copy target). */
    private static Set<String> busyVolumes(Connection c, String moverId) throws SQLException {
        Set<String> busy = new HashSet<>(Sql.list(
                c, "SELECT volume FROM mover WHERE volume IS NOT NULL AND id <> ?", rs -> rs.getString(1), moverId));
        busy.addAll(Sql.list(
                c, "SELECT volume FROM request WHERE state = 'active' AND volume IS NOT NULL", rs -> rs.getString(1)));
        busy.addAll(Sql.list(
                c, "SELECT target FROM request WHERE state = 'active' AND target IS NOT NULL", rs -> rs.getString(1)));
        return busy;
    }

    /** Gives the request (and the reads merged into it) to the mover, on volume {@code v}: the job the mover is sent. */
    private Job activate(Connection c, Req r, String moverId, Live l, VolumeInfo v, boolean mount, VolumeInfo target)
            throws SQLException, SiloException {
        long now = System.currentTimeMillis();
        if (target != null) { // claimed as the target's writer by copyTarget
            Sql.update(c, "UPDATE request SET target = ? WHERE id = ?", target.label(), r.id());
        }
        Sql.update(
                c,
                "UPDATE request SET state = 'active', mover = ?, volume = ?, attempts = attempts + 1, error = NULL, updated_ms = ?"
                        + " WHERE id = ? OR (merged_into = ? AND state = 'queued')",
                moverId,
                v.label(),
                now,
                r.id(),
                r.id());
        Sql.update(
                c,
                "UPDATE mover SET state = 'active', volume = ?, mounts = mounts + ?, seen_ms = ? WHERE id = ?",
                v.label(),
                mount ? 1 : 0,
                now,
                moverId);
        stops.givenTo(r.id(), moverId); // given back to the mover that lost it: its progress counts again
        served(c, r.owner());
        l.lastOwner = r.owner();
        l.persisted = "active|" + v.label();
        l.state = "active";
        l.volume = v.label();
        l.job = r.id();
        l.bytesDone = 0;
        l.bytesTotal = r.size();
        List<Target> targets = Sql.list(
                c,
                "SELECT id, callback, token FROM request WHERE (id = ? OR merged_into = ?) AND state = 'active'"
                        + " ORDER BY id",
                rs -> new Target(rs.getLong(1), rs.getString(2), rs.getString(3)),
                r.id(),
                r.id());
        String changer = Sql.one(c, "SELECT changer FROM library WHERE name = ?", rs -> rs.getString(1), v.library())
                .orElse("none");
        List<LibraryMessages.FileRef> files = null;
        if (r.kind().equals(LibraryMessages.KIND_WRITE) || r.kind().equals(LibraryMessages.KIND_READ)) {
            files = GroupCommits.queuedFiles(
                    c, r); // the files not yet done: a request given to a second mover goes on where it was
        }
        if (r.kind().equals(LibraryMessages.KIND_VERIFY)) {
            files = Sql.list(
                    c,
                    "SELECT bfid, cookie, size, adler32, hash FROM bit_file WHERE volume = ? AND state = 'active' ORDER BY cookie",
                    rs -> new LibraryMessages.FileRef(
                            rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5)),
                    v.label());
        }
        if (r.kind().equals(LibraryMessages.KIND_REPACK)) {
            files = Repacks.files(c, v.label());
        }
        if (r.kind().equals(LibraryMessages.KIND_COPY)
                && r.bfid() == null) { // a container's copy: its live members, to check
            files = Sql.list(
                    c,
                    "SELECT bfid, cookie, size, adler32, hash FROM bit_file WHERE volume = ? AND container = ? AND state = 'active'",
                    rs -> new LibraryMessages.FileRef(
                            rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5)),
                    v.label(),
                    r.cookie());
        }
        if (r.kind().equals(LibraryMessages.KIND_COPY)
                || r.kind().equals(LibraryMessages.KIND_VERIFY)
                || r.kind().equals(LibraryMessages.KIND_REPACK)) {
            targets = List.of();
        }
        return new Job(
                r.id(),
                r.kind(),
                v.label(),
                v.backend(),
                r.bfid(),
                r.cookie(),
                r.path(),
                r.size(),
                r.adler32(),
                r.verify(),
                targets,
                l.name,
                changer,
                r.hash(),
                target == null ? null : target.label(),
                target == null ? null : target.backend(),
                files,
                settings.aggregation(),
                target != null
                        ? VolumeWriters.nextFile(c, target.label())
                        : r.kind().equals(LibraryMessages.KIND_WRITE) ? VolumeWriters.nextFile(c, v.label()) : 0);
    }

    /** Puts the mover's running requests back in the queue (avoiding it if {@code avoidIt}) and releases its write marks. */
    void requeue(Connection c, String moverId, String moverName, boolean avoidIt) throws SQLException {
        long now = System.currentTimeMillis();
        List<Req> running =
                Sql.list(c, Requests.SELECT + " WHERE state = 'active' AND mover = ?", Requests::row, moverId);
        for (Req r : running) {
            Requests.requeue(c, r, avoidIt ? moverId : null, "mover " + moverName + " gave it up", now);
            stops.takenFrom(r.id(), moverId);
        }
        if (moverName != null) {
            Sql.update(c, "UPDATE volume SET writing = NULL WHERE writing = ?", moverName);
        }
    }

    /**
     * The order requests are given out in: the storage group with the fewest requests running first, then
     * the owner with the fewest running, then the owner served longest ago (fair share among groups, then
     * users, taking turns), then the highest effective priority, then the oldest.
     */
    private List<Req> byPriority(
            Connection c, List<Req> rows, Map<String, Long> activeBySg, Map<String, Long> activeByOwner, long now)
            throws SQLException {
        if (rows.isEmpty()) {
            return rows;
        }
        Map<String, Long> lastServed = new HashMap<>();
        for (var row :
                Sql.list(c, "SELECT owner, turn FROM owner_turn", rs -> Map.entry(rs.getString(1), rs.getLong(2)))) {
            lastServed.put(row.getKey(), row.getValue());
        }
        List<Req> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.<Req>comparingLong(r -> activeBySg.getOrDefault(r.storageGroup(), 0L))
                .thenComparingLong(r -> activeByOwner.getOrDefault(r.owner(), 0L))
                .thenComparingLong(r -> lastServed.getOrDefault(r.owner(), 0L))
                .thenComparing(
                        Comparator.<Req>comparingInt(r -> effective(r, now)).reversed())
                .thenComparingLong(r -> r.createdMs())
                .thenComparingLong(r -> r.id()));
        return sorted;
    }

    /**
     * The owner was given a request: its turn is the catalog's next, so that the servers sharing a catalog
     * take turns among users together (two transactions at once may draw the same turn: a tie, which
     * priority and age then break).
     */
    private static void served(Connection c, String owner) throws SQLException {
        long turn = Sql.one(c, "SELECT COALESCE(MAX(turn), 0) + 1 FROM owner_turn", rs -> rs.getLong(1))
                .orElse(1L);
        Sql.update(
                c,
                "INSERT INTO owner_turn (owner, turn) VALUES (?, ?) ON CONFLICT (owner) DO UPDATE SET turn = excluded.turn",
                owner,
                turn);
    }

    /** Enstore's curpri: basepri + delpri * floor(age / agetime), capped; an admin priority wins. */
    int effective(Req r, long now) {
        if (r.adminPri() != null) {
            return r.adminPri();
        }
        long steps = settings.ageTimeMs() <= 0 ? 0 : Math.max(0, now - r.createdMs()) / settings.ageTimeMs();
        return (int) Math.min(settings.maxPri(), r.basePri() + steps * settings.deltaPri());
    }

    private String skipLocked() {
        return catalog.engine() == Catalog.Engine.POSTGRESQL ? " FOR UPDATE SKIP LOCKED" : "";
    }
}
