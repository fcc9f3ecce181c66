package org.silo.archive.mover;

import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.zip.Adler32;
import java.util.zip.CheckedInputStream;
import org.silo.archive.aggregate.ContainerReader;
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

    VolumeWork(
            String moverId, Backends backends, AtomicLong done, UnaryOperator<InputStream> pace, BooleanSupplier stop) {
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
        return copy(j, () -> backends.get(j.backend()).open(j.cookie()), null);
    }

    /** Where a copy's bytes come from: the source volume, or what a text worker delivers (seed 004's push). */
    interface Source {
        InputStream open() throws SiloException, IOException;
    }

    /**
     * A copy whose bytes come from {@code source}; with {@code hash} ({@code ALG:HEX}) the bytes must also
     * have that content hash before the append commits.
     */
    TransferDone copy(Job j, Source source, String hash) {
        if (j.bfid() == null) {
            return copyContainer(j, source);
        }
        Backend to;
        String cookie;
        Adler32 sum = new Adler32();
        MessageDigest md = hash == null ? null : ContentHash.digest(hash.substring(0, hash.indexOf(':')));
        try {
            to = backends.get(j.targetBackend());
            to.startWriter(j.nextFile());
            InputStream raw =
                    new CheckedInputStream(new DataChannel.Counted(pace.apply(source.open()), j.size(), done), sum);
            try (InputStream in = md == null ? raw : new DigestInputStream(raw, md)) {
                cookie = to.append(new Stoppable(in), j.size(), () -> {
                    if (!Checksums.hex(sum.getValue()).equals(j.adler32())) {
                        throw SiloException.of(
                                ErrorCode.IO,
                                "CRC mismatch at mover: " + j.path() + " read from " + j.volume() + " " + j.cookie()
                                        + " has adler32 " + Checksums.hex(sum.getValue()) + ", the catalog has "
                                        + j.adler32());
                    }
                    String got =
                            md == null ? null : ContentHash.format(hash.substring(0, hash.indexOf(':')), md.digest());
                    if (got != null && !got.equals(hash)) {
                        throw SiloException.of(
                                ErrorCode.IO,
                                "CRC mismatch at mover: " + j.path() + " has content hash " + got + ", the catalog has "
                                        + hash);
                    }
                });
            }
        } catch (SiloException | IOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            boolean sourceFault = msg.startsWith("CRC mismatch at mover") || msg.contains("cannot read");
            return failed(
                    j,
                    "copy of " + j.path() + " from " + j.volume() + " to " + j.targetVolume() + " failed: " + msg,
                    !stop(),
                    sourceFault ? j.volume() : j.targetVolume());
        }
        long[] n = new long[1];
        String back;
        try (InputStream r = to.open(cookie)) {
            back = Checksums.adler32(r, n);
        } catch (SiloException | IOException e) {
            return failed(
                    j,
                    "cannot read back the copy on " + j.targetVolume() + " " + cookie + ": " + e.getMessage(),
                    true,
                    j.targetVolume());
        }
        if (!back.equals(j.adler32()) || n[0] != j.size()) {
            return failed(
                    j,
                    "CRC mismatch on read-back of the copy on " + j.targetVolume() + " " + cookie + ": " + n[0]
                            + " bytes, adler32 " + back + "; the original has " + j.size() + ", " + j.adler32(),
                    true,
                    j.targetVolume());
        }
        return TransferDone.of(moverId, j.id())
                .stored(j.size())
                .cookie(cookie)
                .adler32(j.adler32())
                .build();
    }

    /**
     * A copy of a container (a write with --copies of small files): the container is read once and
     * appended whole to the target, each live member's Adler-32 checked against the catalog as it streams by
     * and before the copy commits, then the copy read back once and every member checked again. Its
     * members keep their offsets, so the library manager records each member's copy at the same range.
     */
    private TransferDone copyContainer(Job j, Source source) {
        List<FileRef> members = new ArrayList<>(j.files() == null ? List.of() : j.files());
        members.sort(Comparator.comparingLong(f -> location(f.cookie()).offset()));
        Backend to;
        String cookie;
        try {
            to = backends.get(j.targetBackend());
            to.startWriter(j.nextFile());
            try (MemberSums in =
                    new MemberSums(new DataChannel.Counted(pace.apply(source.open()), j.size(), done), members)) {
                cookie = to.append(new Stoppable(in), j.size(), () -> {
                    String problem = in.problem();
                    if (problem != null) {
                        throw SiloException.of(
                                ErrorCode.IO,
                                "CRC mismatch at mover: container " + j.cookie() + " of " + j.volume() + ": "
                                        + problem);
                    }
                });
            }
        } catch (SiloException | IOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            boolean sourceFault = msg.startsWith("CRC mismatch at mover") || msg.contains("cannot read");
            return failed(
                    j,
                    "copy of container " + j.cookie() + " from " + j.volume() + " to " + j.targetVolume() + " failed: "
                            + msg,
                    !stop(),
                    sourceFault ? j.volume() : j.targetVolume());
        }
        try (ContainerReader r = new ContainerReader(to.open(cookie))) {
            for (FileRef f : members) {
                Backend.Location at = location(f.cookie());
                String problem = r.check(new ContainerReader.Expected(at.offset(), at.length(), f.adler32(), null));
                if (problem != null) {
                    return failed(
                            j,
                            "CRC mismatch on read-back of the copy on " + j.targetVolume() + " " + cookie + ": "
                                    + f.bfid() + " " + problem,
                            true,
                            j.targetVolume());
                }
            }
        } catch (SiloException e) {
            return failed(
                    j,
                    "cannot read back the copy on " + j.targetVolume() + " " + cookie + ": " + e.getMessage(),
                    true,
                    j.targetVolume());
        }
        return TransferDone.of(moverId, j.id())
                .stored(j.size())
                .cookie(cookie)
                .result(members.size() + " members checked")
                .build();
    }

    /** A container's bytes passing by, with the Adler-32 of each member (sorted by offset) computed on the way. */
    private static final class MemberSums extends java.io.FilterInputStream {
        private final List<FileRef> members;
        private final List<Backend.Location> at = new ArrayList<>();
        private final Adler32[] sums;
        private long pos;

        MemberSums(InputStream in, List<FileRef> members) {
            super(in);
            this.members = members;
            this.sums = new Adler32[members.size()];
            for (int i = 0; i < sums.length; i++) {
                sums[i] = new Adler32();
                at.add(location(members.get(i).cookie()));
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int r = super.read(b, off, len);
            if (r > 0) {
                long end = pos + r;
                for (int i = 0; i < sums.length; i++) {
                    long s = Math.max(pos, at.get(i).offset());
                    long e = Math.min(end, at.get(i).offset() + at.get(i).length());
                    if (s < e) {
                        sums[i].update(b, off + (int) (s - pos), (int) (e - s));
                    }
                }
                pos = end;
            }
            return r;
        }

        /** The first member whose bytes differ from the catalog's Adler-32, or null. */
        String problem() {
            for (int i = 0; i < sums.length; i++) {
                if (!Checksums.hex(sums[i].getValue()).equals(members.get(i).adler32())) {
                    return members.get(i).bfid() + " at " + members.get(i).cookie() + " has adler32 "
                            + Checksums.hex(sums[i].getValue()) + ", the catalog has "
                            + members.get(i).adler32();
                }
            }
            return null;
        }
    }

    /**
     * Reads every file of the job's list from the volume; each must match its size, Adler-32 and content
     * hash. The members of a container are checked by reading the container once, front to back.
     */
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
        Map<String, List<FileRef>> containers = new LinkedHashMap<>();
        List<FileRef> whole = new ArrayList<>();
        for (FileRef f : j.files()) {
            Backend.Location at = location(f.cookie());
            if (at == null || at.whole()) {
                whole.add(f);
            } else {
                containers
                        .computeIfAbsent(at.fileCookie(), k -> new ArrayList<>())
                        .add(f);
            }
        }
        for (FileRef f : whole) {
            if (stop()) {
                return failed(
                        j,
                        "job " + j.id() + " was stopped after " + checked + " of "
                                + j.files().size() + " files",
                        false,
                        null);
            }
            String problem = check(from, f);
            checked++;
            bytes += f.size();
            if (problem != null) {
                bad.add(f.bfid() + " at " + f.cookie() + ": " + problem);
            }
        }
        for (Map.Entry<String, List<FileRef>> e : containers.entrySet()) {
            if (stop()) {
                return failed(
                        j,
                        "job " + j.id() + " was stopped after " + checked + " of "
                                + j.files().size() + " files",
                        false,
                        null);
            }
            List<FileRef> members = new ArrayList<>(e.getValue());
            members.sort(Comparator.comparingLong(f -> location(f.cookie()).offset()));
            try (ContainerReader r = new ContainerReader(
                    new DataChannel.Counted(pace.apply(from.open(e.getKey())), Long.MAX_VALUE, done))) {
                for (FileRef f : members) {
                    Backend.Location at = location(f.cookie());
                    String problem =
                            r.check(new ContainerReader.Expected(at.offset(), at.length(), f.adler32(), f.hash()));
                    checked++;
                    bytes += f.size();
                    if (problem != null) {
                        bad.add(f.bfid() + " at " + f.cookie() + ": " + problem);
                    }
                }
            } catch (SiloException x) {
                for (FileRef f : members) {
                    checked++;
                    bad.add(f.bfid() + " at " + f.cookie() + ": cannot read its container: " + x.getMessage());
                }
            }
        }
        String result =
                checked + " files, " + bytes + " bytes read: " + (bad.isEmpty() ? "all good" : bad.size() + " bad");
        if (bad.isEmpty()) {
            return TransferDone.of(moverId, j.id()).stored(bytes).result(result).build();
        }
        String error =
                "volume " + j.volume() + ": " + bad.size() + " of " + checked + " files bad: " + String.join("; ", bad);
        return TransferDone.of(moverId, j.id())
                .failed(error)
                .size(bytes)
                .result(result)
                .faultVolume(j.volume())
                .volumeFault(true)
                .build();
    }

    private static Backend.Location location(String cookie) {
        try {
            return Backend.location(cookie);
        } catch (SiloException e) {
            return null;
        }
    }

    private String check(Backend from, FileRef f) {
        Adler32 sum = new Adler32();
        MessageDigest md = f.hash() == null
                ? null
                : ContentHash.digest(f.hash().substring(0, f.hash().indexOf(':')));
        long n = 0;
        try (InputStream raw = new CheckedInputStream(
                        new DataChannel.Counted(pace.apply(from.open(f.cookie())), Long.MAX_VALUE, done), sum);
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
        return TransferDone.of(moverId, j.id())
                .failed(error)
                .faultVolume(faultVolume)
                .volumeFault(volumeFault)
                .build();
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
