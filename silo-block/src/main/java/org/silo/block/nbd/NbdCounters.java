package org.silo.block.nbd;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters a user asks about; readable from any thread while the server runs. */
public final class NbdCounters {
    final LongAdder connections = new LongAdder();
    final LongAdder reads = new LongAdder();
    final LongAdder writes = new LongAdder();
    final LongAdder errors = new LongAdder();

    /** A snapshot by name: connections, reads, writes, errors. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("connections", connections.sum());
        out.put("reads", reads.sum());
        out.put("writes", writes.sum());
        out.put("errors", errors.sum());
        return out;
    }
}
