package org.silo.archive.lm;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.lm.MoverRegistry.Live;
import org.silo.archive.lm.Requests.Req;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.Progress;
import org.silo.archive.volume.VolumeClerk;
import org.silo.archive.volume.VolumeState;
import org.silo.wire.SiloException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hung-drive watchdog (seed 000's set_hung): a mover that keeps reporting progress on a job whose
 * bytes do not move for {@code archive.hung-after} is stuck in its drive, not dead (a dead mover goes
 * silent and is the reaper's, {@link MoverRegistry}). It lives here, in the library manager, because
 * the library manager is where every mover's progress arrives (remote movers included, with one setting
 * for all), and the only part that can hand the job to another mover; a mover stuck in a volume call
 * could not be trusted to notice it itself. When it finds one:
 *
 * <ol>
 * <li>the job's volume gets set_hung, by the mover, with the reason (the volume clerk's
 *     {@code setState(HUNG)}, as the wire's set_hung handler does): it is neither read nor written until
 *     an operator sets it ok;
 * <li>the mover is shown {@code hung} (mover ls) and told to stop the job at its next progress report;
 * <li>the job goes back to the queue avoiding that mover ({@code requeued: mover M hung: ...}), once: a
 *     job that already hung before ({@code request.hangs}, kept in the catalog) fails with the reason
 *     instead, so that a job that hangs every drive it meets is not handed on for ever.
 * </ol>
 *
 * Only jobs that write a volume for a client (write) or read one with no client (verify) are watched:
 * there a stall is the volume's. A read's bytes also stop when its client stops reading, which must not
 * take a good volume out of service; a copy or repack has two volumes and no way to tell which is stuck.
 */
final class HungMovers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HungMovers.class);
    /** The kinds of job watched (see above). */
    static final Set<String> WATCHED = Set.of(LibraryMessages.KIND_WRITE, LibraryMessages.KIND_VERIFY);

    /** A mover's job as its last progress reports had it: since when its byte count has not changed. */
    private record Watch(long job, long bytes, long sinceMs) {}

    private final Catalog catalog;
    private final VolumeClerk volumes;
    private final MoverRegistry registry;
    private final JobsToStop stops;
    private final WorkSignal signal;
    private final long hungAfterMs;
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "library-manager-hung-movers");
        t.setDaemon(true);
        return t;
    });

    HungMovers(
            Catalog catalog,
            VolumeClerk volumes,
            MoverRegistry registry,
            JobsToStop stops,
            WorkSignal signal,
            long hungAfterMs) {
        this.catalog = catalog;
        this.volumes = volumes;
        this.registry = registry;
        this.stops = stops;
        this.signal = signal;
        this.hungAfterMs = hungAfterMs;
        long period = Math.max(50, Math.min(1000, hungAfterMs / 4));
        timer.scheduleWithFixedDelay(() -> check(clock()), period, period, TimeUnit.MILLISECONDS);
    }

    /** Milliseconds of a clock that only moves forward (the wall clock may be set back). */
    static long clock() {
        return System.nanoTime() / 1_000_000;
    }

    /** mover_progress: a changed byte count, or another job, starts the count again. */
    void progress(Progress p) {
        if (p.job() == 0) {
            watches.remove(p.moverId());
            return;
        }
        watches.compute(
                p.moverId(),
                (k, w) -> w != null && w.job() == p.job() && w.bytes() == p.bytesDone()
                        ? w
                        : new Watch(p.job(), p.bytesDone(), clock()));
    }

    /** Finds the movers whose job has moved no byte for longer than hung-after at {@code now} ({@link #clock}); returns how many. */
    synchronized int check(long now) {
        int found = 0;
        for (Map.Entry<String, Watch> e : watches.entrySet()) {
            Watch w = e.getValue();
            Live l = registry.live(e.getKey());
            if (l == null || l.job != w.job() || l.hung) {
                watches.remove(e.getKey(), w); // the job ended, or was given away: nothing to watch
                continue;
            }
            if (now - w.sinceMs() <= hungAfterMs) {
                continue;
            }
            try {
                if (hang(e.getKey(), l, w, now - w.sinceMs())) {
                    found++;
                }
                watches.remove(e.getKey(), w);
            } catch (SiloException | RuntimeException ex) {
                log.warn("cannot mark mover {} hung: {}", l.name, ex.getMessage()); // tried again at the next check
            }
        }
        return found;
    }

    /** The mover is hung on job {@code w}: set_hung for its volume, the job handed on (once) or failed. */
    private boolean hang(String moverId, Live l, Watch w, long stalledMs) throws SiloException {
        Req r = catalog.tx(c -> Requests.get(c, w.job()));
        if (!r.state().equals("active")
                || !moverId.equals(r.mover())
                || !WATCHED.contains(r.kind())
                || r.volume() == null) {
            return false;
        }
        String why = "mover " + l.name + " hung: no byte moved for " + seconds(stalledMs) + " on volume " + r.volume()
                + " (job " + r.id() + ", " + r.kind() + " of " + r.path() + ", " + w.bytes() + " of " + r.size()
                + " bytes)";
        try { // first, so that the volume is never chosen again for the job handed on
            volumes.setState(r.volume(), VolumeState.HUNG, l.name, why);
        } catch (SiloException e) {
            log.warn("volume {} not set hung ({}) after: {}", r.volume(), e.getMessage(), why);
        }
        boolean handedOn = catalog.tx(c -> {
            long now = System.currentTimeMillis();
            int hangs = Sql.one(c, "SELECT hangs FROM request WHERE id = ?", rs -> rs.getInt(1), r.id())
                    .orElse(0);
            if (hangs > 0) {
                Sql.update(
                        c,
                        "UPDATE request SET state = 'failed', error = ?, hangs = hangs + 1, updated_ms = ?"
                                + " WHERE id = ? AND state = 'active' AND mover = ?",
                        Requests.cut(
                                why + "; the job hung " + hangs + " time(s) before, so it is not handed on again",
                                2048),
                        now,
                        r.id(),
                        moverId);
            } else {
                Requests.requeue(c, r, moverId, why + "; handed to another mover", now);
                Sql.update(c, "UPDATE request SET hangs = hangs + 1 WHERE id = ?", r.id());
            }
            Sql.update(c, "UPDATE volume SET writing = NULL WHERE writing = ?", l.name);
            Sql.update(
                    c,
                    "UPDATE mover SET state = ?, errors = errors + 1, seen_ms = ? WHERE id = ?",
                    LibraryMessages.MOVER_HUNG,
                    now,
                    moverId);
            return hangs == 0;
        });
        stops.takenFrom(r.id(), moverId); // its next progress report is answered cancel
        l.hung = true;
        l.job = 0;
        l.persisted = LibraryMessages.MOVER_HUNG + "|"
                + l.volume; // its next idle_mover or have_bound_volume writes its state again
        signal.wake();
        log.warn("{}: {}", why, handedOn ? "job handed to another mover" : "job failed (it hung before)");
        return true;
    }

    private static String seconds(long ms) {
        return ms >= 1000 ? ms / 1000 + " s" : ms + " ms";
    }

    /** Stops the watchdog, waiting for a check under way (the catalog is closed after it). */
    @Override
    public void close() {
        timer.shutdown();
        try {
            if (!timer.awaitTermination(30, TimeUnit.SECONDS)) {
                timer.shutdownNow();
            }
        } catch (InterruptedException e) {
            timer.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
