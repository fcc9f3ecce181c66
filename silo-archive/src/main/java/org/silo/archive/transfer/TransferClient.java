package org.silo.archive.transfer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.security.MessageDigest;
import java.util.zip.Adler32;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.ReadFromHsm;
import org.silo.archive.ops.LibraryMessages.WriteToHsm;
import org.silo.archive.transfer.DataChannel.Hello;
import org.silo.archive.volume.Checksums;
import org.silo.archive.volume.ContentHash;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * The user's side of a transfer (Enstore's encp): queues each file with the library manager, waits for
 * a mover to connect to it, and moves the bytes over that connection, checking Adler-32 end to end. A
 * transfer that fails is killed and queued again (up to {@link Options#maxRetry} more times), avoiding
 * the movers that failed it.
 *
 * <pre>{@code
 * try (TransferClient t = new TransferClient(LibraryClient.over(siloClient), TransferClient.Options.defaults())) {
 *     List<Result> r = t.put(List.of(Path.of("a.dat")), List.of("/exp/a.dat"));
 * }
 * }</pre>
 */
public final class TransferClient implements AutoCloseable {

    /**
     * @param callbackHost the address movers connect to (null: the host's address as seen by the server)
     * @param waitForMover the longest a queued file waits for a mover before it counts as failed
     */
    public record Options(String library, String storageGroup, String fileFamily, int priority, boolean verify, int maxRetry,
            int parallel, String callbackHost, Duration waitForMover, String owner, int copies, String hash) {
        public Options(String library, String storageGroup, String fileFamily, int priority, boolean verify, int maxRetry,
                int parallel, String callbackHost, Duration waitForMover, String owner) {
            this(library, storageGroup, fileFamily, priority, verify, maxRetry, parallel, callbackHost, waitForMover, owner, 1, null);
        }

        public static Options defaults() {
            return new Options(null, null, null, 0, false, 3, 4, null, Duration.ofHours(24), null);
        }

        public Options withParallel(int n) {
            return new Options(library, storageGroup, fileFamily, priority, verify, maxRetry, n, callbackHost, waitForMover, owner, copies,
                    hash);
        }

        public Options withVerify(boolean v) {
            return new Options(library, storageGroup, fileFamily, priority, v, maxRetry, parallel, callbackHost, waitForMover, owner, copies,
                    hash);
        }

        public Options withCallbackHost(String h) {
            return new Options(library, storageGroup, fileFamily, priority, verify, maxRetry, parallel, h, waitForMover, owner, copies, hash);
        }

        public Options withWait(Duration d) {
            return new Options(library, storageGroup, fileFamily, priority, verify, maxRetry, parallel, callbackHost, d, owner, copies, hash);
        }

        public Options withPlacement(String lib, String sg, String ff) {
            return new Options(lib, sg, ff, priority, verify, maxRetry, parallel, callbackHost, waitForMover, owner, copies, hash);
        }

        /** {@code n} copies of each file on different volumes (the first written by the put, the others copied by movers). */
        public Options withCopies(int n) {
            return new Options(library, storageGroup, fileFamily, priority, verify, maxRetry, parallel, callbackHost, waitForMover, owner, n,
                    hash);
        }

        /** A content hash (md5 or sha256) computed by the client and the mover and kept beside the Adler-32. */
        public Options withHash(String alg) {
            return new Options(library, storageGroup, fileFamily, priority, verify, maxRetry, parallel, callbackHost, waitForMover, owner,
                    copies, alg);
        }
    }

    /**
     * One file's outcome; {@code error} is null if it worked. {@code hash} is the content hash when one
     * was asked for; {@code copies} the volumes of the extra copies of a put with copies.
     */
    public record Result(String source, String dest, long size, String volume, String bfid, String adler32, double mbPerSecond,
            int attempts, String mover, String error, String hash, List<String> copies) {
        public Result(String source, String dest, long size, String volume, String bfid, String adler32, double mbPerSecond,
                int attempts, String mover, String error) {
            this(source, dest, size, volume, bfid, adler32, mbPerSecond, attempts, mover, error, null, List.of());
        }

        public boolean ok() {
            return error == null;
        }
    }

    private record Conn(Socket socket, Hello hello, DataInputStream in, DataOutputStream out) {}

    private final LibraryClient lm;
    private final Options options;
    private final ServerSocket listener;
    private final String callback;
    private final Map<String, CompletableFuture<Conn>> pending = new ConcurrentHashMap<>();
    private final Thread acceptor;
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong bytesDone = new AtomicLong();
    private final AtomicLong bytesTotal = new AtomicLong();
    private volatile boolean closed;
    private volatile Consumer<String> notes = note -> {};

    /** The most times one file is sent again because the volume it went to filled up under it. */
    static final int MAX_RESENDS = 16;

    public TransferClient(LibraryClient lm, Options options) throws IOException {
        this.lm = lm;
        this.options = options;
        String host = options.callbackHost() == null ? InetAddress.getLoopbackAddress().getHostAddress() : options.callbackHost();
        this.listener = new ServerSocket();
        listener.setReceiveBufferSize(DataChannel.BUFFER);
        listener.bind(new InetSocketAddress(options.callbackHost() == null ? InetAddress.getLoopbackAddress()
                : InetAddress.getByName("0.0.0.0"), 0), 256);
        this.callback = (host.contains(":") ? "[" + host + "]" : host) + ":" + listener.getLocalPort();
        this.acceptor = Thread.ofVirtual().name("transfer-accept").start(this::accept);
    }

    /** Where movers connect: HOST:PORT. */
    public String callback() {
        return callback;
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

    /** Bytes moved so far and bytes to move, over every file of this client (for a progress bar). */
    public long[] progress() {
        return new long[] {bytesDone.get(), bytesTotal.get()};
    }

    private void accept() {
        while (!closed) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                return;
            }
            Thread.ofVirtual().start(() -> handshake(s));
        }
    }

    private void handshake(Socket s) {
        try {
            s.setSoTimeout(30_000);
            s.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), DataChannel.BUFFER));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), DataChannel.BUFFER));
            Hello h = DataChannel.readHello(in);
            CompletableFuture<Conn> f = pending.remove(h.token());
            if (f == null) {
                DataChannel.writeError(out, "no transfer waits for this token (already served, or given up)");
                s.close();
                return;
            }
            out.writeByte(DataChannel.OK);
            out.flush();
            s.setSoTimeout(120_000);
            f.complete(new Conn(s, h, in, out));
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // a stray connection
            }
        }
    }

    /** Writes each source to the archive path at the same index, {@link Options#parallel} at a time. */
    public List<Result> put(List<Path> sources, List<String> dests) {
        List<Callable> work = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            Path src = sources.get(i);
            String dest = dests.get(i);
            work.add(() -> putOne(src, dest));
        }
        return runAll(work);
    }

    /** Reads each archive path into the local file at the same index. */
    public List<Result> get(List<String> sources, List<Path> dests) {
        List<Callable> work = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            String src = sources.get(i);
            Path dest = dests.get(i);
            work.add(() -> getOne(src, dest));
        }
        return runAll(work);
    }

    private interface Callable {
        Result call();
    }

    private List<Result> runAll(List<Callable> work) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(options.parallel(), work.size())),
                Thread.ofVirtual().factory());
        try {
            List<Future<Result>> futures = new ArrayList<>();
            for (Callable c : work) {
                futures.add(pool.submit(c::call));
            }
            List<Result> out = new ArrayList<>();
            for (Future<Result> f : futures) {
                try {
                    out.add(f.get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Writes one file: queued, streamed to a mover with its Adler-32, recorded once fsynced. */
    public Result putOne(Path src, String dest) {
        long size;
        try {
            size = Files.size(src);
        } catch (IOException e) {
            return failed(src.toString(), dest, 0, 0, "cannot read " + src + ": " + e);
        }
        bytesTotal.addAndGet(size);
        String alg;
        try {
            alg = ContentHash.algorithm(options.hash());
        } catch (SiloException e) {
            return failed(src.toString(), dest, size, 0, e.getMessage());
        }
        List<String> avoid = new ArrayList<>();
        String last = null;
        int attempt = 0;
        int resends = 0;
        while (attempt <= options.maxRetry()) {
            attempt++;
            String token = token();
            CompletableFuture<Conn> f = new CompletableFuture<>();
            pending.put(token, f);
            JobInfo j;
            try {
                j = lm.write(new WriteToHsm(dest, size, options.library(), options.storageGroup(), options.fileFamily(),
                        options.priority(), options.verify(), callback, token, options.owner(), List.copyOf(avoid),
                        Math.max(1, options.copies()), alg));
            } catch (SiloException e) {
                pending.remove(token);
                return failed(src.toString(), dest, size, attempt, e.getMessage());
            }
            long started = System.nanoTime();
            long counted = 0;
            Conn c = null;
            try {
                c = await(f, j.id());
                c.out.writeLong(size);
                Adler32 sum = new Adler32();
                MessageDigest md = alg == null ? null : ContentHash.digest(alg);
                try (InputStream in = Files.newInputStream(src)) {
                    byte[] buf = new byte[DataChannel.BUFFER];
                    long left = size;
                    while (left > 0) {
                        int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                        if (r < 0) {
                            throw new SiloException(ErrorCode.IO, src + " shrank while it was being sent");
                        }
                        sum.update(buf, 0, r);
                        if (md != null) {
                            md.update(buf, 0, r);
                        }
                        c.out.write(buf, 0, r);
                        left -= r;
                        counted += r;
                        bytesDone.addAndGet(r);
                    }
                }
                c.out.writeInt((int) sum.getValue());
                c.out.flush();
                String err = DataChannel.readStatus(c.in);
                if (err != null) {
                    throw new SiloException(ErrorCode.IO, err);
                }
                String bfid = c.in.readUTF();
                String volume = c.in.readUTF();
                c.in.readUTF(); // cookie
                String theirs = c.in.readUTF();
                String ours = Checksums.hex(sum.getValue());
                if (!theirs.equals(ours)) {
                    throw new SiloException(ErrorCode.IO, "CRC mismatch at client: " + src + " has adler32 " + ours + ", the mover recorded "
                            + theirs + " (bfid " + bfid + ")");
                }
                double rate = mbps(size, started);
                String hash = md == null ? null : ContentHash.format(alg, md.digest());
                if (hash != null || options.copies() > 1) {
                    return afterWrite(new Result(src.toString(), dest, size, volume, bfid, ours, rate, attempt, c.hello.mover(), null, hash,
                            List.of()), j.id());
                }
                return new Result(src.toString(), dest, size, volume, bfid, ours, rate, attempt, c.hello.mover(), null);
            } catch (SiloException | IOException | TimeoutException e) {
                last = e instanceof IOException && c != null ? "data connection with mover " + c.hello.mover() + " failed: " + e.getMessage()
                        : e.getMessage();
                bytesDone.addAndGet(-counted);
                String failure = failure(j.id());
                if (failure != null && failure.startsWith(LibraryMessages.RESEND) && resends < MAX_RESENDS) {
                    // the volume filled up under the file and is full now: the file goes to another volume, and
                    // neither the mover nor this attempt is to blame
                    resends++;
                    attempt--;
                    pending.remove(token);
                    notes.accept(dest + " " + failure);
                    continue;
                }
                if (c != null) {
                    avoid.add(c.hello.mover());
                }
                if (killed(j.id())) {
                    last = "job " + j.id() + " was killed (" + last + ")";
                    pending.remove(token);
                    break;
                }
                giveUp(token, j.id());
                if (last != null && (last.contains("already exists") || last.contains("no directory")
                        || (failure != null && failure.startsWith(LibraryMessages.NO_SPACE)))) {
                    break; // no volume of the library can take it: another try would fail the same way
                }
            } finally {
                close(c);
            }
        }
        return failed(src.toString(), dest, size, attempt, last);
    }

    /**
     * After a put that asked for a hash or copies: the catalog's hash must be the client's, and the put
     * waits for its copies (queued by the library manager when the write was recorded) to land.
     */
    private Result afterWrite(Result r, long job) {
        try {
            JobInfo j = lm.info(job);
            if (r.hash() != null && !r.hash().equals(j.hash())) {
                return withError(r, List.of(), "hash mismatch: the client computed " + r.hash() + ", the mover " + j.hash());
            }
            long deadline = System.nanoTime() + options.waitForMover().toNanos();
            while (true) {
                List<JobInfo> copies = lm.children(job);
                boolean settled = copies.size() >= options.copies() - 1
                        && copies.stream().noneMatch(c -> c.state().equals("queued") || c.state().equals("active"));
                if (settled || System.nanoTime() > deadline) {
                    List<String> vols = copies.stream().filter(c -> c.state().equals("done")).map(JobInfo::target).toList();
                    List<String> bad = copies.stream().filter(c -> !c.state().equals("done"))
                            .map(c -> "copy job " + c.id() + " " + c.state() + (c.error() == null ? "" : ": " + c.error())).toList();
                    return bad.isEmpty() ? withError(r, vols, null)
                            : withError(r, vols, "stored on " + r.volume() + " (" + r.bfid() + "), but " + bad.size() + " of "
                                    + (options.copies() - 1) + " copies did not land: " + String.join("; ", bad));
                }
                Thread.sleep(100);
            }
        } catch (SiloException e) {
            return withError(r, List.of(), "stored on " + r.volume() + " (" + r.bfid() + "), but its copies cannot be followed: "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return withError(r, List.of(), "interrupted while waiting for copies");
        }
    }

    private static Result withError(Result r, List<String> copies, String error) {
        return new Result(r.source(), r.dest(), r.size(), r.volume(), r.bfid(), r.adler32(), r.mbPerSecond(), r.attempts(), r.mover(),
                error, r.hash(), copies);
    }

    /** Reads one file into {@code dest}: written next to it, fsynced, checked, then renamed into place. */
    public Result getOne(String src, Path dest) {
        List<String> avoid = new ArrayList<>();
        String last = null;
        int attempt = 0;
        boolean counted = false;
        while (attempt <= options.maxRetry()) {
            attempt++;
            String token = token();
            CompletableFuture<Conn> f = new CompletableFuture<>();
            pending.put(token, f);
            JobInfo j;
            try {
                j = lm.read(new ReadFromHsm(src, options.priority(), callback, token, List.copyOf(avoid)));
            } catch (SiloException e) {
                pending.remove(token);
                return failed(src, dest.toString(), 0, attempt, e.getMessage());
            }
            if (!counted) {
                bytesTotal.addAndGet(j.size());
                counted = true;
            }
            Path part = dest.toAbsolutePath().resolveSibling("." + dest.getFileName() + ".silo-part");
            long started = System.nanoTime();
            long moved = 0;
            Conn c = null;
            try {
                c = await(f, j.id());
                long size = c.in.readLong();
                if (size != j.size()) {
                    throw new SiloException(ErrorCode.IO, "the mover sends " + size + " bytes, the catalog says " + j.size());
                }
                Adler32 sum = new Adler32();
                try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    byte[] buf = new byte[DataChannel.BUFFER];
                    ByteBuffer bb = ByteBuffer.wrap(buf);
                    long left = size;
                    while (left > 0) {
                        int r = c.in.read(buf, 0, (int) Math.min(buf.length, left));
                        if (r < 0) {
                            throw new IOException("the mover's stream ended " + left + " bytes early");
                        }
                        sum.update(buf, 0, r);
                        bb.clear().limit(r);
                        while (bb.hasRemaining()) {
                            ch.write(bb);
                        }
                        left -= r;
                        moved += r;
                        bytesDone.addAndGet(r);
                    }
                    String err = DataChannel.readStatus(c.in);
                    if (err != null) {
                        throw new SiloException(ErrorCode.IO, err);
                    }
                    c.in.readUTF(); // the mover's adler32, equal to the catalog's or it would have said so
                    String ours = Checksums.hex(sum.getValue());
                    if (!ours.equals(j.adler32())) {
                        String msg = "CRC mismatch at client: " + src + " arrived with adler32 " + ours + ", the catalog has " + j.adler32();
                        DataChannel.writeError(c.out, msg);
                        throw new SiloException(ErrorCode.IO, msg);
                    }
                    ch.force(true);
                }
                try {
                    Files.move(part, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(part, dest, StandardCopyOption.REPLACE_EXISTING);
                }
                c.out.writeByte(DataChannel.OK);
                c.out.flush();
                return new Result(src, dest.toString(), size, j.volume(), j.bfid(), j.adler32(), mbps(size, started), attempt,
                        c.hello.mover(), null);
            } catch (SiloException | IOException | TimeoutException e) {
                last = e instanceof IOException && c != null ? "data connection with mover " + c.hello.mover() + " failed: " + e.getMessage()
                        : e.getMessage();
                bytesDone.addAndGet(-moved);
                boolean volumeBad = last != null && (last.startsWith("CRC mismatch at mover") || last.startsWith("size mismatch at mover"));
                if (c != null && !volumeBad) {
                    avoid.add(c.hello.mover()); // the volume's fault follows the file, not the mover: no point avoiding it
                }
                if (killed(j.id())) {
                    last = "job " + j.id() + " was killed (" + last + ")";
                    pending.remove(token);
                    deleteQuietly(part);
                    break;
                }
                giveUp(token, j.id());
                try {
                    Files.deleteIfExists(part);
                } catch (IOException ignored) {
                    // left behind as a dot file; the next attempt truncates it
                }
            } finally {
                close(c);
            }
        }
        return failed(src, dest.toString(), 0, attempt, last);
    }

    /**
     * Waits for the mover of job {@code id} to connect, asking after the job every second; what the job
     * waits for, when the library manager says (a {@code queued: } or {@code requeued: } reason), goes to
     * {@link #onNote}.
     */
    private Conn await(CompletableFuture<Conn> f, long id) throws SiloException, TimeoutException {
        long deadline = System.nanoTime() + options.waitForMover().toNanos();
        String said = null;
        while (true) {
            try {
                return f.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("no mover took job " + id + " within " + options.waitForMover());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SiloException(ErrorCode.INTERNAL, "interrupted");
            } catch (ExecutionException e) {
                throw new SiloException(ErrorCode.INTERNAL, e.getCause().toString());
            }
            try {
                JobInfo j = lm.info(id);
                if (j.state().equals("failed") || j.state().equals("cancelled")) {
                    throw new SiloException(ErrorCode.IO, "job " + id + " " + j.state() + ": " + j.error());
                }
                String why = j.error();
                if (j.state().equals("queued") && why != null && !why.equals(said)
                        && (why.startsWith(LibraryMessages.QUEUED) || why.startsWith(LibraryMessages.REQUEUED))) {
                    said = why;
                    notes.accept(j.path() + " " + why);
                }
            } catch (SiloException e) {
                if (e.code() != ErrorCode.TIMEDOUT && e.code() != ErrorCode.IO && e.code() != ErrorCode.INTERNAL) {
                    throw e;
                }
                if (e.getMessage() != null && e.getMessage().startsWith("job ")) {
                    throw e;
                }
                // the server may be restarting: the request is in its catalog, keep waiting
            }
        }
    }

    /** The library manager's error for a job that failed (null: it did not fail, or cannot be asked). */
    private String failure(long job) {
        try {
            JobInfo j = lm.info(job);
            return j.state().equals("failed") ? j.error() : null;
        } catch (SiloException e) {
            return null;
        }
    }

    /** Whether an administrator (or another client) killed the job: then it is not retried. */
    private boolean killed(long job) {
        try {
            JobInfo j = lm.info(job);
            return j.state().equals("cancelled") && "killed".equals(j.error());
        } catch (SiloException e) {
            return false;
        }
    }

    private void giveUp(String token, long job) {
        pending.remove(token);
        try {
            lm.kill(job);
        } catch (SiloException ignored) {
            // the server will give the request up when its mover times out
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a dot file left behind; the next get of it truncates it
        }
    }

    private Result failed(String src, String dest, long size, int attempts, String error) {
        return new Result(src, dest, size, null, null, null, 0, attempts, null, error == null ? "failed" : error);
    }

    private static double mbps(long size, long startedNanos) {
        double s = (System.nanoTime() - startedNanos) / 1e9;
        return s <= 0 ? 0 : size / 1e6 / s;
    }

    private String token() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static void close(Conn c) {
        if (c != null) {
            try {
                c.socket.close();
            } catch (IOException ignored) {
                // done with it
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        pending.values().forEach(f -> f.cancel(true));
        acceptor.interrupt();
    }
}
