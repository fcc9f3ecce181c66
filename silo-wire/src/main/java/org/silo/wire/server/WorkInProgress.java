package org.silo.wire.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The messages running on worker threads now, so that their clients hear WAIT without having to ask
 * for it (docs/protocol.md §6). A client that hears nothing for two seconds takes the server for silent;
 * a busy client may not repeat its request in time to be told, and over TCP it never repeats at all, so
 * the server says WAIT by itself every {@link #WAIT_EVERY_NANOS} while the work runs (ARDP's
 * {@code svc_rwait}, sent unasked). Not sooner: most blocking work, and the movers' half-second polls
 * for work, end first, and need no extra datagram. Thread-safe.
 */
final class WorkInProgress {
    /** One WAIT this often, the first when the work has run this long; a WAIT that answered a repeat counts. */
    static final long WAIT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private record Key(long session, long requestId) {}

    /** One running message: where its WAIT goes, and when the next one is due. */
    static final class Work {
        final Session session;
        final long frameSession;
        final long requestId;
        final Peer peer;
        final long startedNanos;
        private long nextWaitNanos;

        private Work(Session session, long frameSession, long requestId, Peer peer, long startedNanos) {
            this.session = session;
            this.frameSession = frameSession;
            this.requestId = requestId;
            this.peer = peer;
            this.startedNanos = startedNanos;
            this.nextWaitNanos = startedNanos + WAIT_EVERY_NANOS;
        }
    }

    private final Map<Key, Work> running = new ConcurrentHashMap<>();

    void started(Session s, long frameSession, long requestId, Peer peer, long nowNanos) {
        running.put(new Key(s.id(), requestId), new Work(s, frameSession, requestId, peer, nowNanos));
    }

    void finished(Session s, long requestId) {
        running.remove(new Key(s.id(), requestId));
    }

    /** A WAIT answered a repeat of this request: the next unasked one is due a full period later. */
    void waitSent(Session s, long requestId, long nowNanos) {
        Work w = running.get(new Key(s.id(), requestId));
        if (w != null) {
            synchronized (w) {
                w.nextWaitNanos = nowNanos + WAIT_EVERY_NANOS;
            }
        }
    }

    /** The work whose client is owed a WAIT now; each is taken as told. */
    List<Work> due(long nowNanos) {
        List<Work> out = new ArrayList<>();
        for (Work w : running.values()) {
            synchronized (w) {
                if (nowNanos - w.nextWaitNanos >= 0) {
                    w.nextWaitNanos = nowNanos + WAIT_EVERY_NANOS;
                    out.add(w);
                }
            }
        }
        return out;
    }

    int size() {
        return running.size();
    }
}
