package org.silo.archive.mover;

import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.silo.archive.ops.LibraryMessages.Job;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.volume.Backends;

/**
 * A copy job whose bytes a text worker delivers (seed 004's "push/get": the worker fetched the source
 * and pushes it back, docs/control-protocol.md, "Copies by a text worker"). The server appends what
 * arrives to the job's target exactly as a mover's copy does ({@link VolumeWork#copy}): the Adler-32
 * (and the content hash, when the catalog has one) must match before the append commits, and the copy
 * is read back and checked. The answer is the transfer_done to send for the worker.
 */
public final class DeliveredCopy {
    private DeliveredCopy() {}

    /**
     * @param done counts the bytes as they arrive (the worker's progress)
     * @param hash the catalog's content hash {@code ALG:HEX}, or null
     */
    public static TransferDone copy(
            String workerId, Backends backends, Job job, InputStream delivered, String hash, AtomicLong done) {
        VolumeWork work = new VolumeWork(workerId, backends, done, UnaryOperator.identity(), () -> false);
        return work.copy(job, () -> delivered, hash);
    }
}
