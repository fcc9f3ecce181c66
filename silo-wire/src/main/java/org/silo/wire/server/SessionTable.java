package org.silo.wire.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/** The live sessions, by random 64-bit id, with caps in total and per address. */
final class SessionTable {
    /** A START is identified by who sent it and its request id, so a repeated START gets the same session. */
    private record StartKey(InetSocketAddress from, long requestId) {}

    private final ConcurrentHashMap<Long, Session> byId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<StartKey, Session> byStart = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, StartKey> startOf = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final int maxSessions;
    private final int maxPerAddress;

    SessionTable(int maxSessions, int maxPerAddress) {
        this.maxSessions = maxSessions;
        this.maxPerAddress = maxPerAddress;
    }

    Session get(long id) {
        return byId.get(id);
    }

    int size() {
        return byId.size();
    }

    synchronized Session start(InetSocketAddress from, long requestId, long nowNanos) throws SiloException {
        StartKey key = new StartKey(from, requestId);
        Session again = byStart.get(key);
        if (again != null) {
            return again;
        }
        if (byId.size() >= maxSessions) {
            throw SiloException.of(ErrorCode.RESOURCE, "the server has " + maxSessions + " sessions, its maximum");
        }
        AtomicInteger count = perAddress.computeIfAbsent(from.getAddress(), a -> new AtomicInteger());
        if (count.get() >= maxPerAddress) {
            throw SiloException.of(
                    ErrorCode.RESOURCE,
                    from.getAddress().getHostAddress() + " already has " + maxPerAddress + " sessions");
        }
        long id;
        do {
            id = random.nextLong();
        } while (id == 0 || byId.containsKey(id));
        Session s = new Session(id, from.getAddress(), nowNanos);
        byId.put(id, s);
        byStart.put(key, s);
        startOf.put(id, key);
        count.incrementAndGet();
        return s;
    }

    synchronized boolean end(long id) {
        Session s = byId.remove(id);
        if (s == null) {
            return false;
        }
        StartKey key = startOf.remove(id);
        if (key != null) {
            byStart.remove(key);
        }
        AtomicInteger count = perAddress.get(s.address());
        if (count != null && count.decrementAndGet() <= 0) {
            perAddress.remove(s.address());
        }
        return true;
    }

    /** Sessions idle for longer than the timeout, to be ended by the caller. */
    List<Session> idle(long nowNanos, long idleNanos) {
        List<Session> out = new ArrayList<>();
        for (Session s : byId.values()) {
            if (nowNanos - s.lastSeenNanos() > idleNanos) {
                out.add(s);
            }
        }
        return out;
    }
}
