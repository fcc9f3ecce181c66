package org.silo.archive.mover;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A stream read no faster than a rate, for a mover that must leave a shared disk or link some room
 * ({@code archive.mover-rate}, docs/configuration.md): each read is at most 64 KiB, and the reader sleeps
 * until the bytes so far are due at that rate.
 */
final class PacedInput extends FilterInputStream {
    private final long bytesPerSecond;
    private final long start = System.nanoTime();
    private long n;

    private PacedInput(InputStream in, long bytesPerSecond) {
        super(in);
        this.bytesPerSecond = bytesPerSecond;
    }

    /** {@code in} paced to {@code bytesPerSecond}, or {@code in} itself for no limit (0 or less). */
    static InputStream of(InputStream in, long bytesPerSecond) {
        return bytesPerSecond <= 0 ? in : new PacedInput(in, bytesPerSecond);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int r = super.read(b, off, Math.min(len, 64 * 1024));
        if (r > 0) {
            n += r;
            long wait =
                    start + (long) (n * 1e9 / bytesPerSecond) - System.nanoTime(); // n * 1e9 overflows a long past 9 GB
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return r;
    }
}
