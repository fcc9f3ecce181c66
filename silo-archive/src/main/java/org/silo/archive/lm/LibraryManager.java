package org.silo.archive.lm;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
import org.silo.archive.lm.Requests.Req;
import org.silo.archive.file.FileClerk;
import org.silo.archive.ns.Namespace;
import org.silo.archive.ns.NsPath;
import org.silo.archive.ops.FileMessages.BitFileInfo;
import org.silo.archive.ops.FileMessages.NewBitFile;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.Job;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.MoverHello;
import org.silo.archive.ops.LibraryMessages.MoverInfo;
import org.silo.archive.ops.LibraryMessages.Progress;
import org.silo.archive.ops.LibraryMessages.ProgressAck;
import org.silo.archive.ops.LibraryMessages.ReadFromHsm;
import org.silo.archive.ops.LibraryMessages.Target;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.ops.LibraryMessages.Unbind;
import org.silo.archive.ops.LibraryMessages.Work;
import org.silo.archive.ops.LibraryMessages.WriteToHsm;
import org.silo.archive.ops.VolumeMessages.NextWriteVolume;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.archive.volume.VolumeClerk;
import org.silo.archive.volume.VolumeState;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The library manager (seed 000's volume manager): a queue of write_to_hsm and read_from_hsm requests
 * kept in the catalog (table {@code request}), handed to movers that ask for work.
 *
 * <ul>
 * <li><b>Priority</b>: {@code basepri + delpri * floor(age / agetime)}, at most {@code maxpri}
 *     (Enstore's manage_queue); an administrator's priority replaces it.
 * <li><b>Fair share</b>: an idle mover gets work of the storage group with the fewest requests
 *     active, then the highest priority, then the oldest.
 * <li><b>Grouping by volume</b>: a mover with a bound volume is given every waiting read of that
 *     volume (then writes that fit it) before it is told to unbind.
 * <li><b>Merged reads</b>: a read of a bit file that already has a read queued joins it; the mover
 *     reads the file once and sends it to every client.
 * <li><b>Restart</b>: the queue is in the catalog; a mover that stops answering for
 *     {@link Settings#moverTimeoutMs} loses its binding and its requests go back to the queue.
 * </ul>
 *
 * <pre>{@code
 * LibraryManager lm = new LibraryManager(catalog, volumes, files, Settings.DEFAULTS);
 * JobInfo j = lm.submitWrite(new WriteToHsm("/exp/a", size, null, null, null, 0, false, "host:port", token, "alice", List.of()));
 * Work w = lm.idleMover(hello);   // a mover asks: nowork or bind_volume
 * }</pre>
 */
public final class LibraryManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LibraryManager.class);
    /** The most copies a write may ask for. */
    public static final int MAX_COPIES = 10;

    /**
     * @param ageTimeMs      a waiting request gains {@code deltaPri} every this many milliseconds
     * @param deltaPri       priority gained per {@code ageTimeMs} of waiting
     * @param maxPri         aging stops here
     * @param moverTimeoutMs a mover silent this long loses its binding and its requests
     * @param pollWaitMs     how long idle_mover waits for work before answering nowork
     */
    public record Settings(long ageTimeMs, int deltaPri, int maxPri, long moverTimeoutMs, long pollWaitMs) {
        public static final Settings DEFAULTS = new Settings(30 * 60_000L, 1, 1_000_001, 10_000, 500);

        public Settings withMoverTimeout(long ms) {
            return new Settings(ageTimeMs, deltaPri, maxPri, ms, pollWaitMs);
        }

        public Settings withAgeTime(long ms) {
            return new Settings(ms, deltaPri, maxPri, moverTimeoutMs, pollWaitMs);
        }
    }

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
        volatile String persisted = "";
        /** The request kinds the mover does; null: all. */
        volatile Set<String> kinds;

        boolean takes(String kind) {
            Set<String> k = kinds;
            return k == null || k.contains(kind);
        }
    }

    private final Catalog catalog;
    private final VolumeClerk volumes;
    private final FileClerk files;
    private final Settings settings;
    private final Map<String, Live> live = new ConcurrentHashMap<>();
    private final Set<Long> cancelled = ConcurrentHashMap.newKeySet();
    /** Jobs taken back from a mover (timeout, kill_binding): job id to the mover that lost it. */
    private final Map<Long, String> revoked = new ConcurrentHashMap<>();
    private final OperatorMounts mounts = new OperatorMounts();
    private final VolumeJobs volumeJobs;
    private final NoRoom noRoom;
    private final ClientJobs clients;
    private final Object signal = new Object();
    private long generation;
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "library-manager-reaper");
        t.setDaemon(true);
        return t;
    });

    public LibraryManager(Catalog catalog, VolumeClerk volumes, FileClerk files, Settings settings) throws SiloException {
        this.catalog = catalog;
        this.volumes = volumes;
        this.files = files;
        this.settings = settings;
        this.volumeJobs = new VolumeJobs(this, catalog, volumes, files);
        this.noRoom = new NoRoom(this, catalog, volumes);
        this.clients = new ClientJobs(this, catalog);
        long now = System.currentTimeMillis();
        // movers known before a restart get one timeout to speak up before their requests are given away
        catalog.tx(c -> {
            for (MoverRow m : Sql.list(c, MOVER_SELECT + " WHERE state <> 'offline'", LibraryManager::moverRow)) {
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
        long period = Math.max(100, Math.min(1000, settings.moverTimeoutMs / 2));
        reaper.scheduleWithFixedDelay(this::reap, period, period, TimeUnit.MILLISECONDS);
    }

    public Settings settings() {
        return settings;
    }

    /** Which client session queued which transfer, and the cancelling of those whose client is gone. */
    public ClientJobs clients() {
        return clients;
    }

    // ---- users ------------------------------------------------------------------------------------

    /** write_to_hsm: queues a write; the path must be free and its directory must exist. */
    public JobInfo submitWrite(WriteToHsm q, String who) throws SiloException {
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
        if (copies > MAX_COPIES) {
            throw SiloException.invalid("at most " + MAX_COPIES + " copies of a file, not " + copies);
        }
        String hash = org.silo.archive.volume.ContentHash.algorithm(q.hash());
        long id = catalog.tx(c -> {
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
        wake();
        return info(id);
    }

    /** read_from_hsm: queues a read of the file at the path, merged with a read of the same file already queued. */
    public JobInfo submitRead(ReadFromHsm q, String who) throws SiloException {
        NsPath path = NsPath.parse(q.path());
        callback(q.callback(), q.token());
        long id = catalog.tx(c -> {
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
        wake();
        return info(id);
    }

    /** job_info; a queued request whose library has no mover connected says so ({@link MoverPresence#waiting}). */
    public JobInfo info(long id) throws SiloException {
        return catalog.tx(c -> {
            Req r = get(c, id);
            return r.info(effective(r, System.currentTimeMillis()), MoverPresence.shownError(c, r, new HashMap<>()));
        });
    }

    /**
     * copy_to_volume: queues a copy of an archived file (by path, or by content hash) to a volume, or to
     * any other volume of its library with room when none is named ({@link VolumeJobs}).
     */
    public JobInfo submitCopy(LibraryMessages.CopyFile q, String who) throws SiloException {
        long id = volumeJobs.submitCopy(q, who);
        wake();
        return info(id);
    }

    /** verify_volume: queues a read of every live file on the volume, each checked against its size, Adler-32 and hash. */
    public JobInfo submitVerify(LibraryMessages.VerifyVolume q, String who) throws SiloException {
        long id = volumeJobs.submitVerify(q, who);
        wake();
        return info(id);
    }

    /** clear_queue: cancels every queued request (running ones go on). */
    public int clear(String who) throws SiloException {
        int n = catalog.tx(c -> Sql.update(c, "UPDATE request SET state = 'cancelled', error = ?, updated_ms = ? WHERE state = 'queued'",
                "queue cleared by " + who, System.currentTimeMillis()));
        log.info("queue cleared by {}: {} requests cancelled", who, n);
        wake();
        return n;
    }

    /** job_ls: queued and active requests, or with {@code all} also the most recent finished ones. */
    public List<JobInfo> list(boolean all, int limit) throws SiloException {
        return list(all, limit, null);
    }

    /** job_ls, only the requests made for {@code parent} (the copies a write asked for) when it is given. */
    public List<JobInfo> list(boolean all, int limit, Long parent) throws SiloException {
        int n = limit <= 0 ? 100 : Math.min(limit, 10_000);
        long now = System.currentTimeMillis();
        return catalog.tx(c -> {
            List<Req> rows = parent != null
                    ? Sql.list(c, Requests.SELECT + " WHERE parent = ? ORDER BY id LIMIT " + n, Requests::row, parent)
                    : all
                    ? Sql.list(c, Requests.SELECT + " ORDER BY id DESC LIMIT " + n, Requests::row)
                    : Sql.list(c, Requests.SELECT + " WHERE state IN ('queued', 'active') ORDER BY id LIMIT " + n, Requests::row);
            List<JobInfo> out = new ArrayList<>();
            Map<String, Optional<String>> byLibrary = new HashMap<>();
            for (Req r : rows) {
                out.add(r.info(effective(r, now), MoverPresence.shownError(c, r, byLibrary)));
            }
            return out;
        });
    }

    /** kill_job: a queued request is cancelled; a running one too, and its mover stops at its next progress report. */
    public JobInfo kill(long id) throws SiloException {
        cancel(id, "killed");
        return info(id);
    }

    /**
     * Cancels a request that is still queued or running, with {@code reason} as its error (kill_job's is
     * {@code killed}; a client that went away has its own, {@link ClientJobs}); its mover stops at its next
     * progress report. Returns false, changing nothing, if the request had already finished.
     */
    boolean cancel(long id, String reason) throws SiloException {
        JobInfo j = catalog.tx(c -> {
            Req r = get(c, id);
            if (!r.state().equals("queued") && !r.state().equals("active")) {
                return null;
            }
            long now = System.currentTimeMillis();
            Sql.update(c, "UPDATE request SET state = 'cancelled', error = ?, updated_ms = ? WHERE id = ?", cut(reason, 2048), now, id);
            // reads merged into this one stand on their own again, merged into the oldest of them
            List<Long> merged = Sql.list(c, "SELECT id FROM request WHERE merged_into = ? AND state = 'queued' ORDER BY id",
                    rs -> rs.getLong(1), id);
            if (!merged.isEmpty()) {
                Sql.update(c, "UPDATE request SET merged_into = ? WHERE merged_into = ? AND state = 'queued'", merged.get(0), id);
                Sql.update(c, "UPDATE request SET merged_into = NULL WHERE id = ?", merged.get(0));
            }
            return jobInfo(c, id);
        });
        if (j == null) {
            return false;
        }
        if (j.mover() != null) {
            cancelled.add(id);
        }
        wake();
        return true;
    }

    /** set_priority: an administrator's priority for the request (null: back to aging). */
    public JobInfo setPriority(long id, Integer priority) throws SiloException {
        return catalog.tx(c -> {
            get(c, id);
            Sql.update(c, "UPDATE request SET admin_pri = ?, updated_ms = ? WHERE id = ?", priority, System.currentTimeMillis(), id);
            return jobInfo(c, id);
        });
    }

    // ---- the mover conversation ---------------------------------------------------------------------

    /**
     * A mover inside the server introduces itself before it first asks for work ({@code Mover.start}), so
     * that its library counts as served from then on ({@link MoverPresence}).
     */
    public void announce(MoverHello h) throws SiloException {
        register(h, "idle", null);
    }

    /** idle_mover: nowork, or bind_volume with the volume and its first job. Waits up to pollWaitMs for work. */
    public Work idleMover(MoverHello h) throws SiloException {
        Live l = register(h, "idle", null);
        l.unbind = false;
        long deadline = System.currentTimeMillis() + settings.pollWaitMs;
        while (true) {
            long gen;
            synchronized (signal) {
                gen = generation;
            }
            Work w = catalog.tx(c -> bindNext(c, h.id(), l));
            if (!w.action().equals(LibraryMessages.NOWORK)) {
                return w;
            }
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return w;
            }
            synchronized (signal) {
                if (generation == gen) {
                    try {
                        signal.wait(left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return w;
                    }
                }
            }
        }
    }

    /** have_bound_volume: the next read of the volume, else a write that fits it, else unbind_volume. */
    public Work haveBoundVolume(MoverHello h) throws SiloException {
        String label = VolumeClerk.name("volume", h.volume());
        Live l = register(h, "active", label);
        return catalog.tx(c -> {
            long now = System.currentTimeMillis();
            VolumeInfo v = VolumeClerk.get(c, label);
            if (!l.unbind) {
                List<Req> reads = Sql.list(c, Requests.SELECT + " WHERE volume = ? AND kind <> 'write' AND state = 'queued'"
                        + " AND merged_into IS NULL ORDER BY id" + skipLocked(), Requests::row, label);
                for (Req r : byPriority(reads, Map.of(), now)) {
                    if (!r.avoids(h.id(), l.name) && l.takes(r.kind()) && VolumeState.parse(v.state()).readable()) {
                        VolumeInfo target = null;
                        if (r.kind().equals(LibraryMessages.KIND_COPY) && (target = volumeJobs.copyTarget(c, r, busyVolumes(c, h.id()))) == null) {
                            continue;
                        }
                        return new Work(LibraryMessages.READ_FROM_HSM, label, v.backend(), activate(c, r, h.id(), l, v, false, target));
                    }
                }
                if (v.state().equals("ok") && v.writing() == null && l.takes(LibraryMessages.KIND_WRITE)) {
                    List<Req> writes = Sql.list(c, Requests.SELECT + " WHERE library = ? AND storage_group = ? AND file_family = ?"
                            + " AND kind = 'write' AND state = 'queued' AND size <= ? ORDER BY id" + skipLocked(),
                            Requests::row, v.library(), v.storageGroup(), v.fileFamily(), v.remaining());
                    for (Req r : byPriority(writes, Map.of(), now)) {
                        if (!r.avoids(h.id(), l.name)) {
                            Sql.update(c, "UPDATE volume SET writing = ?, last_access_ms = ? WHERE label = ? AND writing IS NULL",
                                    l.name, now, label);
                            return new Work(LibraryMessages.WRITE_TO_HSM, label, v.backend(), activate(c, r, h.id(), l, v, false, null));
                        }
                    }
                }
            }
            l.unbind = false;
            l.volume = null;
            l.state = "dismounting";
            Sql.update(c, "UPDATE mover SET volume = NULL, state = 'idle', seen_ms = ? WHERE id = ?", now, h.id());
            l.persisted = "idle|null";
            return new Work(LibraryMessages.UNBIND_VOLUME, label, v.backend(), null);
        });
    }

    /** unilateral_unbind: the mover gives up its volume; whatever it had running goes back to the queue. */
    public void unilateralUnbind(Unbind u) throws SiloException {
        Live l = live.get(u.moverId());
        catalog.tx(c -> {
            requeue(c, u.moverId(), l == null ? null : l.name, false);
            Sql.update(c, "UPDATE mover SET volume = NULL, state = 'idle', seen_ms = ? WHERE id = ?", System.currentTimeMillis(), u.moverId());
            return null;
        });
        if (l != null) {
            l.volume = null;
            l.job = 0;
            l.state = "idle";
            l.persisted = "idle|null";
        }
        wake();
    }

    /** mover_progress: the mover's heartbeat while it moves bytes; cancel if its job was killed or given away. */
    public ProgressAck progress(Progress p) {
        Live l = live.get(p.moverId());
        if (l == null) {
            return new ProgressAck(true);
        }
        l.seenMs = System.currentTimeMillis();
        l.state = p.state();
        l.bytesDone = p.bytesDone();
        l.bytesTotal = p.bytesTotal();
        l.rate = p.bytesPerSecond();
        return new ProgressAck(p.job() != 0 && (cancelled.contains(p.job()) || p.moverId().equals(revoked.get(p.job()))));
    }

    /**
     * transfer_done: a write that worked becomes a bit file record (new_bit_file) and its volume's
     * append is done; a failure is recorded on the request and, if the volume is to blame, noted against
     * the volume. Refused if the job is no longer the mover's (killed, or given away after a timeout).
     */
    public JobInfo transferDone(TransferDone d) throws SiloException {
        Live l = live.get(d.moverId());
        String moverName = l == null ? d.moverId() : l.name;
        Req r = catalog.tx(c -> get(c, d.job()));
        if (l != null) {
            l.job = 0;
            l.bytesDone = 0;
            l.bytesTotal = 0;
            l.rate = 0;
        }
        boolean mine = r.state().equals("active") && d.moverId().equals(r.mover());
        cancelled.remove(r.id());
        revoked.remove(r.id(), d.moverId());
        try {
            Set<Long> gone = mine && d.gone() != null && !d.gone().isEmpty() ? clients.gone(d.gone(), moverName, r.id()) : Set.of();
            cancelled.removeAll(gone); // the mover is done with them already
            if (gone.contains(r.id()) && r.kind().equals(LibraryMessages.KIND_WRITE)) {
                releaseWriting(r.volume(), moverName, 0);
                return info(r.id());
            }
            return switch (r.kind()) {
                case LibraryMessages.KIND_WRITE -> writeDone(r, d, moverName, mine);
                case LibraryMessages.KIND_COPY -> volumeJobs.copyDone(r, d, moverName, mine);
                case LibraryMessages.KIND_VERIFY -> volumeJobs.verifyDone(r, d, moverName, mine);
                default -> readDone(r, d, moverName, mine);
            };
        } finally {
            wake();
        }
    }

    private JobInfo writeDone(Req r, TransferDone d, String moverName, boolean mine) throws SiloException {
        if (!mine) {
            releaseWriting(r.volume(), moverName, d.ok() ? d.size() : 0);
            throw SiloException.invalid("job " + r.id() + " is no longer mover " + moverName + "'s (" + r.state() + "): nothing recorded");
        }
        if (!d.ok() && d.noRoom()) {
            return noRoom.writeDone(r, d, moverName);
        }
        if (!d.ok()) {
            releaseWriting(r.volume(), moverName, 0);
            if (d.volumeFault()) {
                volumes.noteError(r.volume(), moverName, true, d.error());
            }
            finish(r.id(), "failed", null, null, d.error(), d.moverId(), 0, 0, 1);
            return info(r.id());
        }
        BitFileInfo b;
        try {
            if (r.hash() != null && (d.hash() == null || !d.hash().startsWith(r.hash() + ":"))) {
                throw new SiloException(ErrorCode.IO, "the mover sent no " + r.hash() + " content hash");
            }
            b = files.newBitFile(new NewBitFile("job-" + r.id(), r.volume(), d.cookie(), d.size(), d.adler32(), r.path(), r.owner(),
                    d.hash()));
        } catch (SiloException e) {
            releaseWriting(r.volume(), moverName, d.size());
            finish(r.id(), "failed", null, d.cookie(), e.getMessage(), d.moverId(), 0, 0, 1);
            throw e;
        }
        releaseWriting(r.volume(), moverName, d.size());
        finish(r.id(), "done", b.bfid(), d.cookie(), null, d.moverId(), d.size(), 1, 0);
        if (d.hash() != null || r.copies() > 1) {
            volumeJobs.queueCopies(r, b, d.hash());
        }
        return info(r.id());
    }


    private JobInfo readDone(Req r, TransferDone d, String moverName, boolean mine) throws SiloException {
        if (!mine) {
            throw SiloException.invalid("job " + r.id() + " is no longer mover " + moverName + "'s (" + r.state() + ")");
        }
        if (d.volumeFault()) {
            volumes.noteError(r.volume(), moverName, false, d.error());
        }
        List<Long> targets = catalog.tx(c -> Sql.list(c, "SELECT id FROM request WHERE (id = ? OR merged_into = ?) AND state = 'active'"
                + " AND mover = ?", rs -> rs.getLong(1), r.id(), r.id(), d.moverId()));
        Set<Long> failed = d.failedTargets() == null ? Set.of() : new HashSet<>(d.failedTargets());
        long served = 0;
        for (long t : targets) {
            boolean ok = d.ok() && !failed.contains(t);
            finish(t, ok ? "done" : "failed", r.bfid(), r.cookie(), ok ? null : d.error(), d.moverId(), ok ? r.size() : 0, ok ? 1 : 0,
                    ok ? 0 : 1);
            served += ok ? 1 : 0;
        }
        if (served > 0) {
            volumes.updateReadStats(r.volume(), r.size());
        }
        return info(r.id());
    }

    void releaseWriting(String label, String moverName, long bytes) throws SiloException {
        if (label == null) {
            return; // given back to the queue: its write mark went with it
        }
        VolumeInfo v = volumes.inquire(label);
        if (moverName.equals(v.writing()) || bytes > 0) {
            volumes.appendDone(label, bytes);
        }
    }

    void finish(long id, String state, String bfid, String cookie, String error, String mover, long bytes, long nfiles,
            long errors) throws SiloException {
        finish(id, state, bfid, cookie, error, mover, bytes, nfiles, errors, null);
    }

    /** Ends a request, with what it found ({@code result}) in the same transaction, so no one sees it done without it. */
    void finish(long id, String state, String bfid, String cookie, String error, String mover, long bytes, long nfiles,
            long errors, String result) throws SiloException {
        catalog.tx(c -> {
            long now = System.currentTimeMillis();
            Sql.update(c, "UPDATE request SET state = ?, bfid = COALESCE(?, bfid), cookie = COALESCE(?, cookie), error = ?,"
                    + " result = COALESCE(?, result), updated_ms = ? WHERE id = ?", state, bfid, cookie,
                    error == null ? null : cut(error, 2048), result == null ? null : cut(result, 2048), now, id);
            Sql.update(c, "UPDATE mover SET bytes = bytes + ?, files = files + ?, errors = errors + ?, seen_ms = ? WHERE id = ?",
                    bytes, nfiles, errors, now, mover);
            return null;
        });
    }

    /**
     * mount_wait: a mover whose library has the {@code manual} changer waits for an operator to mount
     * the volume. Each call counts as the mover's heartbeat; the answer is waiting until an operator
     * replies (or the job is killed or given away).
     */
    public LibraryMessages.MountAnswer mountWait(LibraryMessages.MountWait w) throws SiloException {
        Live l = live.get(w.moverId());
        if (l == null) {
            throw SiloException.notFound("mover " + w.moverId() + " is not known here: it must ask for work first");
        }
        l.seenMs = System.currentTimeMillis();
        l.state = "mount_wait";
        boolean gone = w.job() != 0 && (cancelled.contains(w.job()) || w.moverId().equals(revoked.get(w.job())));
        LibraryMessages.MountAnswer a = mounts.poll(w, l.name, gone);
        if (a.state().equals(LibraryMessages.MOUNT_WAITING)) {
            synchronized (signal) { // answered promptly when an operator replies within the poll
                try {
                    signal.wait(Math.min(1000, settings.pollWaitMs));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            a = mounts.poll(w, l.name, gone);
        }
        return a;
    }

    /** mount_ls: the mounts waiting for an operator (and those answered but not yet heard by their mover). */
    public List<LibraryMessages.MountRequest> mountRequests() {
        return mounts.list();
    }

    /** mount_reply: an operator confirms or refuses the waiting mount of a volume (or of a mover). */
    public LibraryMessages.MountRequest answerMount(String volumeOrMover, boolean ok, String reason, String who) throws SiloException {
        if (volumeOrMover == null || volumeOrMover.isBlank()) {
            throw SiloException.invalid("name the volume (or mover) whose mount to answer");
        }
        LibraryMessages.MountRequest r = mounts.answer(volumeOrMover.strip(), ok, reason, who);
        log.info("mount of {} for mover {} {} by {}: {}", r.volume(), r.mover(), r.state(), who, r.reason());
        wake();
        return r;
    }

    // ---- administration ---------------------------------------------------------------------------

    /** kill_binding: the mover's running requests go back to the queue and it is told to unbind. */
    public MoverInfo killBinding(String mover) throws SiloException {
        MoverRow m = catalog.tx(c -> findMover(c, mover));
        Live l = live.get(m.id);
        catalog.tx(c -> {
            requeue(c, m.id, m.name, true);
            Sql.update(c, "UPDATE mover SET volume = NULL, state = 'idle' WHERE id = ?", m.id);
            return null;
        });
        if (l != null) {
            l.unbind = true;
            l.job = 0;
        }
        wake();
        return mover(m.id);
    }

    public List<MoverInfo> movers() throws SiloException {
        List<MoverRow> rows = catalog.tx(c -> Sql.list(c, MOVER_SELECT + " ORDER BY name", LibraryManager::moverRow));
        List<MoverInfo> out = new ArrayList<>();
        for (MoverRow m : rows) {
            out.add(m.info(live.get(m.id)));
        }
        return out;
    }

    public MoverInfo mover(String idOrName) throws SiloException {
        MoverRow m = catalog.tx(c -> findMover(c, idOrName));
        return m.info(live.get(m.id));
    }

    /** mover_name: an administrator names a mover (unique; 1 to 64 of A-Z a-z 0-9 . _ -). */
    public MoverInfo rename(String mover, String name) throws SiloException {
        String n = VolumeClerk.name("mover name", name);
        MoverRow m = catalog.tx(c -> {
            MoverRow found = findMover(c, mover);
            Optional<String> other = Sql.one(c, "SELECT id FROM mover WHERE name = ? AND id <> ?", rs -> rs.getString(1), n, found.id);
            if (other.isPresent()) {
                throw new SiloException(ErrorCode.EXISTS, "mover " + other.get() + " is already named " + n);
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

    /** set_changer: the media changer movers use for the library's volumes (none, or command:PROGRAM). */
    public LibraryMessages.Changer setChanger(String library, String changer) throws SiloException {
        String lib = VolumeClerk.name("library", library);
        String spec = org.silo.archive.mover.MediaChanger.canonical(changer);
        return catalog.tx(c -> {
            if (Sql.update(c, "UPDATE library SET changer = ? WHERE name = ?", spec, lib) == 0) {
                throw SiloException.notFound("no library " + lib);
            }
            return new LibraryMessages.Changer(lib, spec);
        });
    }

    public Map<String, Object> status() throws SiloException {
        return catalog.tx(c -> {
            Map<String, Object> s = new LinkedHashMap<>();
            for (String st : List.of("queued", "active", "done", "failed", "cancelled")) {
                s.put("requests_" + st, Sql.count(c, "SELECT COUNT(*) FROM request WHERE state = ?", st));
            }
            s.put("movers", Sql.count(c, "SELECT COUNT(*) FROM mover"));
            s.put("movers_offline", Sql.count(c, "SELECT COUNT(*) FROM mover WHERE state = 'offline'"));
            s.put("mounts_waiting", mounts.list().stream().filter(m -> m.state().equals(LibraryMessages.MOUNT_WAITING)).count());
            return s;
        });
    }

    // ---- inside ------------------------------------------------------------------------------------

    private Live register(MoverHello h, String state, String volume) throws SiloException {
        if (h.id() == null || !h.id().matches("[A-Za-z0-9._-]{1,64}")) {
            throw SiloException.invalid("a mover id is 1 to 64 of A-Z a-z 0-9 . _ -, not '" + h.id() + "'");
        }
        String lib = VolumeClerk.name("library", h.library() == null ? "default" : h.library());
        long now = System.currentTimeMillis();
        Live l = live.computeIfAbsent(h.id(), k -> new Live());
        l.seenMs = now;
        l.kinds = h.kinds() == null ? null : Set.copyOf(h.kinds());
        String key = state + "|" + volume;
        if (l.name == null || !key.equals(l.persisted) || l.state.equals("offline")) {
            String media = h.mediaTypes() == null ? "" : String.join(",", h.mediaTypes());
            String host = h.host() == null ? "" : cut(h.host(), 256);
            l.name = catalog.tx(c -> {
                Optional<MoverRow> m = Sql.one(c, MOVER_SELECT + " WHERE id = ?", LibraryManager::moverRow, h.id());
                if (m.isPresent()) {
                    Sql.update(c, "UPDATE mover SET library = ?, media_types = ?, host = ?, state = ?, volume = ?, seen_ms = ? WHERE id = ?",
                            lib, media, host, state, volume, now, h.id());
                    return m.get().name;
                }
                String name = h.name() == null || h.name().isBlank() ? "mover-" + h.id().substring(0, Math.min(8, h.id().length())) : h.name();
                if (Sql.count(c, "SELECT COUNT(*) FROM mover WHERE name = ?", name) > 0) {
                    name = name + "-" + h.id().substring(0, Math.min(8, h.id().length()));
                }
                Sql.update(c, "INSERT INTO mover (id, name, library, media_types, host, state, volume, created_ms, seen_ms)"
                        + " VALUES (?,?,?,?,?,?,?,?,?)", h.id(), name, lib, media, host, state, volume, now, now);
                return name;
            });
            l.persisted = key;
        }
        l.state = state;
        l.volume = volume;
        return l;
    }

    private Work bindNext(Connection c, String moverId, Live l) throws SQLException, SiloException {
        String lib = Sql.one(c, "SELECT library FROM mover WHERE id = ?", rs -> rs.getString(1), moverId).orElse("default");
        long now = System.currentTimeMillis();
        if (l.job != 0 || Sql.count(c, "SELECT COUNT(*) FROM request WHERE state = 'active' AND mover = ?", moverId) > 0) {
            // an idle mover runs nothing: what it had (it restarted, or lost our answer) goes back to the queue
            requeue(c, moverId, l.name, false);
            l.job = 0;
        }
        List<Req> queued = Sql.list(c, Requests.SELECT + " WHERE library = ? AND state = 'queued' AND merged_into IS NULL ORDER BY id"
                + skipLocked(), Requests::row, lib);
        if (queued.isEmpty()) {
            return new Work(LibraryMessages.NOWORK, null, null, null);
        }
        Set<String> busy = busyVolumes(c, moverId);
        Map<String, Long> activeBySg = new HashMap<>();
        for (var row : Sql.list(c, "SELECT storage_group, COUNT(*) FROM request WHERE library = ? AND state = 'active'"
                + " GROUP BY storage_group", rs -> Map.entry(rs.getString(1), rs.getLong(2)), lib)) {
            activeBySg.put(row.getKey(), row.getValue());
        }
        for (Req r : byPriority(queued, activeBySg, now)) {
            if (r.avoids(moverId, l.name) || !l.takes(r.kind())) {
                continue;
            }
            if (!r.kind().equals(LibraryMessages.KIND_WRITE)) { // read, copy, verify: from the request's volume
                if (busy.contains(r.volume())) {
                    continue;
                }
                VolumeInfo v = VolumeClerk.get(c, r.volume());
                if (!VolumeState.parse(v.state()).readable()) {
                    Sql.update(c, "UPDATE request SET state = 'failed', error = ?, updated_ms = ? WHERE id = ? OR merged_into = ?",
                            "volume " + v.label() + " is " + v.state() + ": " + v.stateReason(), now, r.id(), r.id());
                    continue;
                }
                VolumeInfo target = null;
                if (r.kind().equals(LibraryMessages.KIND_COPY) && (target = volumeJobs.copyTarget(c, r, busy)) == null) {
                    continue;
                }
                return new Work(LibraryMessages.BIND_VOLUME, v.label(), v.backend(), activate(c, r, moverId, l, v, true, target));
            }
            VolumeInfo v;
            try {
                v = volumes.nextWriteVolume(c, new NextWriteVolume(r.library(), r.storageGroup(), r.fileFamily(), r.size(), l.name));
            } catch (SiloException e) {
                if (e.code() != ErrorCode.BUSY && e.code() != ErrorCode.NO_SPACE && e.code() != ErrorCode.NOT_FOUND) {
                    throw e;
                }
                noRoom.noVolume(c, r, e, now);
                continue;
            }
            return new Work(LibraryMessages.BIND_VOLUME, v.label(), v.backend(), activate(c, r, moverId, l, v, true, null));
        }
        return new Work(LibraryMessages.NOWORK, null, null, null);
    }

    /** Volumes other movers have bound, or that running requests use (as source or copy target). */
    private static Set<String> busyVolumes(Connection c, String moverId) throws SQLException {
        Set<String> busy = new HashSet<>(Sql.list(c, "SELECT volume FROM mover WHERE volume IS NOT NULL AND id <> ?",
                rs -> rs.getString(1), moverId));
        busy.addAll(Sql.list(c, "SELECT volume FROM request WHERE state = 'active' AND volume IS NOT NULL", rs -> rs.getString(1)));
        busy.addAll(Sql.list(c, "SELECT target FROM request WHERE state = 'active' AND target IS NOT NULL", rs -> rs.getString(1)));
        return busy;
    }


    private Job activate(Connection c, Req r, String moverId, Live l, VolumeInfo v, boolean mount, VolumeInfo target)
            throws SQLException, SiloException {
        long now = System.currentTimeMillis();
        if (target != null) {
            Sql.update(c, "UPDATE volume SET writing = ?, last_access_ms = ? WHERE label = ?", l.name, now, target.label());
            Sql.update(c, "UPDATE request SET target = ? WHERE id = ?", target.label(), r.id());
        }
        Sql.update(c, "UPDATE request SET state = 'active', mover = ?, volume = ?, attempts = attempts + 1, error = NULL, updated_ms = ?"
                + " WHERE id = ? OR (merged_into = ? AND state = 'queued')", moverId, v.label(), now, r.id(), r.id());
        Sql.update(c, "UPDATE mover SET state = 'active', volume = ?, mounts = mounts + ?, seen_ms = ? WHERE id = ?",
                v.label(), mount ? 1 : 0, now, moverId);
        revoked.remove(r.id(), moverId); // given back to the mover that lost it: its progress counts again
        l.persisted = "active|" + v.label();
        l.state = "active";
        l.volume = v.label();
        l.job = r.id();
        l.bytesDone = 0;
        l.bytesTotal = r.size();
        List<Target> targets = Sql.list(c, "SELECT id, callback, token FROM request WHERE (id = ? OR merged_into = ?) AND state = 'active'"
                + " ORDER BY id", rs -> new Target(rs.getLong(1), rs.getString(2), rs.getString(3)), r.id(), r.id());
        String changer = Sql.one(c, "SELECT changer FROM library WHERE name = ?", rs -> rs.getString(1), v.library()).orElse("none");
        List<LibraryMessages.FileRef> files = null;
        if (r.kind().equals(LibraryMessages.KIND_VERIFY)) {
            files = Sql.list(c, "SELECT bfid, cookie, size, adler32, hash FROM bit_file WHERE volume = ? AND state = 'active' ORDER BY cookie",
                    rs -> new LibraryMessages.FileRef(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5)),
                    v.label());
        }
        if (r.kind().equals(LibraryMessages.KIND_COPY) || r.kind().equals(LibraryMessages.KIND_VERIFY)) {
            targets = List.of();
        }
        return new Job(r.id(), r.kind(), v.label(), v.backend(), r.bfid(), r.cookie(), r.path(), r.size(), r.adler32(), r.verify(),
                targets, l.name, changer, r.hash(), target == null ? null : target.label(), target == null ? null : target.backend(), files);
    }

    /** Puts the mover's running requests back in the queue (avoiding it if {@code avoidIt}) and releases its write marks. */
    private void requeue(Connection c, String moverId, String moverName, boolean avoidIt) throws SQLException {
        long now = System.currentTimeMillis();
        List<Req> running = Sql.list(c, Requests.SELECT + " WHERE state = 'active' AND mover = ?", Requests::row, moverId);
        for (Req r : running) {
            String avoid = avoidIt ? (r.avoid().isEmpty() ? moverId : r.avoid() + "," + moverId) : r.avoid();
            Sql.update(c, "UPDATE request SET state = 'queued', mover = NULL, volume = ?, avoid = ?, error = ?, updated_ms = ? WHERE id = ?",
                    r.kind().equals("write") ? null : r.volume(), cut(avoid, 1024), LibraryMessages.REQUEUED + "mover " + moverName
                    + " gave it up", now, r.id());
            cancelled.remove(r.id());
            revoked.put(r.id(), moverId);
        }
        if (moverName != null) {
            Sql.update(c, "UPDATE volume SET writing = NULL WHERE writing = ?", moverName);
        }
    }

    /** Movers silent for longer than the timeout lose their binding; their requests go to other movers. */
    private void reap() {
        long now = System.currentTimeMillis();
        for (Map.Entry<String, Live> e : live.entrySet()) {
            Live l = e.getValue();
            if (l.state.equals("offline") || now - l.seenMs <= settings.moverTimeoutMs) {
                continue;
            }
            try {
                catalog.tx(c -> {
                    requeue(c, e.getKey(), l.name, true);
                    Sql.update(c, "UPDATE mover SET state = 'offline', volume = NULL WHERE id = ?", e.getKey());
                    return null;
                });
                log.warn("mover {} ({}) silent for {} ms: offline, its binding to {} and its requests released", l.name, e.getKey(),
                        now - l.seenMs, l.volume);
                l.state = "offline";
                l.persisted = "offline|null";
                mounts.forget(e.getKey());
                l.volume = null;
                l.job = 0;
                wake();
            } catch (SiloException | RuntimeException ex) {
                log.warn("cannot release mover {}: {}", l.name, ex.getMessage());
            }
        }
    }

    /** Run once now (tests; the reaper runs it every second). */
    public void reapNow() {
        reap();
    }

    private List<Req> byPriority(List<Req> rows, Map<String, Long> activeBySg, long now) {
        List<Req> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.<Req>comparingLong(r -> activeBySg.getOrDefault(r.storageGroup(), 0L))
                .thenComparing(Comparator.<Req>comparingInt(r -> effective(r, now)).reversed())
                .thenComparingLong(r -> r.createdMs())
                .thenComparingLong(r -> r.id()));
        return sorted;
    }

    /** Enstore's curpri: basepri + delpri * floor(age / agetime), capped; an admin priority wins. */
    int effective(Req r, long now) {
        if (r.adminPri() != null) {
            return r.adminPri();
        }
        long steps = settings.ageTimeMs <= 0 ? 0 : Math.max(0, now - r.createdMs()) / settings.ageTimeMs;
        return (int) Math.min(settings.maxPri, r.basePri() + steps * settings.deltaPri);
    }

    private String skipLocked() {
        return catalog.engine() == Catalog.Engine.POSTGRESQL ? " FOR UPDATE SKIP LOCKED" : "";
    }

    private void wake() {
        synchronized (signal) {
            generation++;
            signal.notifyAll();
        }
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
        return movers == null ? "" : cut(String.join(",", movers), 1024);
    }

    static String cut(String s, int n) {
        return s == null || s.length() <= n ? s : s.substring(0, n);
    }

    private Req get(Connection c, long id) throws SQLException, SiloException {
        return Sql.one(c, Requests.SELECT + " WHERE id = ?", Requests::row, id).orElseThrow(() -> SiloException.notFound("no job " + id));
    }

    private JobInfo jobInfo(Connection c, long id) throws SQLException, SiloException {
        return get(c, id).info(effective(get(c, id), System.currentTimeMillis()));
    }

    private static MoverRow findMover(Connection c, String idOrName) throws SQLException, SiloException {
        return Sql.one(c, MOVER_SELECT + " WHERE id = ? OR name = ?", LibraryManager::moverRow, idOrName, idOrName)
                .orElseThrow(() -> SiloException.notFound("no mover " + idOrName));
    }

    static final String MOVER_SELECT = "SELECT id, name, library, media_types, host, state, volume, bytes, files, errors, mounts,"
            + " seen_ms FROM mover";

    record MoverRow(String id, String name, String library, String mediaTypes, String host, String state, String volume, long bytes,
            long files, long errors, long mounts, long seenMs) {
        MoverInfo info(Live l) {
            List<String> media = mediaTypes.isEmpty() ? List.of() : List.of(mediaTypes.split(","));
            if (l == null) {
                return new MoverInfo(id, name, library, media, host, state, volume, 0, 0, 0, 0, bytes, files, errors, mounts, seenMs);
            }
            return new MoverInfo(id, name, library, media, host, l.state, l.volume, l.job, l.bytesDone, l.bytesTotal, l.rate, bytes,
                    files, errors, mounts, l.seenMs);
        }
    }

    private static MoverRow moverRow(ResultSet rs) throws SQLException {
        return new MoverRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getString(7), rs.getLong(8), rs.getLong(9), rs.getLong(10), rs.getLong(11), rs.getLong(12));
    }

    @Override
    public void close() {
        reaper.shutdownNow();
        wake();
    }
}
