package org.silo.wire.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/** The endpoint's counters, as Micrometer meters (exported as silo_wire_* and silo_reply_cache_*). */
final class WireMetrics {
    /** Why a frame got no normal answer. */
    enum Drop {
        SHORT,
        OVERSIZE,
        CRC,
        VERSION,
        FLAGS,
        NOT_REQUEST,
        STALE,
        MAC,
        AMPLIFICATION,
        RATE,
        TCP_FRAME,
        CONNECTION
    }

    final Counter received;
    final Counter replies;
    final Counter retransmissions;
    final Counter disolved;
    final Counter tooBig;
    final Counter resource;
    final Counter loginFailures;
    private final Map<Drop, Counter> dropped = new EnumMap<>(Drop.class);

    WireMetrics(MeterRegistry registry, ReplyCache cache, SessionTable sessions) {
        received = Counter.builder("silo.wire.requests")
                .description("request frames received")
                .register(registry);
        replies = Counter.builder("silo.wire.replies")
                .description("reply frames sent")
                .register(registry);
        retransmissions = Counter.builder("silo.wire.retransmissions")
                .description("repeated requests answered from the reply cache or with WAIT")
                .register(registry);
        disolved = Counter.builder("silo.wire.disolve")
                .description("frames outside a session answered DISOLVE")
                .register(registry);
        tooBig = Counter.builder("silo.wire.too_big")
                .description("replies sent as TOO_BIG: repeat over TCP")
                .register(registry);
        resource = Counter.builder("silo.wire.resource")
                .description("requests refused with RESOURCE")
                .register(registry);
        loginFailures = Counter.builder("silo.wire.login_failures")
                .description("PASSWD proofs refused")
                .register(registry);
        for (Drop d : Drop.values()) {
            dropped.put(
                    d,
                    Counter.builder("silo.wire.dropped")
                            .tag("reason", d.name().toLowerCase())
                            .description("frames dropped without an answer")
                            .register(registry));
        }
        FunctionCounter.builder("silo.reply_cache.hits", cache, ReplyCache::hits)
                .register(registry);
        FunctionCounter.builder("silo.reply_cache.misses", cache, ReplyCache::misses)
                .register(registry);
        FunctionCounter.builder("silo.reply_cache.evictions", cache, ReplyCache::evictions)
                .register(registry);
        FunctionCounter.builder("silo.reply_cache.rejected", cache, ReplyCache::rejected)
                .register(registry);
        Gauge.builder("silo.reply_cache.entries", cache, ReplyCache::size).register(registry);
        Gauge.builder("silo.reply_cache.bytes", cache, ReplyCache::bytes).register(registry);
        Gauge.builder("silo.wire.sessions", sessions, SessionTable::size).register(registry);
    }

    void drop(Drop why) {
        dropped.get(why).increment();
    }

    long dropped(Drop why) {
        return (long) dropped.get(why).count();
    }
}
