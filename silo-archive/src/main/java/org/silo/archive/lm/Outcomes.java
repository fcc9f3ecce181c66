package org.silo.archive.lm;

import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.archive.volume.VolumeClerk;
import org.silo.wire.SiloException;

/**
 * What a transfer_done leaves in the catalog, whatever the request's kind: the request's end (its state,
 * error and what it found) with the mover's statistics, and the end of a volume's append (its write mark
 * released, its bytes counted). {@link Completions} ends writes and reads with these, {@link VolumeJobs}
 * copies and verifies, {@link NoRoom} writes that found their volume full.
 */
final class Outcomes {
    private final Catalog catalog;
    private final VolumeClerk volumes;

    Outcomes(Catalog catalog, VolumeClerk volumes) {
        this.catalog = catalog;
        this.volumes = volumes;
    }

    /**
     * The append to the volume is over: its write mark goes if {@code moverName} held it, and the
     * {@code bytes} written (0 if none) are counted (the volume clerk's append done).
     */
    void releaseWriting(String label, String moverName, long bytes) throws SiloException {
        if (label == null) {
            return; // given back to the queue: its write mark went with it
        }
        VolumeInfo v = volumes.inquire(label);
        if (moverName.equals(v.writing()) || bytes > 0) {
            volumes.appendDone(label, bytes);
        }
    }

    void finish(
            long id,
            String state,
            String bfid,
            String cookie,
            String error,
            String mover,
            long bytes,
            long nfiles,
            long errors)
            throws SiloException {
        finish(id, state, bfid, cookie, error, mover, bytes, nfiles, errors, null);
    }

    /** Ends a request, with what it found ({@code result}) in the same transaction, so no one sees it done without it. */
    void finish(
            long id,
            String state,
            String bfid,
            String cookie,
            String error,
            String mover,
            long bytes,
            long nfiles,
            long errors,
            String result)
            throws SiloException {
        catalog.tx(c -> {
            long now = System.currentTimeMillis();
            Sql.update(
                    c,
                    "UPDATE request SET state = ?, bfid = COALESCE(?, bfid), cookie = COALESCE(?, cookie), error = ?,"
                            + " result = COALESCE(?, result), updated_ms = ? WHERE id = ?",
                    state,
                    bfid,
                    cookie,
                    error == null ? null : Requests.cut(error, 2048),
                    result == null ? null : Requests.cut(result, 2048),
                    now,
                    id);
            Sql.update(
                    c,
                    "UPDATE mover SET bytes = bytes + ?, files = files + ?, errors = errors + ?, seen_ms = ? WHERE id = ?",
                    bytes,
                    nfiles,
                    errors,
                    now,
                    mover);
            return null;
        });
    }
}
