package org.silo.archive.mover;

import org.silo.archive.ops.LibraryMessages.FileRef;
import org.silo.archive.ops.LibraryMessages.Job;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.VolumeState;
import org.silo.wire.SiloException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a mover checks before it contacts the client of a write, so that the client sends its bytes only
 * to a volume that can take them; either finding sends the request back to the queue as it stands, for
 * another volume, and the client, not yet contacted, simply keeps waiting:
 *
 * <ol>
 * <li>seed 000's <b>inquire_vol</b>: the volume's record as the volume clerk has it now. A volume set
 *     {@code readonly}, {@code full}, {@code noaccess} or {@code hung} since the job was bound (a mount can
 *     take minutes, an operator may act meanwhile), or with fewer bytes remaining than the job's files, is
 *     not written ({@link TransferDone#notWritable}). A clerk that does not answer leaves the write as the
 *     library manager bound it: that choice was made on the same record moments before;
 * <li>the volume's storage: less free space than the job's files (less {@link Mover#ROOM_MARGIN}) is
 *     reported with what it really has, as seed 000's set_remaining_bytes ({@link TransferDone#noRoom}).
 * </ol>
 */
final class BeforeWrite {
    private static final Logger log = LoggerFactory.getLogger(BeforeWrite.class);

    private BeforeWrite() {}

    /** Whether the job is not to be written to its volume; if so the library manager has been told why. */
    static boolean refused(JobHost host, Job job) throws SiloException {
        long size = job.files().stream().mapToLong(FileRef::size).sum();
        String why = notWritable(host, job, size);
        if (why != null) {
            log.info("mover {}: job {}: {}", host.name(), job.id(), why);
            host.transferDone(TransferDone.notWritable(host.id(), job.id(), why));
            return true;
        }
        long room;
        try {
            room = room(host.backends().get(job.backend()));
        } catch (SiloException | RuntimeException e) {
            return false; // the write itself says what is wrong with the volume
        }
        if (room < 0 || room >= size) {
            return false;
        }
        why = "volume " + job.volume() + " has room for " + room + " more bytes, not for the " + size + " of "
                + job.path() + (job.files().size() > 1 ? " and " + (job.files().size() - 1) + " more files" : "");
        log.info("mover {}: job {}: {}", host.name(), job.id(), why);
        host.transferDone(TransferDone.noRoom(host.id(), job.id(), why, room, true));
        return true;
    }

    /** inquire_vol: why the volume cannot take the job's {@code size} bytes now, or null if it can (or the clerk cannot say). */
    private static String notWritable(JobHost host, Job job, long size) {
        VolumeInfo v;
        try {
            v = host.link().inquireVol(job.volume());
        } catch (SiloException | RuntimeException e) {
            log.info(
                    "mover {}: job {}: inquire_vol {} not answered ({}); writing it as bound",
                    host.name(),
                    job.id(),
                    job.volume(),
                    e.getMessage());
            return null;
        }
        boolean writable;
        try {
            writable = VolumeState.parse(v.state()).writable();
        } catch (SiloException e) {
            writable = false;
        }
        if (!writable) {
            return "volume " + v.label() + " is " + v.state() + " (by " + v.stateBy() + ": " + v.stateReason()
                    + ") since job " + job.id() + " was bound to it: not written";
        }
        if (v.remaining() < size) {
            return "volume " + v.label() + " has " + v.remaining() + " bytes remaining since job " + job.id()
                    + " was bound to it, not the " + size + " it needs: not written";
        }
        return null;
    }

    /** What the volume can still take: its storage's free bytes less {@link Mover#ROOM_MARGIN} (-1: it cannot tell). */
    static long room(Backend b) {
        long free = b == null ? -1 : b.freeBytes();
        return free < 0 ? -1 : Math.max(0, free - Mover.ROOM_MARGIN);
    }
}
