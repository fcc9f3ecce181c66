package org.silo.wire.server;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The saved replies that make every request run at most once (seed 000: "if the reception is a repeat
 * request, send a saved copy of the response"). docs/protocol.md §6 is the contract.
 *
 * <p>Each (session, request id) is IN_PROGRESS while its handler runs and DONE with the reply bytes
 * after. Entries go when the client releases them (the frame's {@code released} field, as NFSv4.1
 * sessions bound their reply cache, RFC 8881 §2.10.6) or when their session ends: never merely because
 * they are old, since a client may repeat a request for as long as its deadline, which the server does
 * not know (the CLI's {@code --timeout} has no upper bound, and a retransmission timer that has doubled
 * to 60 s repeats a request that rarely).
 *
 * <p>When a bound is reached, the one exception: a finished entry its client has said nothing about for
 * longer than the retention (neither released it nor repeated it) may go, least recently asked first.
 * A client whose every retransmission of one request was lost for that long is the only one that can
 * be hurt. If no entry qualifies the new request is refused with RESOURCE, FreeBSD's rule, rather than
 * risk running something twice; an entry in progress is never evicted.
 *
 * <p>Thread-safe; one lock, held for map operations only.
 */
public final class ReplyCache {
    private static final Logger log = LoggerFactory.getLogger(ReplyCache.class);

    /** A rough per-entry cost in bytes beyond the reply itself: key, entry, map nodes. */
    static final int ENTRY_OVERHEAD = 160;

    public enum Kind {
        /** Never seen: the caller must run it and then {@link #complete} it. */
        NEW,
        /** Running now: answer WAIT. */
        IN_PROGRESS,
        /** Done: answer with {@link Lookup#reply()}. */
        DONE,
        /** Below the session's released mark: the client no longer waits for it; drop. */
        STALE,
        /** The id was used before for a different request: answer REUSED_ID. */
        REUSED,
        /** No room for another entry that must be kept: answer RESOURCE. */
        FULL
    }

    public record Lookup(Kind kind, byte[] reply, long startedNanos) {
        static final Lookup NEW = new Lookup(Kind.NEW, null, 0);
        static final Lookup STALE = new Lookup(Kind.STALE, null, 0);
        static final Lookup REUSED = new Lookup(Kind.REUSED, null, 0);
        static final Lookup FULL = new Lookup(Kind.FULL, null, 0);
    }

    private record Key(long session, long requestId) {}

    private static final class Entry {
        final Key key;
        final int requestCrc;
        final long createdNanos;
        /** When the client last asked for it: its completion, or its latest repeat since. */
        long askedNanos;

        byte[] reply;

        Entry(Key key, int requestCrc, long createdNanos) {
            this.key = key;
            this.requestCrc = requestCrc;
            this.createdNanos = createdNanos;
            this.askedNanos = createdNanos;
        }

        boolean evictable(long nowNanos, long retentionNanos) {
            return reply != null && nowNanos - askedNanos > retentionNanos;
        }

        long cost() {
            return ENTRY_OVERHEAD + (reply == null ? 0 : reply.length);
        }
    }

    private static final class SessionEntries {
        final NavigableMap<Long, Entry> byId = new TreeMap<>();
        long releasedBelow = Long.MIN_VALUE;
    }

    private final int maxEntries;
    private final long maxBytes;
    private final int maxPerSession;
    private final long retentionNanos;

    /** Access order: the head is the least recently asked for. */
    private final LinkedHashMap<Key, Entry> lru = new LinkedHashMap<>(1024, 0.75f, true);

    private final Map<Long, SessionEntries> sessions = new HashMap<>();
    private long bytes;
    private long hits;
    private long misses;
    private long evictions;
    private long rejected;

    public ReplyCache(int maxEntries, long maxBytes, int maxPerSession, long retentionNanos) {
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
        this.maxPerSession = maxPerSession;
        this.retentionNanos = retentionNanos;
    }

    /**
     * Looks a request up and, when it is new and there is room, records it IN_PROGRESS.
     *
     * @param requestCrc a fingerprint of the request body, to tell a retransmission from a reused id
     */
    public synchronized Lookup begin(long session, long requestId, int requestCrc, long nowNanos) {
        Key key = new Key(session, requestId);
        Entry e = lru.get(key);
        if (e != null) {
            if (e.requestCrc != requestCrc) {
                return Lookup.REUSED;
            }
            hits++;
            e.askedNanos = nowNanos;
            return e.reply == null
                    ? new Lookup(Kind.IN_PROGRESS, null, e.createdNanos)
                    : new Lookup(Kind.DONE, e.reply, e.createdNanos);
        }
        SessionEntries se = sessions.computeIfAbsent(session, s -> new SessionEntries());
        if (requestId < se.releasedBelow) {
            return Lookup.STALE;
        }
        misses++;
        if (!makeRoom(se, ENTRY_OVERHEAD, nowNanos)) {
            rejected++;
            if (se.byId.isEmpty()) {
                sessions.remove(session);
            }
            return Lookup.FULL;
        }
        e = new Entry(key, requestCrc, nowNanos);
        lru.put(key, e);
        se.byId.put(requestId, e);
        bytes += e.cost();
        return Lookup.NEW;
    }

    /** Saves the reply of a request begun with {@link #begin}; a no-op if it was released meanwhile. */
    public synchronized void complete(long session, long requestId, byte[] reply, long nowNanos) {
        Entry e = lru.get(new Key(session, requestId));
        if (e == null || e.reply != null) {
            return;
        }
        e.reply = reply;
        e.askedNanos = nowNanos;
        bytes += reply.length;
        SessionEntries se = sessions.get(session);
        if (se != null && requestId < se.releasedBelow) {
            remove(e);
        }
    }

    /** Forgets a request begun with {@link #begin} whose work was never started (queue full). */
    public synchronized void abandon(long session, long requestId) {
        Entry e = lru.get(new Key(session, requestId));
        if (e != null && e.reply == null) {
            remove(e);
        }
    }

    /** The client will never again ask for ids below {@code mark}: drop their saved replies. */
    public synchronized void release(long session, long mark) {
        SessionEntries se = sessions.get(session);
        if (se == null || mark <= se.releasedBelow) {
            return;
        }
        se.releasedBelow = mark;
        Iterator<Entry> it = se.byId.headMap(mark, false).values().iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (e.reply != null) {
                it.remove();
                lru.remove(e.key);
                bytes -= e.cost();
            }
        }
    }

    /** The session ended: everything it saved goes. */
    public synchronized void endSession(long session) {
        SessionEntries se = sessions.remove(session);
        if (se == null) {
            return;
        }
        for (Entry e : se.byId.values()) {
            lru.remove(e.key);
            bytes -= e.cost();
        }
    }

    private boolean makeRoom(SessionEntries se, long need, long nowNanos) {
        while (!(lru.size() < maxEntries && bytes + need <= maxBytes && se.byId.size() < maxPerSession)) {
            Entry victim = se.byId.size() >= maxPerSession
                    ? oldestEvictable(se.byId.values(), nowNanos)
                    : oldestEvictable(nowNanos);
            if (victim == null) {
                return false;
            }
            remove(victim);
            evictions++;
            if (evictions == 1 || Long.bitCount(evictions) == 1) {
                log.warn(
                        "reply cache full: dropped a saved reply not asked for in {} s but not released ({} so far);"
                                + " raise reply-cache.entries, .bytes or .per-session",
                        TimeUnit.NANOSECONDS.toSeconds(retentionNanos),
                        evictions);
            }
        }
        return true;
    }

    /**
     * The least recently asked-for finished entry not asked for within the retention, or null. The
     * access order is the order of {@code askedNanos} (both move on every begin and complete), so the scan
     * stops at the first entry asked for within the retention.
     */
    private Entry oldestEvictable(long nowNanos) {
        for (Entry e : lru.values()) {
            if (nowNanos - e.askedNanos <= retentionNanos) {
                return null;
            }
            if (e.reply != null) {
                return e;
            }
        }
        return null;
    }

    /** Of one session's entries, the least recently asked-for that may go, or null. */
    private Entry oldestEvictable(Iterable<Entry> entries, long nowNanos) {
        Entry oldest = null;
        for (Entry e : entries) {
            if (e.evictable(nowNanos, retentionNanos) && (oldest == null || e.askedNanos < oldest.askedNanos)) {
                oldest = e;
            }
        }
        return oldest;
    }

    private void remove(Entry e) {
        lru.remove(e.key);
        forgetInSession(e);
        bytes -= e.cost();
    }

    private void forgetInSession(Entry e) {
        SessionEntries se = sessions.get(e.key.session());
        if (se != null) {
            se.byId.remove(e.key.requestId());
        }
    }

    public synchronized int size() {
        return lru.size();
    }

    public synchronized long bytes() {
        return bytes;
    }

    public synchronized long hits() {
        return hits;
    }

    public synchronized long misses() {
        return misses;
    }

    public synchronized long evictions() {
        return evictions;
    }

    public synchronized long rejected() {
        return rejected;
    }
}
