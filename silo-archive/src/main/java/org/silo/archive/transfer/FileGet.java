package org.silo.archive.transfer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.zip.Adler32;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.ReadFromHsm;
import org.silo.archive.transfer.TransferClient.LocalFailure;
import org.silo.archive.transfer.TransferClient.Result;
import org.silo.archive.volume.Checksums;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * One file of a get: its destination checked first (as cp does: nothing is queued for a file that cannot
 * be made), then queued, received from the mover into {@code .NAME.silo-part} beside the destination,
 * fsynced, checked against the catalog's Adler-32 and renamed into place. A local file that cannot be
 * written fails the file at once (no mover is to blame); a server restart is waited for on the same
 * request.
 */
final class FileGet {
    private final TransferClient t;
    private final LibraryClient lm;
    private final TransferClient.Options options;
    private final CallbackListener listener;

    FileGet(TransferClient t) {
        this.t = t;
        this.lm = t.lm();
        this.options = t.options();
        this.listener = t.listener();
    }

    private record Outcome(Result result, String error, boolean stop, boolean restarted) {}

    Result run(String src, Path dest) {
        String refused = cannotCreate(dest);
        if (refused != null) {
            return TransferClient.failed(src, dest.toString(), 0, 0, refused);
        }
        Path part = dest.toAbsolutePath().resolveSibling("." + dest.getFileName() + ".silo-part");
        List<String> avoid = new ArrayList<>();
        String last = null;
        int attempts = 0;
        int counted = 0;
        boolean totalled = false;
        while (counted <= options.maxRetry()) {
            attempts++;
            counted++;
            CallbackListener.Expected e = listener.expect();
            JobInfo j;
            try {
                j = lm.read(new ReadFromHsm(src, options.priority(), listener.callback(), e.token(), List.copyOf(avoid)));
            } catch (SiloException x) {
                listener.forget(e);
                return TransferClient.failed(src, dest.toString(), 0, attempts, x.getMessage());
            }
            if (!totalled) {
                t.bytesTotal.addAndGet(j.size());
                totalled = true;
            }
            Outcome o = attempt(src, dest, part, e, j, avoid, attempts);
            if (o.result() != null) {
                return o.result();
            }
            last = o.error();
            if (o.restarted()) {
                counted--;
            }
            if (o.stop()) {
                break;
            }
        }
        return TransferClient.failed(src, dest.toString(), 0, attempts, last);
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

    private Outcome attempt(String src, Path dest, Path part, CallbackListener.Expected expected, JobInfo j, List<String> avoid,
            int attempts) {
        CallbackListener.Expected e = expected;
        long session = lm.session();
        while (true) {
            long started = System.nanoTime();
            long moved = 0;
            CallbackListener.Conn c = null;
            try {
                c = listener.await(e, j.id(), options.waitForMover(), lm, t.notes());
                long size = c.in().readLong();
                if (size != j.size()) {
                    throw new SiloException(ErrorCode.IO, "the mover sends " + size + " bytes, the catalog says " + j.size());
                }
                Adler32 sum = new Adler32();
                try (FileChannel ch = create(part)) {
                    byte[] buf = new byte[DataChannel.BUFFER];
                    ByteBuffer bb = ByteBuffer.wrap(buf);
                    long left = size;
                    while (left > 0) {
                        int r = c.in().read(buf, 0, (int) Math.min(buf.length, left));
                        if (r < 0) {
                            throw new IOException("the mover's stream ended " + left + " bytes early");
                        }
                        sum.update(buf, 0, r);
                        bb.clear().limit(r);
                        write(ch, bb, part);
                        left -= r;
                        moved += r;
                        t.bytesDone.addAndGet(r);
                    }
                    String err = DataChannel.readStatus(c.in());
                    if (err != null) {
                        throw new SiloException(ErrorCode.IO, err);
                    }
                    c.in().readUTF(); // the mover's adler32, equal to the catalog's or it would have said so
                    String ours = Checksums.hex(sum.getValue());
                    if (!ours.equals(j.adler32())) {
                        String msg = "CRC mismatch at client: " + src + " arrived with adler32 " + ours + ", the catalog has " + j.adler32();
                        DataChannel.writeError(c.out(), msg);
                        throw new SiloException(ErrorCode.IO, msg);
                    }
                    force(ch, part);
                }
                rename(part, dest);
                try {
                    c.out().writeByte(DataChannel.OK);
                    c.out().flush();
                } catch (IOException gone) {
                    // the file is in place and checked; the mover just does not hear so
                }
                return new Outcome(new Result(src, dest.toString(), size, j.volume(), j.bfid(), j.adler32(),
                        TransferClient.mbps(size, started), attempts, c.hello().mover(), null), null, false, false);
            } catch (LocalFailure x) {
                t.bytesDone.addAndGet(-moved);
                deleteQuietly(part);
                t.giveUp(e, j.id());
                return new Outcome(null, x.getMessage(), true, false);
            } catch (SiloException | IOException | TimeoutException x) {
                t.bytesDone.addAndGet(-moved);
                String why = x instanceof IOException && c != null ? "data connection with mover " + c.hello().mover() + " failed: "
                        + x.getMessage() : x.getMessage();
                boolean volumeBad = why != null && (why.startsWith("CRC mismatch at mover") || why.startsWith("size mismatch at mover"));
                if (c != null) {
                    e = listener.expect(e.token()); // a mover of a restarted server may bring the same request again
                }
                JobInfo now = t.settle(j.id());
                if (TransferClient.stopped(now)) {
                    listener.forget(e);
                    deleteQuietly(part);
                    return new Outcome(null, "job " + j.id() + " was " + ("killed".equals(now.error()) ? "killed" : now.error()) + " ("
                            + why + ")", true, false);
                }
                boolean restarted = lm.session() != session;
                if (restarted && c != null && TransferClient.live(now)) {
                    session = lm.session(); // the restarted server holds the request: wait for its mover, on the same token
                    continue;
                }
                if (c != null && !volumeBad && !restarted) {
                    avoid.add(c.hello().mover()); // the volume's fault follows the file, not the mover: no point avoiding it
                }
                t.giveUp(e, j.id());
                deleteQuietly(part);
                return new Outcome(null, why, false, restarted);
            } finally {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    private static FileChannel create(Path part) throws LocalFailure {
        try {
            return FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new LocalFailure("cannot write " + part + ": " + e);
        }
    }

    private static void write(FileChannel ch, ByteBuffer bb, Path part) throws LocalFailure {
        try {
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
        } catch (IOException e) {
            throw new LocalFailure("cannot write " + part + ": " + e);
        }
    }

    private static void force(FileChannel ch, Path part) throws LocalFailure {
        try {
            ch.force(true);
        } catch (IOException e) {
            throw new LocalFailure("cannot write " + part + ": " + e);
        }
    }

    private static void rename(Path part, Path dest) throws LocalFailure {
        try {
            try {
                Files.move(part, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, dest, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new LocalFailure("cannot rename " + part + " to " + dest + ": " + e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a dot file left behind; the next get of it truncates it
        }
    }
}
