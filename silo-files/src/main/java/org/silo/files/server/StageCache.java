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
    /**
     * A pinned copy: not evicted until released. {@code staged}: how this open waited for it (the warning
     * STAGED of docs/files.md), or null when it was in the cache already.
     */
    record Pinned(Path file, Runnable release, String staged) {}

    private static final class Entry {
        final long size;
        long lastUsed;
        int pins;
        /**
         * How long its staging took, until an open has been told (-1 then, and for copies found at start):
         * the first open to use a new copy waited for it, itself or, after BUSY, in an earlier try.
         */
        long stagingMs = -1;

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
                    Entry e = new Entry(
                            Files.size(p), Files.getLastModifiedTime(p).toMillis());
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
        long asked = System.nanoTime();
        synchronized (this) {
            Pinned p = pin(loc, -1);
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
            throw SiloException.of(
                    ErrorCode.BUSY,
                    "staging " + loc.path() + " (" + loc.size() + " bytes) from volume " + loc.volume()
                            + " into the cache; open it again to wait for it (retry after 1000 ms)");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof SiloException s
                    ? s
                    : SiloException.of(ErrorCode.IO, String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SiloException.of(ErrorCode.INTERNAL, "interrupted");
        }
        synchronized (this) {
            Pinned p = pin(loc, (System.nanoTime() - asked) / 1_000_000);
            if (p == null) {
                throw SiloException.of(ErrorCode.IO, "the staged copy of " + loc.path() + " is gone");
            }
            return p;
        }
    }

    private void stage(ArchivePaths.Located loc, ArchivePaths archive, CompletableFuture<Void> done) {
        Path dest = dir.resolve(loc.bfid());
        long started = System.nanoTime();
        try {
            stagings.incrementAndGet();
            archive.stage(loc.path(), dest);
            synchronized (this) {
                reserved -= loc.size();
                used += loc.size();
                Entry e = new Entry(loc.size(), System.currentTimeMillis());
                e.stagingMs = (System.nanoTime() - started) / 1_000_000;
                entries.put(loc.bfid(), e);
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
            throw SiloException.of(
                    ErrorCode.RESOURCE,
                    loc.path() + " (" + loc.size() + " bytes) is larger than the whole cache (" + limit
                            + " bytes, files.cache-size)");
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
                throw SiloException.of(
                        ErrorCode.RESOURCE,
                        "the file cache is full of open files (" + limit
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

    /** Pins {@code loc}'s copy if it is here; {@code waitedMs}: how long this open waited for its staging (-1: it did not). */
    private Pinned pin(ArchivePaths.Located loc, long waitedMs) {
        String key = loc.bfid();
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
        String staged = waitedMs >= 0
                ? "waited " + waitedMs + " ms while " + loc.path() + " was staged from volume " + loc.volume()
                        + " into the cache"
                : e.stagingMs >= 0
                        ? loc.path() + " was staged from volume " + loc.volume() + " into the cache for this open ("
                                + e.stagingMs + " ms)"
                        : null;
        e.stagingMs = -1;
        boolean[] released = new boolean[1];
        return new Pinned(
                dir.resolve(key),
                () -> {
                    synchronized (StageCache.this) {
                        if (!released[0]) {
                            released[0] = true;
                            e.pins--;
                        }
                    }
                },
                staged);
    }

    synchronized boolean contains(String bfid) {
        return entries.containsKey(bfid);
    }

    synchronized long used() {
        return used;
    }
}
