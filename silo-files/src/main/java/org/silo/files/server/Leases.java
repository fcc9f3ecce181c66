package org.silo.files.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.silo.files.FilesOps;
import org.silo.files.FilesOps.LeaseState;

/**
 * Read and write leases per object (docs/files.md, Leases). A read lease may be shared; a write lease
 * excludes every other lease and writer. A writer's open recalls the read leases: holders learn it at
 * their next renewal; one that never answers loses its lease when it expires. In memory: a restart ends
 * every lease, which is safe, since a holder that cannot renew must stop trusting its copy.
 */
final class Leases {
    private static final class Held {
        final boolean write;
        long expires;
        boolean recalled;
        /** The session that last took or renewed it: its expiry lets the lease go. */
        long session;

        Held(boolean write, long expires) {
            this.write = write;
            this.expires = expires;
        }
    }

    /** object key -> holder -> lease */
    private final Map<String, Map<String, Held>> leases = new HashMap<>();

    synchronized LeaseState take(String object, String holder, int kind, int seconds, long now) {
        return take(object, holder, kind, seconds, now, 0);
    }

    /** As {@link #take(String, String, int, int, long)}, remembering the session that asked ({@code 0}: none). */
    synchronized LeaseState take(String object, String holder, int kind, int seconds, long now, long session) {
        Map<String, Held> held = live(object, now);
        if (kind == FilesOps.LEASE_RELEASE) {
            held.remove(holder);
            return new LeaseState(false, 0, false, "released");
        }
        Held mine = held.get(holder);
        boolean write = kind == FilesOps.LEASE_WRITE;
        for (Map.Entry<String, Held> e : held.entrySet()) {
            if (!e.getKey().equals(holder) && (write || e.getValue().write)) {
                return new LeaseState(
                        false,
                        0,
                        false,
                        (e.getValue().write ? "a write lease" : "read leases") + " held by others until "
                                + java.time.Instant.ofEpochMilli(
                                        e.getValue().expires)); // ISO 8601 for people (docs/cli.md)
            }
        }
        if (mine != null && mine.recalled) {
            return new LeaseState(false, mine.expires, true, "recalled: a writer wants it; drop your copy and release");
        }
        long expires = now + seconds * 1000L;
        if (mine == null || mine.write != write) {
            mine = new Held(write, expires);
            held.put(holder, mine);
        } else {
            mine.expires = expires;
        }
        mine.session = session;
        return new LeaseState(true, expires, false, write ? "write lease" : "read lease");
    }

    /**
     * A writer wants to open the object: read leases are recalled, and the answer is how long until the
     * last of them expires (0: go ahead). A write lease is not recalled: it already keeps other lease
     * holders out, and the writer may well be its holder.
     */
    synchronized long recallReaders(String object, long now) {
        long wait = 0;
        for (Held h : live(object, now).values()) {
            if (!h.write) {
                h.recalled = true;
                wait = Math.max(wait, h.expires - now);
            }
        }
        return wait;
    }

    private Map<String, Held> live(String object, long now) {
        Map<String, Held> held = leases.computeIfAbsent(object, o -> new HashMap<>());
        Iterator<Held> it = held.values().iterator();
        while (it.hasNext()) {
            if (it.next().expires <= now) {
                it.remove();
            }
        }
        return held;
    }

    /**
     * A session expired (its client went silent: crashed, cut off): the leases it last took or renewed
     * are released now, so a writer need not wait out a dead reader's lease. A session that ends with
     * END keeps its leases: they belong to their holder id, which outlives sessions on purpose (the
     * whole-file cache takes a lease in one CLI run and renews it in the next), and expire by their own
     * time. Returns how many were released.
     */
    synchronized int sessionExpired(long session) {
        int released = 0;
        for (Map<String, Held> held : leases.values()) {
            Iterator<Held> it = held.values().iterator();
            while (it.hasNext()) {
                if (it.next().session == session) {
                    it.remove();
                    released++;
                }
            }
        }
        return released;
    }

    /** A lease as the console shows it: the object's key (name type, ':', name), its holder, kind, expiry, recall. */
    record Lease(String object, String holder, boolean write, long expiresMs, boolean recalled) {}

    /** Every lease held now, by object and holder. */
    synchronized List<Lease> list(long now) {
        List<Lease> out = new ArrayList<>();
        for (String object : new TreeSet<>(leases.keySet())) {
            for (Map.Entry<String, Held> e : new TreeMap<>(live(object, now)).entrySet()) {
                out.add(new Lease(object, e.getKey(), e.getValue().write, e.getValue().expires, e.getValue().recalled));
            }
        }
        return out;
    }

    synchronized int count() {
        return leases.values().stream().mapToInt(Map::size).sum();
    }
}
