package org.silo.archive.lm;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.file.FileClerk;
import org.silo.archive.lm.Requests.Req;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.FileState;
import org.silo.archive.ops.LibraryMessages.FilesDone;
import org.silo.archive.ops.LibraryMessages.FilesQueued;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.MoverHello;
import org.silo.archive.ops.LibraryMessages.MoverInfo;
import org.silo.archive.ops.LibraryMessages.Progress;
import org.silo.archive.ops.LibraryMessages.ProgressAck;
import org.silo.archive.ops.LibraryMessages.ReadFiles;
import org.silo.archive.ops.LibraryMessages.ReadFromHsm;
import org.silo.archive.ops.LibraryMessages.Recorded;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.ops.LibraryMessages.Unbind;
import org.silo.archive.ops.LibraryMessages.Work;
import org.silo.archive.ops.LibraryMessages.WriteFiles;
import org.silo.archive.ops.LibraryMessages.WriteToHsm;
import org.silo.archive.volume.VolumeClerk;
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
 *     {@link LibrarySettings#moverTimeoutMs} loses its binding and its requests go back to the queue.
 * </ul>
 *
 * <p>This class is what the archive's operations call; each message is done by a part of its own:
 * {@link Submissions} (write_to_hsm, read_from_hsm), {@link VolumeJobs} (copy_to_volume, verify_volume),
 * {@link Scheduler} (idle_mover, have_bound_volume: which work a mover gets), {@link MoverRegistry} (the
 * movers, mover_progress, unilateral_unbind, kill_binding and the reaper of silent movers),
 * {@link Completions} (transfer_done), {@link OperatorMounts} (mount_wait, mount_reply) and
 * {@link ClientJobs} (the requests of clients that are gone). It keeps the queue as users and
 * administrators see it: job_info, job_ls, kill_job, set_priority, clear_queue.
 *
 * <pre>{@code
 * LibraryManager lm = new LibraryManager(catalog, volumes, files, LibrarySettings.DEFAULTS);
 * JobInfo j = lm.submitWrite(WriteToHsm.of("/exp/a", size).callback("host:port", token).owner("alice").build(), "alice");
 * Work w = lm.idleMover(hello);   // a mover asks: nowork or bind_volume
 * }</pre>
 */
public final class LibraryManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LibraryManager.class);
    /** The most copies a write may ask for. */
    /** Names this server, by its roster address, in the rows of the movers it holds (ServerRoster). */
    public void servedAt(String address) {
        registry.servedAt(address);
    }

    public static final int MAX_COPIES = 10;

    private final Catalog catalog;
    private final LibrarySettings settings;
    private final OperatorMounts mounts = new OperatorMounts();
    private final WorkSignal signal = new WorkSignal();
    private final JobsToStop stops = new JobsToStop();
    private final ClientJobs clients;
    private final Submissions submissions;
    private final VolumeJobs volumeJobs;
    private final Scheduler scheduler;
    private final MoverRegistry registry;
    private final Completions completions;
    private final GroupCommits commits;
    private final Repacks repacks;
    private final HungMovers hung;
    private final VolumeClerk volumes;

    public LibraryManager(Catalog catalog, VolumeClerk volumes, FileClerk files, LibrarySettings settings)
            throws SiloException {
        this.catalog = catalog;
        this.settings = settings;
        this.volumes = volumes;
        Outcomes outcomes = new Outcomes(catalog, volumes);
        this.volumeJobs = new VolumeJobs(this, outcomes, catalog, volumes, files);
        NoRoom noRoom = new NoRoom(this, outcomes, catalog, volumes);
        this.clients = new ClientJobs(this, catalog);
        this.submissions = new Submissions(catalog);
        this.scheduler = new Scheduler(catalog, volumes, settings, stops, signal, volumeJobs, noRoom);
        this.registry = new MoverRegistry(catalog, settings, scheduler, stops, mounts, signal);
        this.commits = new GroupCommits(catalog, files);
        this.repacks = new Repacks(this, outcomes, catalog, volumes);
        this.completions = new Completions(
                this, catalog, volumes, files, registry, stops, clients, outcomes, volumeJobs, repacks, noRoom, signal);
        this.hung = new HungMovers(catalog, volumes, registry, stops, signal, settings.hungAfterMs());
    }

    public LibrarySettings settings() {
        return settings;
    }

    /** The volume clerk it schedules with (movers in this process report volume states to it directly). */
    public VolumeClerk volumes() {
        return volumes;
    }

    /** Which client session queued which transfer, and the cancelling of those whose client is gone. */
    public ClientJobs clients() {
        return clients;
    }

    // ---- users ------------------------------------------------------------------------------------

    /** write_to_hsm: queues a write; the path must be free and its directory must exist ({@link Submissions}). */
    public JobInfo submitWrite(WriteToHsm q, String who) throws SiloException {
        long id = submissions.write(q, who);
        signal.wake();
        return info(id);
    }

    /** read_from_hsm: queues a read of the file at the path, merged with a read of the same file already queued. */
    public JobInfo submitRead(ReadFromHsm q, String who) throws SiloException {
        long id = submissions.read(q, who);
        signal.wake();
        return info(id);
    }

    /** write_files: a put's files as one request; those that cannot be written are refused, each with why ({@link Submissions}). */
    public FilesQueued submitWriteFiles(WriteFiles q, String who) throws SiloException {
        return answer(submissions.writeFiles(q, who));
    }

    /** read_files: a get's files as one request per volume; those not found or unreadable are refused, each with why. */
    public FilesQueued submitReadFiles(ReadFiles q, String who) throws SiloException {
        return answer(submissions.readFiles(q, who));
    }

    private FilesQueued answer(Submissions.Made m) throws SiloException {
        List<JobInfo> jobs = new ArrayList<>();
        for (long id : m.ids()) {
            jobs.add(info(id));
        }
        if (!m.ids().isEmpty()) {
            signal.wake();
        }
        return new FilesQueued(jobs, m.refused(), m.at());
    }

    /** job_files: the files of a request and what became of each. */
    public List<FileState> jobFiles(long id) throws SiloException {
        return submissions.jobFiles(id);
    }

    /**
     * files_done: a mover's group commit, recorded in one transaction ({@link GroupCommits}); with copies
     * asked for, each container recorded (and each file of its own) gets its copy requests queued.
     */
    public List<Recorded> filesDone(FilesDone d) throws SiloException {
        List<Recorded> recorded = commits.filesDone(d);
        Req r = catalog.tx(c -> Requests.get(c, d.job()));
        if (r.kind().equals(LibraryMessages.KIND_WRITE) && r.copies() > 1) {
            volumeJobs.queueCopies(r, d, recorded);
            signal.wake();
        }
        return recorded;
    }

    /** job_info; a queued request whose library has no mover connected says so ({@link MoverPresence#waiting}). */
    public JobInfo info(long id) throws SiloException {
        return catalog.tx(c -> {
            Req r = Requests.get(c, id);
            return r.info(
                    scheduler.effective(r, System.currentTimeMillis()),
                    MoverPresence.shownError(c, r, new HashMap<>()));
        });
    }

    /**
     * copy_to_volume: queues a copy of an archived file (by path, or by content hash) to a volume, or to
     * any other volume of its library with room when none is named ({@link VolumeJobs}).
     */
    public JobInfo submitCopy(LibraryMessages.CopyFile q, String who) throws SiloException {
        long id = volumeJobs.submitCopy(q, who);
        signal.wake();
        return info(id);
    }

    /** verify_volume: queues a read of every live file on the volume, each checked against its size, Adler-32 and hash. */
    public JobInfo submitVerify(LibraryMessages.VerifyVolume q, String who) throws SiloException {
        long id = volumeJobs.submitVerify(q, who);
        signal.wake();
        return info(id);
    }

    /** repack_volume: queues the repack of the volume's containers onto another volume ({@link Repacks}). */
    public JobInfo submitRepack(LibraryMessages.RepackVolume q, String who) throws SiloException {
        long id = repacks.submit(q, who);
        signal.wake();
        return info(id);
    }

    /** repack_commit: a repack's new container recorded and its members switched to it, in one transaction ({@link Repacks}). */
    public LibraryMessages.RepackAnswer repackCommit(LibraryMessages.RepackCommit q) throws SiloException {
        return repacks.commit(q);
    }

    /** clear_queue: cancels every queued request (running ones go on). */
    public int clear(String who) throws SiloException {
        int n = catalog.tx(c -> Sql.update(
                c,
                "UPDATE request SET state = 'cancelled', error = ?, updated_ms = ? WHERE state = 'queued'",
                "queue cleared by " + who,
                System.currentTimeMillis()));
        log.info("queue cleared by {}: {} requests cancelled", who, n);
        signal.wake();
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
                            : Sql.list(
                                    c,
                                    Requests.SELECT + " WHERE state IN ('queued', 'active') ORDER BY id LIMIT " + n,
                                    Requests::row);
            List<JobInfo> out = new ArrayList<>();
            Map<String, Optional<String>> byLibrary = new HashMap<>();
            for (Req r : rows) {
                out.add(r.info(scheduler.effective(r, now), MoverPresence.shownError(c, r, byLibrary)));
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
            Req r = Requests.get(c, id);
            if (!r.state().equals("queued") && !r.state().equals("active")) {
                return null;
            }
            long now = System.currentTimeMillis();
            Sql.update(
                    c,
                    "UPDATE request SET state = 'cancelled', error = ?, updated_ms = ? WHERE id = ?",
                    Requests.cut(reason, 2048),
                    now,
                    id);
            // reads merged into this one stand on their own again, merged into the oldest of them
            List<Long> merged = Sql.list(
                    c,
                    "SELECT id FROM request WHERE merged_into = ? AND state = 'queued' ORDER BY id",
                    rs -> rs.getLong(1),
                    id);
            if (!merged.isEmpty()) {
                Sql.update(
                        c,
                        "UPDATE request SET merged_into = ? WHERE merged_into = ? AND state = 'queued'",
                        merged.get(0),
                        id);
                Sql.update(c, "UPDATE request SET merged_into = NULL WHERE id = ?", merged.get(0));
            }
            return jobInfo(c, id);
        });
        if (j == null) {
            return false;
        }
        if (j.mover() != null) {
            stops.killed(id);
        }
        signal.wake();
        return true;
    }

    /** set_priority: an administrator's priority for the request (null: back to aging). */
    public JobInfo setPriority(long id, Integer priority) throws SiloException {
        return catalog.tx(c -> {
            Requests.get(c, id);
            Sql.update(
                    c,
                    "UPDATE request SET admin_pri = ?, updated_ms = ? WHERE id = ?",
                    priority,
                    System.currentTimeMillis(),
                    id);
            return jobInfo(c, id);
        });
    }

    // ---- the mover conversation ---------------------------------------------------------------------

    /**
     * A mover inside the server introduces itself before it first asks for work ({@code Mover.start}), so
     * that its library counts as served from then on ({@link MoverPresence}).
     */
    public void announce(MoverHello h) throws SiloException {
        registry.register(h, "idle", null);
    }

    /** idle_mover: nowork, or bind_volume with the volume and its first job ({@link Scheduler}). Waits up to pollWaitMs for work. */
    public Work idleMover(MoverHello h) throws SiloException {
        return scheduler.idleMover(h.id(), registry.register(h, "idle", null));
    }

    /** have_bound_volume: the next read of the volume, else a write that fits it, else unbind_volume. */
    public Work haveBoundVolume(MoverHello h) throws SiloException {
        String label = VolumeClerk.name("volume", h.volume());
        return scheduler.haveBoundVolume(h.id(), label, registry.register(h, "active", label));
    }

    /** unilateral_unbind: the mover gives up its volume; whatever it had running goes back to the queue. */
    public void unilateralUnbind(Unbind u) throws SiloException {
        registry.unbind(u);
    }

    /** mover_progress: a heartbeat; cancel if its job was killed or given away; bytes that stop moving: {@link HungMovers}. */
    public ProgressAck progress(Progress p) {
        ProgressAck a = registry.progress(p);
        hung.progress(p);
        return a;
    }

    /**
     * transfer_done: a write that worked becomes a bit file record (new_bit_file) and its volume's
     * append is done; a failure is recorded on the request and, if the volume is to blame, noted against
     * the volume. Refused if the job is no longer the mover's (killed, or given away after a timeout).
     */
    public JobInfo transferDone(TransferDone d) throws SiloException {
        return completions.transferDone(d);
    }

    /**
     * mount_wait: a mover whose library has the {@code manual} changer waits for an operator to mount
     * the volume. Each call counts as the mover's heartbeat; the answer is waiting until an operator
     * replies (or the job is killed or given away).
     */
    public LibraryMessages.MountAnswer mountWait(LibraryMessages.MountWait w) throws SiloException {
        MoverRegistry.Live l = registry.live(w.moverId());
        if (l == null) {
            throw SiloException.notFound("mover " + w.moverId() + " is not known here: it must ask for work first");
        }
        l.seenMs = System.currentTimeMillis();
        l.state = "mount_wait";
        boolean gone = stops.mustStop(w.job(), w.moverId());
        LibraryMessages.MountAnswer a = mounts.poll(w, l.name, gone);
        if (a.state().equals(LibraryMessages.MOUNT_WAITING)) {
            try { // answered promptly when an operator replies within the poll
                signal.awaitWake(Math.min(1000, settings.pollWaitMs()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
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
    public LibraryMessages.MountRequest answerMount(String volumeOrMover, boolean ok, String reason, String who)
            throws SiloException {
        if (volumeOrMover == null || volumeOrMover.isBlank()) {
            throw SiloException.invalid("name the volume (or mover) whose mount to answer");
        }
        LibraryMessages.MountRequest r = mounts.answer(volumeOrMover.strip(), ok, reason, who);
        log.info("mount of {} for mover {} {} by {}: {}", r.volume(), r.mover(), r.state(), who, r.reason());
        signal.wake();
        return r;
    }

    // ---- administration ---------------------------------------------------------------------------

    /** kill_binding: the mover's running requests go back to the queue and it is told to unbind. */
    public MoverInfo killBinding(String mover) throws SiloException {
        return registry.killBinding(mover);
    }

    /** mover_ls: every mover the catalog knows, with its live state. */
    public List<MoverInfo> movers() throws SiloException {
        return registry.movers();
    }

    public MoverInfo mover(String idOrName) throws SiloException {
        return registry.mover(idOrName);
    }

    /** mover_name: an administrator names a mover (unique; 1 to 64 of A-Z a-z 0-9 . _ -). */
    public MoverInfo rename(String mover, String name) throws SiloException {
        return registry.rename(mover, name);
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

    /** library_manager_status: requests by state, movers, movers offline, mounts waiting for an operator. */
    public Map<String, Object> status() throws SiloException {
        return catalog.tx(c -> {
            Map<String, Object> s = new LinkedHashMap<>();
            for (String st : List.of("queued", "active", "done", "failed", "cancelled")) {
                s.put(
                        "requests" + Character.toUpperCase(st.charAt(0)) + st.substring(1),
                        Sql.count(c, "SELECT COUNT(*) FROM request WHERE state = ?", st));
            }
            s.put("movers", Sql.count(c, "SELECT COUNT(*) FROM mover"));
            s.put("moversOffline", Sql.count(c, "SELECT COUNT(*) FROM mover WHERE state = 'offline'"));
            s.put(
                    "mountsWaiting",
                    mounts.list().stream()
                            .filter(m -> m.state().equals(LibraryMessages.MOUNT_WAITING))
                            .count());
            return s;
        });
    }

    /** Run the reaper once now (tests; it runs every second): movers silent for longer than the timeout go offline. */
    public void reapNow() {
        registry.reap();
    }

    /** The hung-mover watchdog once now, as if {@code laterMs} more had passed (tests); how many movers it found hung. */
    public int findHungMovers(long laterMs) {
        return hung.check(HungMovers.clock() + laterMs);
    }

    private JobInfo jobInfo(Connection c, long id) throws SQLException, SiloException {
        return Requests.get(c, id).info(scheduler.effective(Requests.get(c, id), System.currentTimeMillis()));
    }

    @Override
    public void close() {
        hung.close();
        registry.close();
        signal.wake();
    }
}
