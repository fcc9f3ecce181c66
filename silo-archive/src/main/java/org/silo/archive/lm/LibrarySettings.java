package org.silo.archive.lm;

import org.silo.archive.ops.LibraryMessages;

/**
 * How the library manager schedules and watches: aging, mover timeouts, aggregation and hung movers
 * (docs/configuration.md, the {@code archive.*} keys; docs/archive.md, "Library manager").
 *
 * @param ageTimeMs      a waiting request gains {@code deltaPri} every this many milliseconds
 * @param deltaPri       priority gained per {@code ageTimeMs} of waiting
 * @param maxPri         aging stops here
 * @param moverTimeoutMs a mover silent this long loses its binding and its requests
 * @param pollWaitMs     how long idle_mover waits for work before answering nowork
 * @param hungAfterMs    a mover whose job moves no byte this long is hung ({@link HungMovers}, archive.hung-after)
 */
public record LibrarySettings(
        long ageTimeMs,
        int deltaPri,
        int maxPri,
        long moverTimeoutMs,
        long pollWaitMs,
        LibraryMessages.Aggregation aggregation,
        long hungAfterMs) {
    /** Files under 64 MiB go into containers of up to 1 GiB, closed after a second without a byte from the client. */
    public static final LibraryMessages.Aggregation AGGREGATION =
            new LibraryMessages.Aggregation(64L << 20, 1L << 30, 1000);
    /** 5 minutes: over the data connection's 2-minute read timeout, so a client that stops sending is not a hung drive. */
    public static final long HUNG_AFTER_MS = 5 * 60_000L;

    public static final LibrarySettings DEFAULTS = new LibrarySettings(30 * 60_000L, 1, 1_000_001, 10_000, 500);

    public LibrarySettings(long ageTimeMs, int deltaPri, int maxPri, long moverTimeoutMs, long pollWaitMs) {
        this(ageTimeMs, deltaPri, maxPri, moverTimeoutMs, pollWaitMs, AGGREGATION, HUNG_AFTER_MS);
    }

    public LibrarySettings withMoverTimeout(long ms) {
        return new LibrarySettings(ageTimeMs, deltaPri, maxPri, ms, pollWaitMs, aggregation, hungAfterMs);
    }

    public LibrarySettings withAgeTime(long ms) {
        return new LibrarySettings(ms, deltaPri, maxPri, moverTimeoutMs, pollWaitMs, aggregation, hungAfterMs);
    }

    /** How movers pack small files (archive.aggregate-below, archive.aggregate-size, archive.aggregate-idle). */
    public LibrarySettings withAggregation(LibraryMessages.Aggregation a) {
        if (a.below() < 0 || a.containerSize() < 1 || a.idleMs() < 1) {
            throw new IllegalArgumentException("aggregation needs below >= 0, a container size and an idle time: " + a);
        }
        return new LibrarySettings(ageTimeMs, deltaPri, maxPri, moverTimeoutMs, pollWaitMs, a, hungAfterMs);
    }

    /** archive.hung-after: how long a running job may move no byte before its mover counts as hung. */
    public LibrarySettings withHungAfter(long ms) {
        if (ms < 1) {
            throw new IllegalArgumentException("hung-after must be at least 1 ms, not " + ms);
        }
        return new LibrarySettings(ageTimeMs, deltaPri, maxPri, moverTimeoutMs, pollWaitMs, aggregation, ms);
    }
}
