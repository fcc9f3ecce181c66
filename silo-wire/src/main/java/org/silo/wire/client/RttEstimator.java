package org.silo.wire.client;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Round-trip time and retransmission timeout as RFC 9002 §5 and §6.2 compute them: initial RTT 333 ms,
 * {@code srtt = 7/8 srtt + 1/8 sample}, {@code rttvar = 3/4 rttvar + 1/4 |srtt - sample|}, timeout
 * {@code srtt + max(4 rttvar, 1 ms) + max_ack_delay}, clamped to 10 ms .. 60 s. Each retransmission
 * doubles it, with ±25% jitter. Not thread-safe: the client's event loop owns it.
 *
 * <p>max_ack_delay is QUIC's default, 25 ms (RFC 9000 §18.2): a Silo server does not delay its answers
 * on purpose, but a busy one is late by about that much, and without the allowance a loopback client's
 * five retries would all be spent within 0.6 s of a hiccup.
 */
public final class RttEstimator {
    static final long INITIAL_RTT = TimeUnit.MILLISECONDS.toNanos(333);
    static final long GRANULARITY = TimeUnit.MILLISECONDS.toNanos(1);
    static final long MAX_ACK_DELAY = TimeUnit.MILLISECONDS.toNanos(25);
    static final long MIN_TIMEOUT = TimeUnit.MILLISECONDS.toNanos(10);
    static final long MAX_TIMEOUT = TimeUnit.SECONDS.toNanos(60);

    private boolean sampled;
    private long srtt = INITIAL_RTT;
    private long rttvar = INITIAL_RTT / 2;
    private long latest;

    /** A round trip measured on a request answered at its first transmission (Karn's rule). */
    public void sample(long rttNanos) {
        latest = rttNanos;
        if (!sampled) {
            sampled = true;
            srtt = rttNanos;
            rttvar = rttNanos / 2;
            return;
        }
        rttvar = (3 * rttvar + Math.abs(srtt - rttNanos)) / 4;
        srtt = (7 * srtt + rttNanos) / 8;
    }

    /** The base timeout, before back-off. */
    public long timeoutNanos() {
        return Math.clamp(srtt + Math.max(4 * rttvar, GRANULARITY) + MAX_ACK_DELAY, MIN_TIMEOUT, MAX_TIMEOUT);
    }

    /** The timeout for the given transmission (1 = first), doubled per retransmission, with jitter. */
    public long timeoutNanos(int transmission) {
        long base = timeoutNanos();
        int doublings = Math.min(transmission - 1, 20);
        long backedOff = doublings >= 13 ? MAX_TIMEOUT : Math.min(MAX_TIMEOUT, base << doublings);
        double jitter = 0.75 + 0.5 * ThreadLocalRandom.current().nextDouble();
        return Math.clamp((long) (backedOff * jitter), MIN_TIMEOUT, MAX_TIMEOUT);
    }

    public long smoothedNanos() {
        return srtt;
    }

    public long variationNanos() {
        return rttvar;
    }
}
