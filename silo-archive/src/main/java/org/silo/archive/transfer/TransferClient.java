package org.silo.archive.transfer;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.wire.SiloException;

/**
 * The user's side of a transfer (Enstore's encp): queues each file with the library manager, waits for
 * a mover to connect to it, and moves the bytes over that connection, checking Adler-32 end to end. A
 * transfer that fails is killed and queued again (up to {@link Options#maxRetry} more times), avoiding
 * the movers that failed it. A server that restarts in the middle is waited for (up to
 * {@link Options#serverTimeout}): the client's new session carries on, and a request the restarted server
 * still holds is served where it stands.
 *
 * <pre>{@code
 * try (TransferClient t = new TransferClient(LibraryClient.over(siloClient), TransferClient.Options.defaults())) {
 *     List<Result> r = t.put(List.of(Path.of("a.dat")), List.of("/exp/a.dat"), result -> print(result));
 * }
 * }</pre>
 */
public final class TransferClient implements AutoCloseable {

    /**
     * @param callbackHost  the address movers connect to (null: the host's address as seen by the server)
     * @param waitForMover  the longest a queued file waits for a mover before it counts as failed
     * @param serverTimeout the longest the server may be unreachable (restarting) before a file counts as failed
     * @param skipExisting  a put of a file the archive holds with the same size and Adler-32 is skipped
     */
    public record Options(
            String library,
            String storageGroup,
            String fileFamily,
            int priority,
            boolean verify,
            int maxRetry,
            int parallel,
            String callbackHost,
            Duration waitForMover,
            String owner,
            int copies,
            String hash,
            Duration serverTimeout,
            boolean skipExisting,
            int batchFiles,
            long batchBytes) {
        public static final Duration DEFAULT_SERVER_TIMEOUT = Duration.ofSeconds(30);

        public Options(
                String library,
                String storageGroup,
                String fileFamily,
                int priority,
                boolean verify,
                int maxRetry,
                int parallel,
                String callbackHost,
                Duration waitForMover,
                String owner) {
            this(
                    library,
                    storageGroup,
                    fileFamily,
                    priority,
                    verify,
                    maxRetry,
                    parallel,
                    callbackHost,
                    waitForMover,
                    owner,
                    1,
                    null,
                    DEFAULT_SERVER_TIMEOUT,
                    false,
                    BATCH_FILES,
                    BATCH_BYTES);
        }

        public static Options defaults() {
            return new Options(null, null, null, 0, false, 3, 4, null, Duration.ofHours(24), null);
        }

        /** Batches of files moved at once. */
        public Options withParallel(int n) {
            return edit(o -> o.parallel = n);
        }

        public Options withVerify(boolean v) {
            return edit(o -> o.verify = v);
        }

        public Options withWait(Duration d) {
            return edit(o -> o.waitForMover = d);
        }

        public Options withPlacement(String lib, String sg, String ff) {
            return edit(o -> {
                o.library = lib;
                o.storageGroup = sg;
                o.fileFamily = ff;
            });
        }

        /** {@code n} copies of each file on different volumes (the first written by the put, the others copied by movers). */
        public Options withCopies(int n) {
            return edit(o -> o.copies = n);
        }

        /** A content hash (md5 or sha256) computed by the client and the mover and kept beside the Adler-32. */
        public Options withHash(String alg) {
            return edit(o -> o.hash = alg);
        }

        /** How long the server may be unreachable (a restart) before the files in flight count as failed. */
        public Options withServerTimeout(Duration d) {
            return edit(o -> o.serverTimeout = d);
        }

        /** Puts skip a file the archive holds at its path with the same size and Adler-32 (and fail one that differs). */
        public Options withSkipExisting(boolean skip) {
            return edit(o -> o.skipExisting = skip);
        }

        /** At most {@code files} files or {@code bytes} bytes in one request (default 1,000 files, 1 GiB). */
        public Options withBatch(int files, long bytes) {
            return edit(o -> {
                o.batchFiles = Math.max(1, Math.min(files, BATCH_FILES));
                o.batchBytes = Math.max(1, bytes);
            });
        }

        /** A copy with what {@code change} sets changed: one place that lists every field, not one per withX. */
        private Options edit(java.util.function.Consumer<Editable> change) {
            Editable e = new Editable(this);
            change.accept(e);
            return e.done();
        }

        /** The fields of an {@link Options}, as a copy to change. */
        private static final class Editable {
            String library;
            String storageGroup;
            String fileFamily;
            int priority;
            boolean verify;
            int maxRetry;
            int parallel;
            String callbackHost;
            Duration waitForMover;
            String owner;
            int copies;
            String hash;
            Duration serverTimeout;
            boolean skipExisting;
            int batchFiles;
            long batchBytes;

            Editable(Options o) {
                library = o.library;
                storageGroup = o.storageGroup;
                fileFamily = o.fileFamily;
                priority = o.priority;
                verify = o.verify;
                maxRetry = o.maxRetry;
                parallel = o.parallel;
                callbackHost = o.callbackHost;
                waitForMover = o.waitForMover;
                owner = o.owner;
                copies = o.copies;
                hash = o.hash;
                serverTimeout = o.serverTimeout;
                skipExisting = o.skipExisting;
                batchFiles = o.batchFiles;
                batchBytes = o.batchBytes;
            }

            Options done() {
                return new Options(
                        library,
                        storageGroup,
                        fileFamily,
                        priority,
                        verify,
                        maxRetry,
                        parallel,
                        callbackHost,
                        waitForMover,
                        owner,
                        copies,
                        hash,
                        serverTimeout,
                        skipExisting,
                        batchFiles,
                        batchBytes);
            }
        }
    }

    /**
     * One file's outcome; {@code error} is null if it worked. {@code hash} is the content hash when one
     * was asked for; {@code copies} the volumes of the extra copies of a put with copies; {@code skipped}:
     * a put with {@link Options#skipExisting} found the file stored already (volume, bfid and Adler-32 are
     * the stored one's).
     */
    public record Result(
            String source,
            String dest,
            long size,
            String volume,
            String bfid,
            String adler32,
            double mbPerSecond,
            int attempts,
            String mover,
            String error,
            String hash,
            List<String> copies,
            boolean skipped) {
        public Result(
                String source,
                String dest,
                long size,
                String volume,
                String bfid,
                String adler32,
                double mbPerSecond,
                int attempts,
                String mover,
                String error,
                String hash,
                List<String> copies) {
            this(source, dest, size, volume, bfid, adler32, mbPerSecond, attempts, mover, error, hash, copies, false);
        }

        public Result(
                String source,
                String dest,
                long size,
                String volume,
                String bfid,
                String adler32,
                double mbPerSecond,
                int attempts,
                String mover,
                String error) {
            this(
                    source,
                    dest,
                    size,
                    volume,
                    bfid,
                    adler32,
                    mbPerSecond,
                    attempts,
                    mover,
                    error,
                    null,
                    List.of(),
                    false);
        }

        public boolean ok() {
            return error == null;
        }
    }

    private final LibraryClient lm;
    private final Options options;
    private final CallbackListener listener;
    final AtomicLong bytesDone = new AtomicLong();
    final AtomicLong bytesTotal = new AtomicLong();
    private volatile boolean closed;
    private volatile Consumer<String> notes = note -> {};

    /** The most times one file is sent again because the volume it went to filled up under it. */
    static final int MAX_RESENDS = 16;

    public TransferClient(LibraryClient lm, Options options) throws IOException {
        this.options = options;
        this.lm = new PatientLibrary(
                lm,
                options.serverTimeout() == null ? Options.DEFAULT_SERVER_TIMEOUT : options.serverTimeout(),
                () -> closed);
        this.listener = new CallbackListener(options.callbackHost());
    }

    /** Where movers connect: HOST:PORT. */
    public String callback() {
        return listener.callback();
    }

    /** Bytes moved so far and bytes to move, over every file of this client (for a progress bar). */
    public long[] progress() {
        return new long[] {bytesDone.get(), bytesTotal.get()};
    }

    /**
     * Where to say what a file waits for while it waits: a queued job's reason from the library manager
     * ("/exp/a.dat queued: no mover of library tiny is connected", "... requeued: volume V has room for
     * ..."), and a file sent again because its volume filled up. The CLI prints these on standard error.
     * Each reason is said once per job.
     */
    public TransferClient onNote(Consumer<String> notes) {
        this.notes = notes == null ? note -> {} : notes;
        return this;
    }

    Consumer<String> notes() {
        return notes;
    }

    LibraryClient lm() {
        return lm;
    }

    Options options() {
        return options;
    }

    CallbackListener listener() {
        return listener;
    }

    /** The most files in one request: a batch (write_files, read_files) is cut here, or at {@link #BATCH_BYTES}. */
    public static final int BATCH_FILES = 1000;
    /** The most bytes in one batch (one file larger than this is a batch of its own). */
    public static final long BATCH_BYTES = 1L << 30;

    /** A file to put: its local path and its archive path. */
    public record Source(Path src, String dest) {}

    /** A file to get: its archive path and its local path. */
    public record Target(String src, Path dest) {}

    /** Writes each source to the archive path at the same index. */
    public List<Result> put(List<Path> sources, List<String> dests) {
        return put(sources, dests, r -> {});
    }

    /** As {@link #put(List, List)}, telling {@code each} of every file's outcome as soon as it is known. */
    public List<Result> put(List<Path> sources, List<String> dests, Consumer<Result> each) {
        List<Source> files = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            files.add(new Source(sources.get(i), dests.get(i)));
        }
        Result[] out = new Result[files.size()];
        putAll(files.iterator(), (r, i) -> {
            out[i] = r;
            each.accept(r);
        });
        return java.util.Arrays.asList(out);
    }

    /**
     * Puts every file {@code files} yields, in batches of up to {@link #BATCH_FILES} files or
     * {@link #BATCH_BYTES} bytes, {@link Options#parallel} batches at a time. The files are taken from
     * the iterator as batches are made, never all at once, so a tree of a million files costs no more
     * memory than a few batches. {@code each} hears each file's result, with the file's place in the
     * iteration, as soon as it is known (one call at a time). Returns the number of files that failed.
     */
    public int putAll(java.util.Iterator<Source> files, java.util.function.ObjIntConsumer<Result> each) {
        Tally tally = new Tally(each);
        new Batches<Source, PutItem>(
                        files, (at, s) -> new PutItem(at, s.src(), s.dest()), it -> Math.max(0, it.size), options)
                .run(options.parallel(), batch -> new BatchPut(this, tally).run(batch));
        return tally.failed;
    }

    /** Reads each archive path into the local file at the same index. */
    public List<Result> get(List<String> sources, List<Path> dests) {
        return get(sources, dests, r -> {});
    }

    /** As {@link #get(List, List)}, telling {@code each} of every file's outcome as soon as it is known. */
    public List<Result> get(List<String> sources, List<Path> dests, Consumer<Result> each) {
        List<Target> files = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            files.add(new Target(sources.get(i), dests.get(i)));
        }
        Result[] out = new Result[files.size()];
        getAll(files.iterator(), (r, i) -> {
            out[i] = r;
            each.accept(r);
        });
        return java.util.Arrays.asList(out);
    }

    /** As {@link #putAll}, for gets: every file {@code files} yields, in batches. Returns the number that failed. */
    public int getAll(java.util.Iterator<Target> files, java.util.function.ObjIntConsumer<Result> each) {
        Tally tally = new Tally(each);
        new Batches<Target, BatchGet.GetItem>(
                        files, (at, g) -> new BatchGet.GetItem(at, g.src(), g.dest()), it -> 0L, options)
                .run(options.parallel(), batch -> new BatchGet(this, tally).run(batch));
        return tally.failed;
    }

    /** Hands each result on, one at a time, and counts the failures. */
    static final class Tally implements java.util.function.ObjIntConsumer<Result> {
        private final java.util.function.ObjIntConsumer<Result> each;
        int failed;

        Tally(java.util.function.ObjIntConsumer<Result> each) {
            this.each = each;
        }

        @Override
        public synchronized void accept(Result r, int at) {
            if (!r.ok()) {
                failed++;
            }
            each.accept(r, at);
        }
    }

    /** Writes one file: queued, streamed to a mover with its Adler-32, recorded once fsynced. */
    public Result putOne(Path src, String dest) {
        return put(List.of(src), List.of(dest)).get(0);
    }

    /** Reads one file into {@code dest}: written next to it, fsynced, checked, then renamed into place. */
    public Result getOne(String src, Path dest) {
        return get(List.of(src), List.of(dest)).get(0);
    }

    // ---- shared by BatchPut and BatchGet ----------------------------------------------------------------

    /** What became of a request after its transfer broke off (null: the server cannot say, or was not reached). */
    JobInfo settle(long job) {
        try {
            return lm.info(job);
        } catch (SiloException e) {
            return null;
        }
    }

    /** Killed by an administrator, or cancelled by this client's own ending: not to be retried. */
    static boolean stopped(JobInfo j) {
        return j != null
                && j.state().equals("cancelled")
                && ("killed".equals(j.error()) || LibraryMessages.CANCELLED_BY_CLIENT.equals(j.error()));
    }

    /** Whether the request may still be served: queued, or with a mover. */
    static boolean live(JobInfo j) {
        return j != null && (j.state().equals("queued") || j.state().equals("active"));
    }

    /**
     * Whether the library manager took the request from {@code mover} and gave it (or will give it) to
     * another, as it does with a hung mover's: back in the queue with a {@code requeued:} error, or running
     * on another mover. The client then waits for that mover on the same token instead of asking anew.
     */
    static boolean handedOn(JobInfo j, String mover) {
        if (j == null) {
            return false;
        }
        return j.state().equals("queued") && j.error() != null && j.error().startsWith(LibraryMessages.REQUEUED)
                || j.state().equals("active")
                        && j.moverName() != null
                        && !j.moverName().equals(mover);
    }

    /** This client no longer waits for the request: it is killed, so that it holds no path and no mover. */
    void giveUp(CallbackListener.Expected e, long job) {
        listener.forget(e);
        try {
            lm.kill(job);
        } catch (SiloException ignored) {
            // the server will give the request up when a mover finds no one waiting for it
        }
    }

    static Result failed(String src, String dest, long size, int attempts, String error) {
        return new Result(src, dest, size, null, null, null, 0, attempts, null, error == null ? "failed" : error);
    }

    static double mbps(long size, long startedNanos) {
        double s = (System.nanoTime() - startedNanos) / 1e9;
        return s <= 0 ? 0 : size / 1e6 / s;
    }

    /** A local file could not be read or written: the mover is not to blame, and trying again would not help. */
    static final class LocalFailure extends Exception {
        LocalFailure(String message) {
            super(message);
        }
    }

    @Override
    public void close() {
        closed = true;
        listener.close();
    }
}
