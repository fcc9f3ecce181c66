package org.silo.files.server;

import org.silo.files.FilesOps;
import org.silo.files.FilesOps.Warning;

/**
 * Seed 003's third answer, "warning": the operation succeeded, but not quite as asked (docs/files.md,
 * Warnings). What the file service warns of, and in what words.
 */
final class Warnings {
    private Warnings() {}

    /** The longest lease granted; more is granted this long, with LEASE_SHORTER. */
    static final int MAX_LEASE_SECONDS = 3600;

    /** The seconds a lease asked for {@code asked} (u32 on the wire) is granted: 1 to {@link #MAX_LEASE_SECONDS}. */
    static int leaseSeconds(long asked) {
        return (int) Math.clamp(asked, 1, MAX_LEASE_SECONDS);
    }

    /** LEASE_SHORTER if the lease granted is not as long as asked; else null. */
    static Warning lease(long asked, int granted) {
        if (asked == granted) {
            return null;
        }
        return new Warning(
                FilesOps.WARN_LEASE_SHORTER,
                "granted for " + granted + " s, not the " + asked + " s asked"
                        + (asked > granted
                                ? " (the longest lease is " + MAX_LEASE_SECONDS + " s): renew it before then"
                                : ""));
    }

    /**
     * An archived file's open: OTHER_COPY if it is read from a copy because its first volume could not be,
     * STAGED if the open waited for it to be staged; both in one text when both (a reply has room for one).
     */
    static Warning archived(String otherCopy, String staged) {
        if (otherCopy != null) {
            return new Warning(FilesOps.WARN_OTHER_COPY, otherCopy + (staged == null ? "" : "; " + staged));
        }
        return staged == null ? null : new Warning(FilesOps.WARN_STAGED, staged);
    }

    /** An object that carries a warning from its open to the open's reply (an archived file's). */
    interface Warned {
        Warning warning();
    }
}
