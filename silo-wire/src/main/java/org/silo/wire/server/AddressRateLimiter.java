package org.silo.wire.server;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per source address for what the server sends to addresses it has not proved (START
 * cookies, DISOLVE): a flood from one address, or from spoofed ones, gets at most {@code perSecond}
 * answers a second each, with bursts of {@code burst}. The table is bounded: past {@code maxAddresses}
 * it is cleared, which only ever errs towards answering.
 */
final class AddressRateLimiter {
    private static final class Bucket {
        double tokens;
        long lastNanos;
    }

    private final ConcurrentHashMap<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();
    private final double perSecond;
    private final double burst;
    private final int maxAddresses;

    AddressRateLimiter(double perSecond, double burst, int maxAddresses) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.maxAddresses = maxAddresses;
    }

    boolean tryAcquire(InetAddress address, long nowNanos) {
        if (buckets.size() > maxAddresses) {
            buckets.clear();
        }
        Bucket b = buckets.computeIfAbsent(address, a -> {
            Bucket n = new Bucket();
            n.tokens = burst;
            n.lastNanos = nowNanos;
            return n;
        });
        synchronized (b) {
            b.tokens = Math.min(burst, b.tokens + (nowNanos - b.lastNanos) * perSecond / 1e9);
            b.lastNanos = nowNanos;
            if (b.tokens < 1) {
                return false;
            }
            b.tokens -= 1;
            return true;
        }
    }
}
