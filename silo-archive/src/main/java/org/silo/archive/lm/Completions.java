package org.silo.archive.lm;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.file.FileClerk;
import org.silo.archive.lm.MoverRegistry.Live;
import org.silo.archive.lm.Requests.Req;
import org.silo.archive.ops.FileMessages.BitFileInfo;
import org.silo.archive.ops.FileMessages.NewBitFile;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.volume.VolumeClerk;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * transfer_done: what a mover reports at the end of a job becomes the job's end in the catalog. A write
 * that worked becomes a bit file record (the file clerk's new_bit_file) and its volume's append is done;
 * a read is done (or failed) for each client it was merged for; a failure is recorded on the request and,
 * if the volume is to blame, noted against the volume. Copies and verifies end in {@link VolumeJobs}, a
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
    private final NoRoom noRoom;
    private final WorkSignal signal;

    Completions(LibraryManager lm, Catalog catalog, VolumeClerk volumes, FileClerk files, MoverRegistry movers, JobsToStop stops,
            ClientJobs clients, Outcomes outcomes, VolumeJobs volumeJobs, NoRoom noRoom, WorkSignal signal) {
        this.lm = lm;
        this.catalog = catalog;
        this.volumes = volumes;
        this.files = files;
        this.movers = movers;
        this.stops = stops;
        this.clients = clients;
        this.outcomes = outcomes;
        this.volumeJobs = volumeJobs;
        this.noRoom = noRoom;
        this.signal = signal;
    }

    /** transfer_done: ends the job as its kind says; waiting movers are woken (the volume, or the queue, changed). */
    JobInfo transferDone(TransferDone d) throws SiloException {
        Live l = movers.live(d.moverId());
        String moverName = l == null ? d.moverId() : l.name;
        Req r = catalog.tx(c -> Requests.get(c, d.job()));
        if (l != null) {
            l.job = 0;
            l.bytesDone = 0;
            l.bytesTotal = 0;
            l.rate = 0;
        }
        boolean mine = r.state().equals("active") && d.moverId().equals(r.mover());
        stops.ended(r.id(), d.moverId());
        try {
            Set<Long> gone = mine && d.gone() != null && !d.gone().isEmpty() ? clients.gone(d.gone(), moverName, r.id()) : Set.of();
            stops.ended(gone); // the mover is done with them already
            if (gone.contains(r.id()) && r.kind().equals(LibraryMessages.KIND_WRITE)) {
                outcomes.releaseWriting(r.volume(), moverName, 0);
                return lm.info(r.id());
            }
            return switch (r.kind()) {
                case LibraryMessages.KIND_WRITE -> writeDone(r, d, moverName, mine);
                case LibraryMessages.KIND_COPY -> volumeJobs.copyDone(r, d, moverName, mine);
                case LibraryMessages.KIND_VERIFY -> volumeJobs.verifyDone(r, d, moverName, mine);
                default -> readDone(r, d, moverName, mine);
            };
        } finally {
            signal.wake();
        }
    }

    private JobInfo writeDone(Req r, TransferDone d, String moverName, boolean mine) throws SiloException {
        if (!mine) {
            outcomes.releaseWriting(r.volume(), moverName, d.ok() ? d.size() : 0);
            throw SiloException.invalid("job " + r.id() + " is no longer mover " + moverName + "'s (" + r.state() + "): nothing recorded");
        }
        if (!d.ok() && d.noRoom()) {
            return noRoom.writeDone(r, d, moverName);
        }
        if (!d.ok()) {
            outcomes.releaseWriting(r.volume(), moverName, 0);
            if (d.volumeFault()) {
                volumes.noteError(r.volume(), moverName, true, d.error());
            }
            outcomes.finish(r.id(), "failed", null, null, d.error(), d.moverId(), 0, 0, 1);
            return lm.info(r.id());
        }
        BitFileInfo b;
        try {
            if (r.hash() != null && (d.hash() == null || !d.hash().startsWith(r.hash() + ":"))) {
                throw new SiloException(ErrorCode.IO, "the mover sent no " + r.hash() + " content hash");
            }
            b = files.newBitFile(new NewBitFile("job-" + r.id(), r.volume(), d.cookie(), d.size(), d.adler32(), r.path(), r.owner(),
                    d.hash()));
        } catch (SiloException e) {
            outcomes.releaseWriting(r.volume(), moverName, d.size());
            outcomes.finish(r.id(), "failed", null, d.cookie(), e.getMessage(), d.moverId(), 0, 0, 1);
            throw e;
        }
        outcomes.releaseWriting(r.volume(), moverName, d.size());
        outcomes.finish(r.id(), "done", b.bfid(), d.cookie(), null, d.moverId(), d.size(), 1, 0);
        if (d.hash() != null || r.copies() > 1) {
            volumeJobs.queueCopies(r, b, d.hash());
        }
        return lm.info(r.id());
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
            outcomes.finish(t, ok ? "done" : "failed", r.bfid(), r.cookie(), ok ? null : d.error(), d.moverId(), ok ? r.size() : 0,
                    ok ? 1 : 0, ok ? 0 : 1);
            served += ok ? 1 : 0;
        }
        if (served > 0) {
            volumes.updateReadStats(r.volume(), r.size());
        }
        return lm.info(r.id());
    }
}
