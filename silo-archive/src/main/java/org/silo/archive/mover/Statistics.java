package org.silo.archive.mover;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What a mover has done since it started, for mover ls (seed 004's display of statistics): bytes and
 * files moved, jobs failed, volumes mounted. The catalog's {@code mover} row keeps the totals, which
 * the library manager adds up from each transfer_done and bind.
 */
final class Statistics {
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong files = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong mounts = new AtomicLong();

    /** {@code files} files of {@code bytes} bytes in all moved. */
    void moved(long bytes, long files) {
        this.bytes.addAndGet(bytes);
        this.files.addAndGet(files);
    }

    void failed() {
        errors.incrementAndGet();
    }

    void mounted() {
        mounts.incrementAndGet();
    }

    /** Bytes, files, errors and mounts. */
    long[] toArray() {
        return new long[] {bytes.get(), files.get(), errors.get(), mounts.get()};
    }
}
