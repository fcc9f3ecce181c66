package org.silo.archive.file;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Bit file ids: {@code B} + 13 decimal digits of milliseconds since the epoch + 5 digits of a counter,
 * so that ids sort by creation time as strings, and never repeat: each is above the last one issued by
 * this process and above the highest in the catalog when it opened (records are never removed, so no
 * id is reused). Two servers sharing a PostgreSQL catalog could mint the same id in the same
 * millisecond; the primary key refuses the second and the file clerk retries with a new one.
 */
public final class Bfids {
    private static final long PER_MS = 100_000;
    private final ReentrantLock lock = new ReentrantLock();
    private long last;

    public Bfids(String highestInCatalog) {
        this.last = highestInCatalog == null ? 0 : value(highestInCatalog);
    }

    public String next() {
        lock.lock();
        try {
            long v = Math.max(System.currentTimeMillis() * PER_MS, last + 1);
            last = v;
            return format(v);
        } finally {
            lock.unlock();
        }
    }

    /** Skips past an id another server issued. */
    public void seen(String bfid) {
        lock.lock();
        try {
            last = Math.max(last, value(bfid));
        } finally {
            lock.unlock();
        }
    }

    static String format(long v) {
        return String.format("B%018d", v);
    }

    static long value(String bfid) {
        if (bfid == null || !bfid.matches("B[0-9]{18}")) {
            return 0;
        }
        return Long.parseLong(bfid.substring(1));
    }

    /** The milliseconds since the epoch at which {@code bfid} was minted. */
    public static long millis(String bfid) {
        return value(bfid) / PER_MS;
    }

    public static boolean valid(String bfid) {
        return bfid != null && bfid.matches("B[0-9]{18}");
    }
}
