package org.silo.bench.wire;

import java.util.Arrays;
import java.util.Locale;

/** Calls per second and latency percentiles of one load run, printed as one JSON line. */
record LoadResult(
        String target, int window, int bytes, long calls, long failed, double seconds, long[] latenciesNanos) {

    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.clamp(i, 0, sorted.length - 1)];
    }

    String json() {
        long[] sorted = latenciesNanos.clone();
        Arrays.sort(sorted);
        return String.format(
                Locale.ROOT,
                "{\"target\":\"%s\",\"window\":%d,\"datagramBytes\":%d,\"calls\":%d,\"failed\":%d,\"seconds\":%.2f,"
                        + "\"callsPerSecond\":%.0f,\"p50us\":%.1f,\"p99us\":%.1f}",
                target,
                window,
                bytes,
                calls,
                failed,
                seconds,
                calls / seconds,
                percentile(sorted, 50) / 1e3,
                percentile(sorted, 99) / 1e3);
    }
}
