package org.silo.files.server;

import java.util.LinkedHashMap;
import java.util.Map;
import org.silo.wire.SiloException;

/**
 * Where archived files were found, remembered for a short time (like NFS's attribute cache, acregmin):
 * an open of a path located less than {@code ttlMillis} ago skips the catalog, whose SQLite transactions
 * are serialised and bound the open rate. Only files found are remembered (a new file is seen at once);
 * a file removed or renamed in the namespace may still be opened under its old name for up to the TTL
 * (its bytes are the same: archived files never change). 0 turns it off.
 */
final class Locations {
    private record Remembered(ArchivePaths.Located where, long until) {}

    private final long ttlMillis;
    private final Map<String, Remembered> recent = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Remembered> eldest) {
            return size() > 65_536;
        }
    };

    Locations(long ttlMillis) {
        this.ttlMillis = ttlMillis;
    }

    ArchivePaths.Located locate(ArchivePaths archive, String path) throws SiloException {
        if (ttlMillis <= 0) {
            return archive.locate(path);
        }
        long now = System.currentTimeMillis();
        synchronized (this) {
            Remembered e = recent.get(path);
            if (e != null && e.until() > now) {
                return e.where();
            }
        }
        ArchivePaths.Located where = archive.locate(path);
        synchronized (this) {
            recent.put(path, new Remembered(where, now + ttlMillis));
        }
        return where;
    }

    synchronized void forget(String path) {
        recent.remove(path);
    }
}
