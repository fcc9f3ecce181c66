package org.silo.archive.lm;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.file.FileClerk;
import org.silo.archive.lm.MoverRegistry.Live;
import org.silo.archive.lm.Requests.Req;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.volume.VolumeClerk;
import org.silo.wire.SiloException;

/**
 * transfer_done: what a mover reports at the end of a job becomes the job's end in the catalog. The
 * files of a write or a read were recorded as the mover went, by its files_done ({@link GroupCommits});
 * the request now ends with them: done when every file is, else failed naming the first error. A read
 * merged for several clients is done (or failed) for each; a failure is recorded on the request and, if
 * the volume is to blame, noted against the volume. Copies and verifies end in {@link VolumeJobs}, a
 * write whose volume had no room in {@link NoRoom}, and the requests of clients the mover found gone in
 * {@link ClientJobs}. A report for a job that is no longer the mover's (killed, or given away after a
 * timeout) records nothing and is refused.
 */
final class Completions {
    private final LibraryManager lm;
    private final Catalog catalog;
    private final VolumeClerk volumes;
    private final FileClerk files;
    private final MoverRegistry movers;
    private final JobsToStop stops;
    private final ClientJobs clients;
    private final Outcomes outcomes;
    private final VolumeJobs volumeJobs;
    private final Repacks repacks;
    private final NoRoom noRoom;
    private final WorkSignal signal;

    Completions(
            LibraryManager lm,
            Catalog catalog,
            VolumeClerk volumes,
            FileClerk files,
            MoverRegistry movers,
            JobsToStop stops,
            ClientJobs clients,
            Outcomes outcomes,
            VolumeJobs volumeJobs,
            Repacks repacks,
            NoRoom noRoom,
            WorkSignal signal) {
        this.lm = lm;
        this.catalog = catalog;
        this.volumes = volumes;
        this.files = files;
        this.movers = movers;
        this.stops = stops;
        this.clients = clients;
        this.outcomes = outcomes;
        this.volumeJobs = volumeJobs;
        this.repacks = repacks;
        this.noRoom = noRoom;
        this.signal = signal;
    }

    /** transfer_done: ends the job as its kind says; waiting movers are woken (the volume, or the queue, changed). */
    JobInfo transferDone(TransferDone d) throws SiloException {
        Live l = movers.live(d.moverId());
        // the catalog's name where this server does not know the mover yet (it moved here from a server that
        // died): the volume's write mark is released by name (MoverRegistry.nameOf)
        String known = movers.nameOf(d.moverId());
        String moverName = known == null ? d.moverId() : known;
        Req r = catalog.tx(c -> Requests.get(c, d.job()));
        if (l != null) {
            l.hung = false; // out of its stuck call, if it was in one
            l.job = 0;
            l.bytesDone = 0;
            l.bytesTotal = 0;
            l.rate = 0;
        }
        boolean mine = r.state().equals("active") && d.moverId().equals(r.mover());
        stops.ended(r.id(), d.moverId());
        try {
            Set<Long> gone = mine && d.gone() != null && !d.gone().isEmpty()
                    ? clients.gone(d.gone(), moverName, r.id())
                    : Set.of();
            stops.ended(gone); // the mover is done with them already
            if (gone.contains(r.id()) && r.kind().equals(LibraryMessages.KIND_WRITE)) {
                outcomes.releaseWriting(r.volume(), moverName, 0);
                return lm.info(r.id());
            }
            return switch (r.kind()) {
                case LibraryMessages.KIND_WRITE -> writeDone(r, d, moverName, mine);
                case LibraryMessages.KIND_COPY -> volumeJobs.copyDone(r, d, moverName, mine);
                case LibraryMessages.KIND_VERIFY -> volumeJobs.verifyDone(r, d, moverName, mine);
                case LibraryMessages.KIND_REPACK -> repacks.done(r, d, moverName, mine);
                default -> readDone(r, d, moverName, mine);
            };
        } finally {
            signal.wake();
        }
    }

    private JobInfo writeDone(Req r, TransferDone d, String moverName, boolean mine) throws SiloException {
        if (!mine) {
            outcomes.releaseWriting(r.volume(), moverName, d.ok() ? d.size() : 0);
            throw SiloException.invalid(
                    "job " + r.id() + " is no longer mover " + moverName + "'s (" + r.state() + "): nothing recorded");
        }
        if (!d.ok() && d.noRoom()) {
            return noRoom.writeDone(r, d, moverName);
        }
        if (!d.ok() && d.requeue()) {
            return noRoom.notWritable(r, d, moverName);
        }
        if (!d.ok()) {
            outcomes.releaseWriting(r.volume(), moverName, 0);
            if (d.volumeFault()) {
                volumes.noteError(r.volume(), moverName, true, d.error());
            }
            outcomes.finish(r.id(), "failed", null, null, d.error(), d.moverId(), 0, 0, 1);
            return lm.info(r.id());
        }
        // every file the mover stored was recorded by its files_done (group commits); the request ends with them
        outcomes.releaseWriting(r.volume(), moverName, 0);
        endWithFiles(r, d, moverName);
        return lm.info(r.id());
    }

    /**
     * Ends a request as its files ended: done when every file is, else failed with the first file's error
     * (the client hears of each file on its data connection and asks again for those that may fare better).
     */
    private void endWithFiles(Req r, TransferDone d, String moverName) throws SiloException {
        long[] t = catalog.tx(c -> GroupCommits.tally(c, r.id()));
        String first = t[1] == 0 ? null : catalog.tx(c -> GroupCommits.firstError(c, r.id()));
        String error = t[1] == 0
                ? null
                : t[1] + " of " + (t[0] + t[1]) + " files not "
                        + (r.kind().equals(LibraryMessages.KIND_WRITE) ? "stored" : "read")
                        + (first == null ? "" : ", the first: " + first);
        String[] one = t[0] + t[1] == 1
                ? catalog.tx(c -> Sql.one(
                                c,
                                "SELECT bfid, cookie FROM request_file WHERE request = ?",
                                rs -> new String[] {rs.getString(1), rs.getString(2)},
                                r.id())
                        .orElse(new String[2]))
                : new String[2];
        outcomes.finish(
                r.id(),
                t[1] == 0 ? "done" : "failed",
                one[0],
                one[1],
                error,
                d.moverId(),
                d.size(),
                t[0],
                t[1] == 0 ? 0 : 1);
    }

    private JobInfo readDone(Req r, TransferDone d, String moverName, boolean mine) throws SiloException {
        if (!mine) {
            throw SiloException.invalid(
                    "job " + r.id() + " is no longer mover " + moverName + "'s (" + r.state() + ")");
        }
        if (d.volumeFault()) {
            volumes.noteError(r.volume(), moverName, false, d.error());
        }
        List<Long> targets = catalog.tx(c -> Sql.list(
                c,
                "SELECT id FROM request WHERE (id = ? OR merged_into = ?) AND state = 'active'" + " AND mover = ?",
                rs -> rs.getLong(1),
                r.id(),
                r.id(),
                d.moverId()));
        if (targets.size() == 1 && targets.get(0) == r.id()) {
            if (d.ok()) {
                endWithFiles(r, d, moverName);
            } else {
                outcomes.finish(r.id(), "failed", null, null, d.error(), d.moverId(), 0, 0, 1);
            }
        } else { // a merged read: one file, sent to each client that asked for it
            Set<Long> failed = d.failedTargets() == null ? Set.of() : new HashSet<>(d.failedTargets());
            for (long t : targets) {
                boolean ok = d.ok() && !failed.contains(t);
                outcomes.finish(
                        t,
                        ok ? "done" : "failed",
                        r.bfid(),
                        r.cookie(),
                        ok ? null : d.error(),
                        d.moverId(),
                        ok ? r.size() : 0,
                        ok ? 1 : 0,
                        ok ? 0 : 1);
            }
        }
        if (d.ok()) {
            volumes.updateReadStats(r.volume(), d.size());
        }
        return lm.info(r.id());
    }
}
