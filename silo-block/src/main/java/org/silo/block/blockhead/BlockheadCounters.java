package org.silo.block.blockhead;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters a user asks about; readable from any thread while the server runs. */
public final class BlockheadCounters {
    final LongAdder datagrams = new LongAdder();
    final LongAdder reads = new LongAdder();
    final LongAdder writes = new LongAdder();
    final LongAdder replays = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder sessionsOpened = new LongAdder();
    final LongAdder sessionsReaped = new LongAdder();
    final LongAdder refused = new LongAdder();

    /** A snapshot by name: datagrams, reads, writes, replays, errors, dropped, sessions_*, refused
     * (CONNECTs from an address an image's policy does not list). */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("datagrams", datagrams.sum());
        out.put("reads", reads.sum());
        out.put("writes", writes.sum());
        out.put("replays", replays.sum());
        out.put("errors", errors.sum());
        out.put("dropped", dropped.sum());
        out.put("sessionsOpened", sessionsOpened.sum());
        out.put("sessionsReaped", sessionsReaped.sum());
        out.put("refused", refused.sum());
        return out;
    }
}
