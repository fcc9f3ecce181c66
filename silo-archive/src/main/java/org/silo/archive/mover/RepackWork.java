package org.silo.archive.mover;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.silo.archive.aggregate.ContainerReader;
import org.silo.archive.aggregate.ContainerWriter;
import org.silo.archive.ops.LibraryMessages.FileRef;
import org.silo.archive.ops.LibraryMessages.Job;
import org.silo.archive.ops.LibraryMessages.Moved;
import org.silo.archive.ops.LibraryMessages.RepackAnswer;
import org.silo.archive.ops.LibraryMessages.RepackCommit;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.transfer.DataChannel;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.Backends;
import org.silo.wire.SiloException;

/**
 * A repack job at the mover (docs/archive.md, "Repack"): each old container of the bound volume is read
 * once, front to back; its live members are written as members of new containers on the target volume
 * (closed at the job's container size), each checked against its Adler-32 on the way; each new container
 * is fsynced and named, read back once and checked, and then committed (repack_commit: recorded, its
 * members switched to it, in one transaction). An old container is removed from the volume once the
 * library manager says none of its members lives there and no read waits for it. A member whose bytes are
 * wrong stays where it is (its container is then not freed) and is named in the result.
 */
final class RepackWork {
    private final String moverId;
    private final MoverLink link;
    private final Backends backends;
    private final AtomicLong done;
    private final UnaryOperator<InputStream> pace;
    private final BooleanSupplier stop;

    private Job job;
    private Backend from;
    private Backend to;
    private Backend.NewFile open;
    private ContainerWriter writer;
    private final List<Moved> pending = new ArrayList<>();
    private final List<String> finished = new ArrayList<>();
    private final List<String> freed = new ArrayList<>();
    private final List<String> bad = new ArrayList<>();
    private long movedFiles;
    private long movedBytes;
    private int newContainers;
    private int freedContainers;
    private int keptContainers;

    RepackWork(
            String moverId,
            MoverLink link,
            Backends backends,
            AtomicLong done,
            UnaryOperator<InputStream> pace,
            BooleanSupplier stop) {
        this.moverId = moverId;
        this.link = link;
        this.backends = backends;
        this.done = done;
        this.pace = pace;
        this.stop = stop;
    }

    TransferDone run(Job j) {
        this.job = j;
        Map<String, List<FileRef>> byContainer =
                new LinkedHashMap<>(); // the volume's order: the library manager sorted them
        try {
            for (FileRef f : j.files()) {
                List<FileRef> members =
                        byContainer.computeIfAbsent(Backend.location(f.cookie()).fileCookie(), k -> new ArrayList<>());
                if (f.bfid() != null) {
                    members.add(f);
                }
            }
            from = backends.get(j.backend());
            to = j.targetBackend() == null ? null : backends.get(j.targetBackend());
            if (to != null) {
                to.startWriter(j.nextFile());
            }
        } catch (SiloException e) {
            return failed("cannot open the volumes of repack job " + j.id() + ": " + e.getMessage(), true, j.volume());
        }
        try {
            for (Map.Entry<String, List<FileRef>> e : byContainer.entrySet()) {
                if (stop.getAsBoolean()) {
                    abandon();
                    return failed("repack job " + j.id() + " was stopped after " + movedFiles + " files", false, null);
                }
                if (!e.getValue().isEmpty()) {
                    repackContainer(e.getKey(), e.getValue());
                }
                finished.add(e.getKey()); // asked about with the commit that holds its last members
            }
            commit();
            if (!freed.isEmpty() || !finished.isEmpty()) {
                commit(); // the last containers removed, told
            }
        } catch (Trouble t) {
            abandon();
            if (t.full) { // as for a write (docs/archive.md, "Full volumes"): the target is full, not bad
                long free = to == null ? -1 : to.freeBytes();
                return TransferDone.of(moverId, job.id())
                        .failed(t.getMessage())
                        .size(movedBytes)
                        .result("repacked " + movedFiles + " files before the target filled up; repack again to go on")
                        .noRoom(free < 0 ? null : free)
                        .build();
            }
            return failed(t.getMessage(), t.volume != null, t.volume);
        } catch (SiloException e) {
            abandon();
            return failed("repack of " + j.volume() + " stopped: " + e.getMessage(), false, null);
        }
        String result = "repacked " + movedFiles + " files (" + movedBytes + " bytes) from " + byContainer.size()
                + " containers of "
                + j.volume()
                + (newContainers == 0 ? "" : " into " + newContainers + " containers on " + j.targetVolume())
                + "; freed " + freedContainers + " containers"
                + (keptContainers == 0
                        ? ""
                        : "; kept " + keptContainers + " (a member still lives there, or a read queued before the"
                                + " switch still needs it: repack again to free them)")
                + (bad.isEmpty() ? "" : "; " + bad.size() + " bad files left in place: " + String.join("; ", bad));
        if (!bad.isEmpty()) {
            return TransferDone.of(moverId, j.id())
                    .failed("volume " + j.volume() + ": " + bad.size() + " files bad, not repacked: "
                            + String.join("; ", bad))
                    .size(movedBytes)
                    .result(result)
                    .faultVolume(j.volume())
                    .volumeFault(true)
                    .build();
        }
        return TransferDone.of(moverId, j.id())
                .stored(movedBytes)
                .result(result)
                .build();
    }

    /** Reads one old container once and writes its live members into the open new container (a new one when full). */
    private void repackContainer(String cookie, List<FileRef> members) throws Trouble, SiloException {
        try (ContainerReader r =
                new ContainerReader(new DataChannel.Counted(pace.apply(from.open(cookie)), Long.MAX_VALUE, done))) {
            for (FileRef f : members) {
                Backend.Location at = Backend.location(f.cookie());
                if (writer == null) {
                    if (to == null) {
                        throw new Trouble("repack job " + job.id() + " has live files but no target volume", null);
                    }
                    open = to.create();
                    writer = new ContainerWriter(
                            open.out(), job.targetVolume(), open.cookie(), System.currentTimeMillis());
                }
                if (stop.getAsBoolean()) {
                    throw new Trouble("repack job " + job.id() + " was stopped after " + movedFiles + " files", null);
                }
                ContainerWriter.Member m;
                try {
                    m = writer.add(
                            f.path().substring(1),
                            at.length(),
                            new SourceStream(r.member(at.offset(), at.length())),
                            f.owner(),
                            algorithm(f.hash()));
                } catch (SourceTrouble e) {
                    throw new Trouble(
                            "cannot read " + f.path() + " (" + f.bfid() + ") from " + job.volume() + " " + cookie + ": "
                                    + e.getCause().getMessage(),
                            job.volume());
                }
                if (!m.adler32().equals(f.adler32())
                        || (f.hash() != null && !f.hash().equals(m.hash()))) {
                    writer.dropLast(open::rewind); // it stays where it is, its old container with it
                    bad.add(f.bfid() + " " + f.path() + " at " + f.cookie() + ": adler32 " + m.adler32()
                            + ", the catalog has " + f.adler32());
                    continue;
                }
                pending.add(new Moved(
                        f.bfid(),
                        f.cookie(),
                        Backend.memberCookie(open.cookie(), m.dataOffset(), m.size()),
                        m.size(),
                        m.adler32()));
                if (writer.position() >= job.aggregation().containerSize()) {
                    commit();
                }
            }
        } catch (IOException e) {
            throw new Trouble(
                    (Backend.isNoSpace(e) ? "no space left on " : "cannot write a container on ") + job.targetVolume()
                            + ": " + e.getMessage(),
                    job.targetVolume(),
                    Backend.isNoSpace(e));
        }
    }

    /**
     * The open new container finished, fsynced, named and read back, then committed with the finished old
     * containers and those removed since the last commit; the old containers the answer frees are removed.
     */
    private void commit() throws Trouble, SiloException {
        String cookie = null;
        long length = 0;
        if (writer != null && writer.isEmpty()) {
            abandon();
        } else if (writer != null) {
            try {
                length = writer.finish();
                open.commit(() -> {});
            } catch (IOException | SiloException e) {
                boolean full = e instanceof SiloException x
                        ? x.code() == org.silo.wire.ErrorCode.NO_SPACE
                        : Backend.isNoSpace(e);
                throw new Trouble(
                        (full ? "no space left on " : "cannot write a container on ") + job.targetVolume() + ": "
                                + e.getMessage(),
                        job.targetVolume(),
                        full);
            }
            cookie = open.cookie();
            readBack(cookie);
            open = null;
            writer = null;
            newContainers++;
        }
        RepackAnswer a = link.repackCommit(new RepackCommit(
                moverId, job.id(), cookie, length, List.copyOf(pending), List.copyOf(finished), List.copyOf(freed)));
        keptContainers += finished.size() - a.free().size();
        movedFiles += a.switched();
        movedBytes += pending.stream().mapToLong(Moved::size).sum();
        pending.clear();
        finished.clear();
        freed.clear();
        for (String f : a.free()) {
            from.delete(f);
            freed.add(f);
            freedContainers++;
        }
    }

    /** The new container read back once: every member as it was written (a repack, like a copy, is always verified). */
    private void readBack(String cookie) throws Trouble {
        try (ContainerReader r = new ContainerReader(to.open(cookie))) {
            for (Moved m : pending) {
                Backend.Location at = Backend.location(m.to());
                String problem = r.check(new ContainerReader.Expected(at.offset(), at.length(), m.adler32(), null));
                if (problem != null) {
                    to.delete(cookie);
                    throw new Trouble(
                            "CRC mismatch on read-back of the new container " + job.targetVolume() + " " + cookie + ": "
                                    + m.bfid() + " " + problem,
                            job.targetVolume());
                }
            }
        } catch (SiloException e) {
            throw new Trouble(
                    "cannot read back the new container " + job.targetVolume() + " " + cookie + ": " + e.getMessage(),
                    job.targetVolume());
        }
    }

    /** The open new container, not committed: its bytes go; its members stay where they were. */
    private void abandon() {
        if (open != null) {
            open.close();
        }
        open = null;
        writer = null;
        pending.clear();
    }

    private static String algorithm(String hash) {
        return hash == null ? null : hash.substring(0, hash.indexOf(':'));
    }

    private TransferDone failed(String error, boolean volumeFault, String faultVolume) {
        String result = "repacked " + movedFiles + " files (" + movedBytes + " bytes) before it stopped; freed "
                + freedContainers + " containers";
        return TransferDone.of(moverId, job.id())
                .failed(error)
                .size(movedBytes)
                .result(result)
                .faultVolume(faultVolume)
                .volumeFault(volumeFault)
                .build();
    }

    /** A failure to read the old container, told apart from a failure to write the new one. */
    private static final class SourceTrouble extends IOException {
        SourceTrouble(IOException cause) {
            super(cause);
        }
    }

    /** The member's bytes from the old container; its read errors become {@link SourceTrouble}. */
    private static final class SourceStream extends java.io.FilterInputStream {
        SourceStream(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw new SourceTrouble(e);
            }
        }
    }

    /** A failure that ends the job, and the volume to blame (null: none). */
    private static final class Trouble extends Exception {
        final String volume;
        /** The target's storage is full (ENOSPC): it is marked full, not counted as a bad volume. */
        final boolean full;

        Trouble(String message, String volume) {
            this(message, volume, false);
        }

        Trouble(String message, String volume, boolean full) {
            super(message);
            this.volume = volume;
            this.full = full;
        }
    }
}
