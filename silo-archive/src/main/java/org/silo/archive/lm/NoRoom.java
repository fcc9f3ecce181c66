package org.silo.archive.lm;

import java.sql.Connection;
import java.sql.SQLException;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.lm.Requests.Req;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.archive.volume.VolumeClerk;
import org.silo.wire.NoSpaceException;
import org.silo.wire.SiloException;
import org.silo.wire.Sizes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What becomes of a write its volume has no room for, so that a full volume is never chosen again for
 * it and its client never waits in silence:
 *
 * <ul>
 * <li>found by the mover before the client was contacted ({@code requeue}): the volume's remaining
 *     bytes become what it really has (seed 000's set_remaining_bytes; {@code full} at 0), and the
 *     request goes back to the queue as it stands, for another volume of its family;
 * <li>the volume answered ENOSPC while the bytes arrived: the volume becomes {@code full} with what it
 *     has left, and the request fails with {@link LibraryMessages#RESEND}, so that its client sends the
 *     file again (to another volume) without counting it as one of its retries;
 * <li>no volume of the library can take the file (next_write_volume answers NO_SPACE, and no volume of
 *     the family with room is merely busy): the request fails at once with
 *     {@link LibraryMessages#NO_SPACE} and the reason.
 * </ul>
 *
 * None of these counts as an error of the mover or of the volume (a full volume is not a bad one). The
 * same goes for a write whose mover found, by seed 000's inquire_vol before it contacted the client,
 * that its volume is no longer writable ({@link #notWritable}).
 */
final class NoRoom {
    private static final Logger log = LoggerFactory.getLogger(NoRoom.class);

    private static final String TRYING = "; trying another volume ";

    private final LibraryManager lm;
    private final Outcomes outcomes;
    private final Catalog catalog;
    private final VolumeClerk volumes;

    NoRoom(LibraryManager lm, Outcomes outcomes, Catalog catalog, VolumeClerk volumes) {
        this.lm = lm;
        this.outcomes = outcomes;
        this.catalog = catalog;
        this.volumes = volumes;
    }

    /** transfer_done of a write whose volume had no room for it ({@link TransferDone#noRoom()}); the job is the mover's. */
    JobInfo writeDone(Req r, TransferDone d, String moverName) throws SiloException {
        long room = d.volumeFree() == null ? -1 : d.volumeFree();
        String left = room < 0 ? "" : ", " + Sizes.format(room) + " left";
        if (d.requeue()) {
            VolumeInfo v = volumes.outOfRoom(
                    r.volume(),
                    room,
                    false,
                    moverName,
                    "room for " + Sizes.format(Math.max(0, room)) + " only, found by " + moverName + " before writing "
                            + r.path());
            String why = LibraryMessages.REQUEUED + "volume " + v.label() + " has room for "
                    + Sizes.format(v.remaining()) + ", not for this " + Sizes.format(r.size()) + " file" + TRYING
                    + "of file family " + r.fileFamily();
            catalog.tx(c -> Sql.update(
                    c,
                    "UPDATE request SET state = 'queued', mover = NULL, volume = NULL, error = ?, updated_ms = ?"
                            + " WHERE id = ? AND state = 'active' AND mover = ?",
                    Requests.cut(why, 2000),
                    System.currentTimeMillis(),
                    r.id(),
                    d.moverId()));
            log.info("job {} ({}): {}", r.id(), r.path(), why);
            return lm.info(r.id());
        }
        VolumeInfo v =
                volumes.outOfRoom(r.volume(), room, true, moverName, "no space left while writing " + r.path() + left);
        String why = LibraryMessages.RESEND + "volume " + v.label() + " is full (" + d.error() + left
                + "): the file goes to another volume";
        outcomes.finish(r.id(), "failed", null, null, why, d.moverId(), 0, 0, 0);
        log.info("job {} ({}): {}", r.id(), r.path(), why);
        return lm.info(r.id());
    }

    /**
     * transfer_done of a write whose mover's inquire_vol found its volume no longer writable (set readonly,
     * full, noaccess or hung since the job was bound): its write mark goes, and the request goes back to
     * the queue as it stands, for another volume; its client had not been contacted.
     */
    JobInfo notWritable(Req r, TransferDone d, String moverName) throws SiloException {
        outcomes.releaseWriting(r.volume(), moverName, 0);
        String why = LibraryMessages.REQUEUED + d.error() + TRYING + "of file family " + r.fileFamily();
        catalog.tx(c -> Sql.update(
                c,
                "UPDATE request SET state = 'queued', mover = NULL, volume = NULL, error = ?, updated_ms = ?"
                        + " WHERE id = ? AND state = 'active' AND mover = ?",
                Requests.cut(why, 2000),
                System.currentTimeMillis(),
                r.id(),
                d.moverId()));
        log.info("job {} ({}): {}", r.id(), r.path(), why);
        return lm.info(r.id());
    }

    /**
     * next_write_volume found no volume for the queued write {@code r} (in bindNext's transaction). BUSY (the
     * family already writes as many volumes as its width) and NOT_FOUND leave it waiting, with the reason
     * in its error; NO_SPACE fails it at once, unless a volume of its family with room for it is only being
     * written by another mover (it takes the file when that is done).
     */
    void noVolume(Connection c, Req r, SiloException e, long now) throws SQLException {
        if (e instanceof NoSpaceException && !busyWithRoom(c, r)) {
            String before = "";
            if (r.error() != null
                    && r.error().startsWith(LibraryMessages.REQUEUED + "volume ")) { // what the last volume said
                String said = r.error().substring(LibraryMessages.REQUEUED.length());
                before = "; " + (said.contains(TRYING) ? said.substring(0, said.indexOf(TRYING)) : said);
            }
            Sql.update(
                    c,
                    "UPDATE request SET state = 'failed', error = ?, updated_ms = ? WHERE id = ?",
                    Requests.cut(LibraryMessages.NO_SPACE + e.getMessage() + before, 2000),
                    now,
                    r.id());
            log.info("job {} ({}) failed: {}", r.id(), r.path(), e.getMessage());
            return;
        }
        Sql.update(
                c,
                "UPDATE request SET error = ? WHERE id = ?",
                "waiting: " + Requests.cut(e.getMessage(), 2000),
                r.id());
    }

    /** Whether a volume of the write's family is ok and has room for it, but is being written now. */
    private static boolean busyWithRoom(Connection c, Req r) throws SQLException {
        return Sql.count(
                        c,
                        "SELECT COUNT(*) FROM volume WHERE library = ? AND storage_group = ? AND file_family = ? AND state = 'ok'"
                                + " AND remaining >= ? AND writing IS NOT NULL",
                        r.library(),
                        r.storageGroup(),
                        r.fileFamily(),
                        r.size())
                > 0;
    }
}
