package org.silo.files.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * The disk cache of archived files staged from volumes that cannot be read in place (S3), under
 * {@code <data>/files-cache}, one file per bit file id (archived files never change, so a bfid's copy is
 * good for ever). Bounded by {@code files.cache-size}: before a file is staged, copies not open now are
 * removed, least recently used first, until it fits. One staging per bfid at a time; later opens of the
 * same file wait for it.
 */
final class StageCache {
    /** A pinned copy: not evicted until released. */
    record Pinned(Path file, Runnable release) {}

    private static final class Entry {
        final long size;
        long lastUsed;
        int pins;

        Entry(long size, long lastUsed) {
            this.size = size;
            this.lastUsed = lastUsed;
        }
    }

    private final Path dir;
    private final long limit;
    private final Map<String, Entry> entries = new HashMap<>();
    private final Map<String, CompletableFuture<Void>> staging = new HashMap<>();
    private long used;
    private long reserved;
    final AtomicLong stagings = new AtomicLong();

    StageCache(Path dir, long limit) throws IOException {
        this.dir = dir;
        this.limit = limit;
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    Files.deleteIfExists(p); // a staging cut short by a stop
                } else if (Files.isRegularFile(p)) {
                    Entry e = new Entry(Files.size(p), Files.getLastModifiedTime(p).toMillis());
                    entries.put(name, e);
                    used += e.size;
                }
            }
        }
    }

    /**
     * The cached copy of {@code loc}, pinned; staged first if missing. Waits at most {@code waitMillis} for
     * a staging: then BUSY (the staging goes on; opening again waits for it).
     */
    Pinned get(ArchivePaths.Located loc, ArchivePaths archive, long waitMillis) throws SiloException {
        String key = loc.bfid();
        CompletableFuture<Void> f;
        synchronized (this) {
            Pinned p = pin(key);
            if (p != null) {
                return p;
            }
            f = staging.get(key);
            if (f == null) {
                reserve(loc);
                CompletableFuture<Void> started = new CompletableFuture<>();
                staging.put(key, started);
                f = started;
                Thread.ofVirtual().name("files-stage-" + key).start(() -> stage(loc, archive, started));
            }
        }
        try {
            f.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new SiloException(ErrorCode.BUSY, "staging " + loc.path() + " (" + loc.size() + " bytes) from volume "
                    + loc.volume() + " into the cache; open it again to wait for it (retry after 1000 ms)");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof SiloException s ? s : new SiloException(ErrorCode.IO, String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SiloException(ErrorCode.INTERNAL, "interrupted");
        }
        synchronized (this) {
            Pinned p = pin(key);
            if (p == null) {
                throw new SiloException(ErrorCode.IO, "the staged copy of " + loc.path() + " is gone");
            }
            return p;
        }
    }

    private void stage(ArchivePaths.Located loc, ArchivePaths archive, CompletableFuture<Void> done) {
        Path dest = dir.resolve(loc.bfid());
        try {
            stagings.incrementAndGet();
            archive.stage(loc.path(), dest);
            synchronized (this) {
                reserved -= loc.size();
                used += loc.size();
                entries.put(loc.bfid(), new Entry(loc.size(), System.currentTimeMillis()));
                staging.remove(loc.bfid());
            }
            done.complete(null);
        } catch (SiloException | RuntimeException e) {
            synchronized (this) {
                reserved -= loc.size();
                staging.remove(loc.bfid());
            }
            done.completeExceptionally(e);
        }
    }

    /** Makes room for {@code loc}: evicts copies not open now, least recently used first. */
    private void reserve(ArchivePaths.Located loc) throws SiloException {
        if (loc.size() > limit) {
            throw new SiloException(ErrorCode.RESOURCE, loc.path() + " (" + loc.size() + " bytes) is larger than the whole cache ("
                    + limit + " bytes, files.cache-size)");
        }
        while (used + reserved + loc.size() > limit) {
            String victim = null;
            long oldest = Long.MAX_VALUE;
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                if (e.getValue().pins == 0 && e.getValue().lastUsed < oldest) {
                    oldest = e.getValue().lastUsed;
                    victim = e.getKey();
                }
            }
            if (victim == null) {
                throw new SiloException(ErrorCode.RESOURCE, "the file cache is full of open files (" + limit
                        + " bytes, files.cache-size); close some or try later");
            }
            Entry gone = entries.remove(victim);
            used -= gone.size;
            try {
                Files.deleteIfExists(dir.resolve(victim));
            } catch (IOException ignored) {
                // counted as gone; a stray file is found again at the next start
            }
        }
        reserved += loc.size();
    }

    private Pinned pin(String key) {
        Entry e = entries.get(key);
        if (e == null || !Files.exists(dir.resolve(key))) {
            if (e != null) {
                entries.remove(key);
                used -= e.size;
            }
            return null;
        }
        e.pins++;
        e.lastUsed = System.currentTimeMillis();
        boolean[] released = new boolean[1];
        return new Pinned(dir.resolve(key), () -> {
            synchronized (StageCache.this) {
                if (!released[0]) {
                    released[0] = true;
                    e.pins--;
                }
            }
        });
    }

    synchronized boolean contains(String bfid) {
        return entries.containsKey(bfid);
    }

    synchronized long used() {
        return used;
    }
}
