package org.silo.files.server;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.silo.wire.SiloException;

/**
 * The open objects behind capability handles (random 128 bits, usable by whoever holds them) and
 * integer handles (small numbers, per session). An object unused for the idle time is closed.
 */
final class HandleTable {
    private record Entry(OpenObject object, long[] lastUsed) {}

    private final Map<String, Entry> capabilities = new ConcurrentHashMap<>();
    private final Map<String, Entry> integers = new ConcurrentHashMap<>();
    private final Map<Long, AtomicInteger> nextInteger = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final long idleMillis;
    private final int maxOpen;

    HandleTable(long idleMillis, int maxOpen) {
        this.idleMillis = idleMillis;
        this.maxOpen = maxOpen;
    }

    byte[] addCapability(OpenObject o) throws SiloException {
        room();
        byte[] c = new byte[16];
        random.nextBytes(c);
        capabilities.put(HexFormat.of().formatHex(c), new Entry(o, new long[] {System.currentTimeMillis()}));
        return c;
    }

    int addInteger(long session, OpenObject o) throws SiloException {
        room();
        int n = nextInteger.computeIfAbsent(session, s -> new AtomicInteger()).incrementAndGet();
        integers.put(session + "/" + n, new Entry(o, new long[] {System.currentTimeMillis()}));
        return n;
    }

    OpenObject capability(byte[] c) throws SiloException {
        return touch(capabilities.get(HexFormat.of().formatHex(c)), "capability");
    }

    OpenObject integer(long session, int n) throws SiloException {
        return touch(integers.get(session + "/" + n), "integer handle " + n);
    }

    boolean closeCapability(byte[] c) {
        return close(capabilities.remove(HexFormat.of().formatHex(c)));
    }

    boolean closeInteger(long session, int n) {
        return close(integers.remove(session + "/" + n));
    }

    /**
     * Closes every integer handle of a session that has ended (seed 002's ACTION_NETWORK_END): nobody
     * else can name them, so what they hold (an image's writer lock, a file being written, which is then
     * discarded, not archived) is let go at once rather than after the idle time. Capabilities are bearer
     * handles, usable from any session and from the data port, so a session's end does not revoke them;
     * they lapse when idle. Returns how many were closed.
     */
    int closeSession(long session) {
        String prefix = session + "/";
        int closed = 0;
        Iterator<Map.Entry<String, Entry>> it = integers.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Entry> e = it.next();
            if (e.getKey().startsWith(prefix)) {
                it.remove();
                e.getValue().object().close();
                closed++;
            }
        }
        nextInteger.remove(session);
        return closed;
    }

    int size() {
        return capabilities.size() + integers.size();
    }

    /** Closes what has been idle too long; the server calls it now and then. */
    void expire(long nowMillis) {
        for (Map<String, Entry> m : java.util.List.of(capabilities, integers)) {
            Iterator<Entry> it = m.values().iterator();
            while (it.hasNext()) {
                Entry e = it.next();
                if (nowMillis - e.lastUsed()[0] > idleMillis) {
                    it.remove();
                    e.object().close();
                }
            }
        }
    }

    void closeAll() {
        capabilities.values().forEach(e -> e.object().close());
        integers.values().forEach(e -> e.object().close());
        capabilities.clear();
        integers.clear();
    }

    private void room() throws SiloException {
        if (size() >= maxOpen) {
            expire(System.currentTimeMillis());
            if (size() >= maxOpen) {
                throw SiloException.of(org.silo.wire.ErrorCode.RESOURCE, maxOpen + " objects are open; close some");
            }
        }
    }

    private static OpenObject touch(Entry e, String what) throws SiloException {
        if (e == null) {
            throw SiloException.notFound("no open object for this " + what + " (closed, expired, or never opened)");
        }
        e.lastUsed()[0] = System.currentTimeMillis();
        return e.object();
    }

    private static boolean close(Entry e) {
        if (e == null) {
            return false;
        }
        e.object().close();
        return true;
    }
}
