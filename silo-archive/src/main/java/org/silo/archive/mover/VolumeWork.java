package org.silo.archive.mover;

import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.zip.Adler32;
import java.util.zip.CheckedInputStream;
import org.silo.archive.ops.LibraryMessages.FileRef;
import org.silo.archive.ops.LibraryMessages.Job;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.transfer.DataChannel;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.Backends;
import org.silo.archive.volume.Checksums;
import org.silo.archive.volume.ContentHash;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * The jobs a mover does without a client: copy a bit file to another volume, and verify a volume. Both
 * count their bytes in the mover's progress and stop when {@code stop} says so (job killed, mover
 * killed). Each returns the transfer_done to send.
 */
final class VolumeWork {
    private final String moverId;
    private final Backends backends;
    private final AtomicLong done;
    private final UnaryOperator<InputStream> pace;
    private final BooleanSupplier stop;

    VolumeWork(String moverId, Backends backends, AtomicLong done, UnaryOperator<InputStream> pace, BooleanSupplier stop) {
        this.moverId = moverId;
        this.backends = backends;
        this.done = done;
        this.pace = pace;
        this.stop = stop;
    }

    /**
     * Reads the file from its volume and appends it to the target; the source's Adler-32 must equal the
     * catalog's before the copy commits, and the copy is read back and checked (copies are always verified).
     */
    TransferDone copy(Job j) {
        Backend to;
        String cookie;
        Adler32 sum = new Adler32();
        try {
            Backend from = backends.get(j.backend());
            to = backends.get(j.targetBackend());
            try (InputStream in = new CheckedInputStream(new DataChannel.Counted(pace.apply(from.open(j.cookie())), j.size(), done), sum)) {
                cookie = to.append(new Stoppable(in), j.size(), () -> {
                    if (!Checksums.hex(sum.getValue()).equals(j.adler32())) {
                        throw new SiloException(ErrorCode.IO, "CRC mismatch at mover: " + j.path() + " read from " + j.volume() + " "
                                + j.cookie() + " has adler32 " + Checksums.hex(sum.getValue()) + ", the catalog has " + j.adler32());
                    }
                });
            }
        } catch (SiloException | IOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            boolean sourceFault = msg.startsWith("CRC mismatch at mover") || msg.contains("cannot read");
            return failed(j, "copy of " + j.path() + " from " + j.volume() + " to " + j.targetVolume() + " failed: " + msg, !stop(),
                    sourceFault ? j.volume() : j.targetVolume());
        }
        long[] n = new long[1];
        String back;
        try (InputStream r = to.open(cookie)) {
            back = Checksums.adler32(r, n);
        } catch (SiloException | IOException e) {
            return failed(j, "cannot read back the copy on " + j.targetVolume() + " " + cookie + ": " + e.getMessage(), true,
                    j.targetVolume());
        }
        if (!back.equals(j.adler32()) || n[0] != j.size()) {
            return failed(j, "CRC mismatch on read-back of the copy on " + j.targetVolume() + " " + cookie + ": " + n[0] + " bytes, adler32 "
                    + back + "; the original has " + j.size() + ", " + j.adler32(), true, j.targetVolume());
        }
        return new TransferDone(moverId, j.id(), true, cookie, j.size(), j.adler32(), null, false, null, null, null, null);
    }

    /** Reads every file of the job's list from the volume; each must match its size, Adler-32 and content hash. */
    TransferDone verify(Job j) {
        List<String> bad = new ArrayList<>();
        long bytes = 0;
        int checked = 0;
        Backend from;
        try {
            from = backends.get(j.backend());
        } catch (SiloException e) {
            return failed(j, "cannot open volume " + j.volume() + ": " + e.getMessage(), true, j.volume());
        }
        for (FileRef f : j.files()) {
            if (stop()) {
                return failed(j, "job " + j.id() + " was stopped after " + checked + " of " + j.files().size() + " files", false, null);
            }
            String problem = check(from, f);
            checked++;
            bytes += f.size();
            if (problem != null) {
                bad.add(f.bfid() + " at " + f.cookie() + ": " + problem);
            }
        }
        String result = checked + " files, " + bytes + " bytes read: " + (bad.isEmpty() ? "all good" : bad.size() + " bad");
        if (bad.isEmpty()) {
            return new TransferDone(moverId, j.id(), true, null, bytes, null, null, false, null, null, result, null);
        }
        String error = "volume " + j.volume() + ": " + bad.size() + " of " + checked + " files bad: " + String.join("; ", bad);
        return new TransferDone(moverId, j.id(), false, null, bytes, null, error, true, null, null, result, j.volume());
    }

    private String check(Backend from, FileRef f) {
        Adler32 sum = new Adler32();
        MessageDigest md = f.hash() == null ? null : ContentHash.digest(f.hash().substring(0, f.hash().indexOf(':')));
        long n = 0;
        try (InputStream raw = new CheckedInputStream(new DataChannel.Counted(pace.apply(from.open(f.cookie())), Long.MAX_VALUE, done), sum);
                InputStream in = md == null ? raw : new DigestInputStream(raw, md)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) >= 0; ) {
                n += r;
            }
        } catch (SiloException | IOException e) {
            return "cannot read: " + e.getMessage();
        }
        if (n != f.size()) {
            return "holds " + n + " bytes, the catalog says " + f.size();
        }
        if (!Checksums.hex(sum.getValue()).equals(f.adler32())) {
            return "adler32 " + Checksums.hex(sum.getValue()) + ", the catalog has " + f.adler32();
        }
        if (md != null) {
            String h = ContentHash.format(f.hash().substring(0, f.hash().indexOf(':')), md.digest());
            if (!h.equals(f.hash())) {
                return "content hash " + h + ", the catalog has " + f.hash();
            }
        }
        return null;
    }

    private boolean stop() {
        return stop.getAsBoolean();
    }

    private TransferDone failed(Job j, String error, boolean volumeFault, String faultVolume) {
        return new TransferDone(moverId, j.id(), false, null, 0, null, error, volumeFault, null, null, null, faultVolume);
    }

    /** Ends the stream early when the job is stopped, so that the append leaves nothing. */
    private final class Stoppable extends java.io.FilterInputStream {
        Stoppable(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (stop()) {
                throw new IOException("job stopped");
            }
            return super.read(b, off, len);
        }
    }
}
