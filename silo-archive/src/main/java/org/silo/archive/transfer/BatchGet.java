package org.silo.archive.transfer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.FileAt;
import org.silo.archive.ops.LibraryMessages.FilesQueued;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.ReadFiles;
import org.silo.archive.ops.LibraryMessages.Refused;
import org.silo.archive.transfer.TransferClient.Result;
import org.silo.wire.IoThreads;
import org.silo.wire.SiloException;

/**
 * One batch of a get: its files queued with one read_files call, which the library manager turns into
 * one request per volume, each read by a mover in the volume's order (a container once, front to back)
 * and sent over one data connection ({@link GetReceiver}). Destinations are checked first, as cp does:
 * nothing is queued for a file that cannot be made. What fails is asked for again, up to
 * {@code --max-retry} times per file, avoiding the movers that failed it; a server that restarts is
 * waited for on the same request. A file whose bytes the mover could not read from its volume (missing,
 * short, a bad Adler-32: {@link LibraryMessages#copyAtFault}) is asked for again avoiding that copy
 * ({@link ReadFiles#avoidCopies}), so that it is read from another copy, said in a note; that is not one
 * of its retries, and a file with no copy left is refused by the library manager and fails at once.
 */
final class BatchGet {
    private final TransferClient t;
    private final LibraryClient lm;
    private final TransferClient.Options options;
    private final CallbackListener listener;
    private final java.util.function.ObjIntConsumer<Result> each;

    BatchGet(TransferClient t, java.util.function.ObjIntConsumer<Result> each) {
        this.t = t;
        this.lm = t.lm();
        this.options = t.options();
        this.listener = t.listener();
        this.each = each;
    }

    void run(List<GetItem> items) {
        List<GetItem> pending = new ArrayList<>();
        for (GetItem it : items) {
            String refused = cannotCreate(it.dest);
            if (refused != null) {
                finish(it, it.failed(refused));
            } else {
                pending.add(it);
            }
        }
        List<String> avoid = new ArrayList<>();
        while (!pending.isEmpty()) {
            pending.forEach(GetItem::tried);
            List<GetItem> again = new ArrayList<>();
            for (GetItem it : attempt(pending, avoid)) {
                if (it.anotherCopy()) {
                    again.add(it); // at most once per copy of the file: the library manager runs out of copies
                } else if (it.counted > options.maxRetry()) {
                    finish(it, it.failed(it.last));
                } else {
                    again.add(it);
                }
            }
            pending = again;
        }
    }

    /** One read_files call for {@code batch}; returns the files to ask for again. */
    private List<GetItem> attempt(List<GetItem> batch, List<String> avoid) {
        CallbackListener.Expected e = listener.expect();
        FilesQueued q;
        try {
            List<String> badCopies =
                    batch.stream().flatMap(it -> it.badCopies.stream()).toList();
            q = lm.readFiles(new ReadFiles(
                    options.priority(),
                    listener.callback(),
                    e.token(),
                    List.copyOf(avoid),
                    batch.stream().map(it -> it.src).toList(),
                    badCopies));
        } catch (SiloException x) {
            listener.forget(e);
            batch.forEach(it -> finish(it, it.failed(x.getMessage())));
            return List.of();
        }
        for (Refused r : q.refused()) {
            GetItem it = batch.get(r.index());
            // a file with no copy left: what the mover found, then why no other copy is read
            finish(it, it.failed(it.badCopies.isEmpty() ? r.error() : it.last + "; " + r.error()));
        }
        Map<Long, Map<Integer, GetItem>> byJob = new HashMap<>();
        for (FileAt f : q.files()) {
            GetItem it = batch.get(f.index());
            if (!it.badCopies.isEmpty() && !it.badCopies.contains(f.bfid())) {
                t.notes().accept(it.src + " is read from its copy on volume " + f.volume() + ": " + it.last);
            }
            it.expect(f);
            if (it.totalOnce()) {
                t.bytesTotal.addAndGet(f.size());
            }
            byJob.computeIfAbsent(f.job(), j -> new ConcurrentHashMap<>()).put(f.index(), it);
        }
        List<GetItem> again = java.util.Collections.synchronizedList(new ArrayList<>());
        // the requests of one call are served by as many movers as are free, each on its own connection
        ExecutorService pool = IoThreads.perTask("get-receive");
        try {
            List<Future<?>> running = new ArrayList<>();
            for (JobInfo job : q.jobs()) {
                Map<Integer, GetItem> open = byJob.getOrDefault(job.id(), new ConcurrentHashMap<>());
                running.add(pool.submit(() -> again.addAll(receive(e, job, open, avoid))));
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException x) {
                    throw new IllegalStateException(x.getCause());
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", x);
                }
            }
        } finally {
            pool.shutdownNow();
            listener.forget(e);
        }
        return new ArrayList<>(again);
    }

    /** Takes the files of one request from its mover; on a broken connection, asks the catalog. Returns the files to ask again. */
    private List<GetItem> receive(
            CallbackListener.Expected e, JobInfo job, Map<Integer, GetItem> open, List<String> avoid) {
        long session = lm.session();
        List<GetItem> again = new ArrayList<>();
        while (true) {
            CallbackListener.Conn c = null;
            String why;
            try {
                c = listener.await(e, job.id(), options.waitForMover(), lm, t.notes());
                GetReceiver r = new GetReceiver(c, t, open, this::finish, again);
                if (r.receive()) {
                    // a file the mover ended the request without a word about is asked for again, never left without a
                    // result
                    for (GetItem it : open.values()) {
                        it.last = "the mover " + c.hello().mover() + " ended job " + job.id() + " without sending "
                                + it.src;
                        again.add(it);
                    }
                    open.clear();
                    return again;
                }
                why = "the mover " + c.hello().mover() + " ended the connection";
            } catch (SiloException | IOException | TimeoutException x) {
                why = x instanceof IOException && c != null
                        ? "data connection with mover " + c.hello().mover() + " failed: " + x.getMessage()
                        : x.getMessage();
            } finally {
                if (c != null) {
                    c.close();
                }
            }
            if (open.isEmpty()) {
                return again;
            }
            if (c != null) {
                e.again(job.id()); // a mover of a restarted server may bring the same request again
            }
            JobInfo now = t.settle(job.id());
            if (TransferClient.stopped(now)) {
                String stop = "job " + job.id() + " was " + ("killed".equals(now.error()) ? "killed" : now.error())
                        + " (" + why + ")";
                open.values().forEach(it -> finish(it, it.failed(stop)));
                return again;
            }
            boolean restarted = lm.session() != session;
            if (restarted && c != null && TransferClient.live(now)) {
                session = lm.session(); // the restarted server holds the request: wait for its mover, on the same token
                continue;
            }
            boolean volumeBad = why != null
                    && (why.contains(LibraryMessages.CRC_AT_MOVER) || why.contains(LibraryMessages.SIZE_AT_MOVER));
            if (c != null && !volumeBad && !restarted) {
                synchronized (avoid) {
                    avoid.add(c.hello()
                            .mover()); // the volume's fault follows the file, not the mover: no point avoiding it
                }
            }
            try {
                lm.kill(job.id());
            } catch (SiloException ignored) {
                // the server gives the request up when a mover finds no one waiting
            }
            for (GetItem it : open.values()) {
                it.last = why;
                if (restarted) {
                    it.untried();
                }
                again.add(it);
            }
            open.clear();
            return again;
        }
    }

    /**
     * Why a file cannot be made at {@code dest}, in cp's words (e.g. {@code cannot create regular file
     * 'nodir/a': No such file or directory}), or null if it can.
     */
    static String cannotCreate(Path dest) {
        Path abs = dest.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            return "cannot overwrite directory '" + dest + "' with non-directory";
        }
        Path dir = abs.getParent();
        String cannot = "cannot create regular file '" + dest + "': ";
        if (dir == null || !Files.exists(dir)) {
            return cannot + "No such file or directory";
        }
        if (!Files.isDirectory(dir)) {
            return cannot + "Not a directory";
        }
        if (!Files.isWritable(dir)) {
            return cannot + "Permission denied";
        }
        return null;
    }

    private void finish(GetItem it, Result r) {
        it.result = r;
        each.accept(r, it.at);
    }

    /** One file of a get and what is known of it so far. */
    static final class GetItem {
        final int at;
        final String src;
        final Path dest;
        int attempts;
        int counted;
        volatile String last;
        volatile long size = -1;
        volatile String adler32;
        volatile String bfid;
        volatile String volume;
        volatile Result result;
        /** Bit files of this file (the original, copies) whose bytes a mover could not read: not to be read again. */
        final Set<String> badCopies = new LinkedHashSet<>();

        private boolean totalled;

        GetItem(int at, String src, Path dest) {
            this.at = at;
            this.src = src;
            this.dest = dest;
        }

        void tried() {
            attempts++;
            counted++;
        }

        void untried() {
            attempts--;
            counted--;
        }

        /**
         * Whether the last try failed on the copy it read (the mover found its bytes missing, short or not
         * the catalog's) and that copy is newly to be avoided: the next try reads another copy, and is not
         * counted as one of the {@code --max-retry} retries (each copy is avoided once, so this ends).
         */
        boolean anotherCopy() {
            if (bfid == null || !LibraryMessages.copyAtFault(last) || !badCopies.add(bfid)) {
                return false;
            }
            counted--;
            return true;
        }

        /** What the catalog says the file is: checked against what arrives. */
        void expect(FileAt f) {
            size = f.size();
            adler32 = f.adler32();
            bfid = f.bfid();
            volume = f.volume();
        }

        /** Counts the file's size into the progress total once. */
        boolean totalOnce() {
            boolean first = !totalled;
            totalled = true;
            return first;
        }

        Path part() {
            return dest.toAbsolutePath().resolveSibling("." + dest.getFileName() + ".silo-part");
        }

        Result failed(String error) {
            return TransferClient.failed(src, dest.toString(), 0, attempts, error);
        }
    }
}
