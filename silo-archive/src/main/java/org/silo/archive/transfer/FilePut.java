package org.silo.archive.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.zip.Adler32;
import org.silo.archive.ops.FileMessages.NsEntry;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.WriteToHsm;
import org.silo.archive.transfer.TransferClient.LocalFailure;
import org.silo.archive.transfer.TransferClient.Result;
import org.silo.archive.volume.Checksums;
import org.silo.archive.volume.ContentHash;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * One file of a put: queued with the library manager, streamed to the mover that connects with its
 * Adler-32, reported once recorded. Tried again on another mover when an attempt fails; waited for on the
 * same request when the server restarted under it; and, when the answer was lost but the request is
 * {@code done}, reported from the catalog's record once the local file's Adler-32 matches it.
 */
final class FilePut {
    private final TransferClient t;
    private final LibraryClient lm;
    private final TransferClient.Options options;
    private final CallbackListener listener;

    FilePut(TransferClient t) {
        this.t = t;
        this.lm = t.lm();
        this.options = t.options();
        this.listener = t.listener();
    }

    /**
     * How one attempt ended: the file's result, or why not and whether trying again may help;
     * {@code restarted}: the server restarted under it, {@code resend}: its volume filled up under it
     * (neither costs a retry).
     */
    private record Outcome(Result result, String error, boolean stop, boolean restarted, boolean resend) {
        Outcome(Result result, String error, boolean stop, boolean restarted) {
            this(result, error, stop, restarted, false);
        }
    }

    Result run(Path src, String dest) {
        String source = src.toString();
        long size;
        try {
            size = Files.size(src);
        } catch (IOException e) {
            return TransferClient.failed(source, dest, 0, 0, "cannot read " + src + ": " + e);
        }
        String alg;
        try {
            alg = ContentHash.algorithm(options.hash());
        } catch (SiloException e) {
            return TransferClient.failed(source, dest, size, 0, e.getMessage());
        }
        t.bytesTotal.addAndGet(size);
        if (options.skipExisting()) {
            Result stored = stored(src, dest, size);
            if (stored != null) {
                return stored;
            }
        }
        List<String> avoid = new ArrayList<>();
        String last = null;
        int attempts = 0;
        int counted = 0;
        int resends = 0;
        while (counted <= options.maxRetry()) {
            attempts++;
            counted++;
            CallbackListener.Expected e = listener.expect();
            JobInfo j;
            try {
                j = lm.write(new WriteToHsm(dest, size, options.library(), options.storageGroup(), options.fileFamily(),
                        options.priority(), options.verify(), listener.callback(), e.token(), options.owner(), List.copyOf(avoid),
                        Math.max(1, options.copies()), alg));
            } catch (SiloException x) {
                listener.forget(e);
                if (options.skipExisting() && x.code() == ErrorCode.EXISTS) {
                    Result stored = stored(src, dest, size); // it was stored meanwhile
                    if (stored != null) {
                        return stored;
                    }
                }
                return TransferClient.failed(source, dest, size, attempts, x.getMessage());
            }
            Outcome o = attempt(src, dest, size, alg, e, j, avoid, attempts);
            if (o.result() != null) {
                return o.result();
            }
            last = o.error();
            if (o.restarted()) {
                counted--; // the server restarted under it: no fault of the file's, it costs no retry
            }
            if (o.resend() && resends++ < TransferClient.MAX_RESENDS) {
                counted--; // the volume is full now: the file goes to another volume, no one is to blame,
                attempts--; // and it is not one of the user's attempts either
            }
            if (o.stop()) {
                break;
            }
        }
        return TransferClient.failed(source, dest, size, attempts, last);
    }

    private Outcome attempt(Path src, String dest, long size, String alg, CallbackListener.Expected expected, JobInfo j,
            List<String> avoid, int attempts) {
        CallbackListener.Expected e = expected;
        long session = lm.session();
        while (true) {
            long started = System.nanoTime();
            long sent = 0;
            CallbackListener.Conn c = null;
            try {
                c = listener.await(e, j.id(), options.waitForMover(), lm, t.notes());
                c.out().writeLong(size);
                Adler32 sum = new Adler32();
                MessageDigest md = alg == null ? null : ContentHash.digest(alg);
                try (InputStream in = open(src)) {
                    byte[] buf = new byte[DataChannel.BUFFER];
                    long left = size;
                    while (left > 0) {
                        int r = read(in, buf, (int) Math.min(buf.length, left), src);
                        sum.update(buf, 0, r);
                        if (md != null) {
                            md.update(buf, 0, r);
                        }
                        c.out().write(buf, 0, r);
                        left -= r;
                        sent += r;
                        t.bytesDone.addAndGet(r);
                    }
                }
                c.out().writeInt((int) sum.getValue());
                c.out().flush();
                String err = DataChannel.readStatus(c.in());
                if (err != null) {
                    throw new SiloException(ErrorCode.IO, err);
                }
                String bfid = c.in().readUTF();
                String volume = c.in().readUTF();
                c.in().readUTF(); // cookie
                String theirs = c.in().readUTF();
                String ours = Checksums.hex(sum.getValue());
                if (!theirs.equals(ours)) {
                    throw new SiloException(ErrorCode.IO, "CRC mismatch at client: " + src + " has adler32 " + ours + ", the mover recorded "
                            + theirs + " (bfid " + bfid + ")");
                }
                double rate = TransferClient.mbps(size, started);
                String hash = md == null ? null : ContentHash.format(alg, md.digest());
                Result r = new Result(src.toString(), dest, size, volume, bfid, ours, rate, attempts, c.hello().mover(), null, hash, List.of());
                return new Outcome(hash != null || options.copies() > 1 ? afterWrite(r, j.id()) : r, null, false, false);
            } catch (LocalFailure x) {
                t.bytesDone.addAndGet(-sent);
                t.giveUp(e, j.id());
                return new Outcome(null, x.getMessage(), true, false);
            } catch (SiloException | IOException | TimeoutException x) {
                t.bytesDone.addAndGet(-sent);
                String why = x instanceof IOException && c != null ? "data connection with mover " + c.hello().mover() + " failed: "
                        + x.getMessage() : x.getMessage();
                if (c != null) {
                    e = listener.expect(e.token()); // a mover of a restarted server may bring the same request again
                }
                JobInfo now = t.settle(j.id());
                if (now != null && now.state().equals("done")) { // recorded, but its answer was lost
                    listener.forget(e);
                    return new Outcome(landed(src, dest, size, alg, now, attempts, started), null, false, false);
                }
                if (TransferClient.stopped(now)) {
                    listener.forget(e);
                    return new Outcome(null, "job " + j.id() + " was " + ("killed".equals(now.error()) ? "killed" : now.error()) + " ("
                            + why + ")", true, false);
                }
                if (now != null && now.state().equals("failed") && now.error() != null
                        && now.error().startsWith(LibraryMessages.RESEND)) {
                    // the volume filled up under the file and is full now: the file goes to another volume, and
                    // neither the mover nor this attempt is to blame
                    t.notes().accept(dest + " " + now.error());
                    listener.forget(e);
                    return new Outcome(null, now.error(), false, false, true);
                }
                boolean restarted = lm.session() != session;
                if (restarted && c != null && TransferClient.live(now)) {
                    session = lm.session(); // the restarted server holds the request: wait for its mover, on the same token
                    continue;
                }
                if (c != null && !restarted) {
                    avoid.add(c.hello().mover());
                }
                t.giveUp(e, j.id());
                boolean noSpace = now != null && now.error() != null && now.error().startsWith(LibraryMessages.NO_SPACE);
                if (noSpace) {
                    why = "job " + j.id() + " failed: " + now.error();
                }
                // another try would fail the same way: the path is taken, its directory missing, or no volume has room
                boolean stop = noSpace || why != null && (why.contains("already exists") || why.contains("no directory"));
                return new Outcome(null, why, stop, restarted);
            } finally {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    /**
     * The request is done though its answer never came (the server or the mover went away between
     * recording the file and telling this client): the file is reported from the record, once the local
     * file's size and Adler-32 (and hash) are found equal to it.
     */
    private Result landed(Path src, String dest, long size, String alg, JobInfo j, int attempts, long started) {
        String source = src.toString();
        Adler32 sum = new Adler32();
        MessageDigest md = alg == null ? null : ContentHash.digest(alg);
        try (InputStream in = Files.newInputStream(src)) {
            byte[] buf = new byte[DataChannel.BUFFER];
            for (int r; (r = in.read(buf)) >= 0; ) {
                sum.update(buf, 0, r);
                if (md != null) {
                    md.update(buf, 0, r);
                }
            }
        } catch (IOException e) {
            return TransferClient.failed(source, dest, size, attempts, "stored as job " + j.id() + " (" + j.bfid() + "), but " + src
                    + " cannot be read to check it: " + e.getMessage());
        }
        String ours = Checksums.hex(sum.getValue());
        if (j.size() != size || !ours.equals(j.adler32())) {
            return TransferClient.failed(source, dest, size, attempts, "CRC mismatch at client: " + src + " has " + size
                    + " bytes with adler32 " + ours + ", job " + j.id() + " recorded " + j.size() + " with " + j.adler32());
        }
        t.bytesDone.addAndGet(size);
        String hash = md == null ? null : ContentHash.format(alg, md.digest());
        Result r = new Result(source, dest, size, j.volume(), j.bfid(), ours, TransferClient.mbps(size, started), attempts, j.moverName(),
                null, hash, List.of());
        return hash != null || options.copies() > 1 ? afterWrite(r, j.id()) : r;
    }

    /**
     * {@code --skip-existing}: null if nothing is stored at {@code dest}; otherwise the file is skipped
     * when the stored one has the same size and Adler-32, and fails naming the difference when not.
     */
    private Result stored(Path src, String dest, long size) {
        String source = src.toString();
        NsEntry e;
        try {
            e = lm.stat(dest);
        } catch (SiloException x) {
            return x.code() == ErrorCode.NOT_FOUND ? null : TransferClient.failed(source, dest, size, 0, x.getMessage());
        }
        if (!"file".equals(e.kind())) {
            return TransferClient.failed(source, dest, size, 0, dest + " already exists and is a directory");
        }
        if (e.size() != size) {
            return TransferClient.failed(source, dest, size, 0, dest + " already exists and differs: " + e.size() + " bytes in the archive, "
                    + size + " in " + src);
        }
        String ours;
        try (InputStream in = Files.newInputStream(src)) {
            ours = Checksums.adler32(in, new long[1]);
        } catch (IOException x) {
            return TransferClient.failed(source, dest, size, 0, "cannot read " + src + ": " + x.getMessage());
        }
        if (!ours.equals(e.adler32())) {
            return TransferClient.failed(source, dest, size, 0, dest + " already exists and differs: adler32 " + e.adler32()
                    + " in the archive, " + ours + " in " + src + " (both " + size + " bytes)");
        }
        t.bytesDone.addAndGet(size);
        return new Result(source, dest, size, e.volume(), e.bfid(), ours, 0, 0, null, null, null, List.of(), true);
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

    private static InputStream open(Path src) throws LocalFailure {
        try {
            return Files.newInputStream(src);
        } catch (IOException e) {
            throw new LocalFailure("cannot read " + src + ": " + e);
        }
    }

    private static int read(InputStream in, byte[] buf, int len, Path src) throws LocalFailure {
        int r;
        try {
            r = in.read(buf, 0, len);
        } catch (IOException e) {
            throw new LocalFailure("cannot read " + src + ": " + e);
        }
        if (r < 0) {
            throw new LocalFailure(src + " shrank while it was being sent");
        }
        return r;
    }
}
