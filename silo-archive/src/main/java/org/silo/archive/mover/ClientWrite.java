package org.silo.archive.mover;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.Adler32;
import org.silo.archive.aggregate.ContainerWriter;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.Aggregation;
import org.silo.archive.ops.LibraryMessages.ClientGone;
import org.silo.archive.ops.LibraryMessages.FileDone;
import org.silo.archive.ops.LibraryMessages.FileRef;
import org.silo.archive.ops.LibraryMessages.FilesDone;
import org.silo.archive.ops.LibraryMessages.Job;
import org.silo.archive.ops.LibraryMessages.Recorded;
import org.silo.archive.ops.LibraryMessages.Target;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.transfer.DataChannel;
import org.silo.archive.transfer.DataChannel.Hello;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.Checksums;
import org.silo.archive.volume.ContentHash;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A write job: the client's files over one data connection ({@link DataChannel}, version 2), each small
 * one appended to the open container as a tar member, each large one a file of its own, and each group
 * committed (docs/archive.md, "Aggregation"): the container is finished, fsynced and named, then every
 * file of the group is recorded in one files_done (one catalog transaction), then each is answered
 * STORED. A group closes when the container reaches its size, when the client has sent nothing for
 * the idle time, and at the client's END. So a file is answered stored only once its bytes are durable
 * and its record committed (the durability rule), and a crash at any moment leaves at most a
 * {@code .part} file that no record names.
 */
final class ClientWrite {
    private static final Logger log = LoggerFactory.getLogger(ClientWrite.class);
    /** Used when the library manager sends none: Silo's defaults (docs/configuration.md). */
    static final Aggregation DEFAULTS = new Aggregation(64L << 20, 1L << 30, 1000);

    private final JobHost host;
    private final Job job;
    private final Aggregation agg;
    private final Map<Integer, FileRef> files = new HashMap<>();
    private final Set<Integer> received = new HashSet<>();
    private Backend backend;
    private Socket socket;
    private BufferedInputStream buffered;
    private DataConnections.NetIn net;
    private DataInputStream in;
    private DataOutputStream out;
    /** The open container and the files waiting for the next group commit. */
    private Backend.NewFile container;

    private ContainerWriter writer;
    private final List<FileDone> group = new ArrayList<>();
    private long stored;

    ClientWrite(JobHost host, Job job) {
        this.host = host;
        this.job = job;
        this.agg = job.aggregation() == null ? DEFAULTS : job.aggregation();
        for (FileRef f : job.files()) {
            files.put(f.index(), f);
        }
    }

    /** Runs the job to its end and reports it (transfer_done); a killed mover says nothing more. */
    void run() throws SiloException {
        Target t = job.targets().get(0);
        if (BeforeWrite.refused(
                host, job)) { // inquire_vol and the storage's free space, before the client is contacted
            return;
        }
        ClientGone gone = null;
        String error = null;
        boolean volumeFault = false;
        boolean noRoom = false;
        boolean reported = false;
        try {
            backend = host.backends().get(job.backend());
            backend.startWriter(job.nextFile());
            try {
                socket = host.connect(t.callback());
            } catch (IOException e) {
                gone = ClientDepartures.unreachable(t, e);
                throw e;
            }
            buffered = new BufferedInputStream(socket.getInputStream(), DataChannel.BUFFER);
            net = new DataConnections.NetIn(buffered);
            in = new DataInputStream(net);
            out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
            DataChannel.writeHello(out, new Hello(t.token(), t.request(), host.name(), DataChannel.WRITE));
            String refused = DataChannel.readStatus(in);
            if (refused != null) {
                gone = ClientDepartures.notWaiting(t, job.id(), refused);
                throw new IOException("the client refused the connection: " + refused);
            }
            receive();
            // the request ends in the catalog before the client hears DONE: a client that then asks finds it done
            host.transferDone(
                    TransferDone.of(host.id(), job.id()).stored(stored).build());
            reported = true;
            out.writeByte(DataChannel.DONE);
            out.flush();
        } catch (VolumeTrouble e) {
            noRoom = e.noRoom;
            volumeFault = !noRoom && !e.lost; // a writer that lost the volume leaves it as it is
            error = noRoom
                    ? LibraryMessages.RESEND + "volume " + job.volume() + " is full (" + e.getMessage() + ")"
                    : volumeFault ? LibraryMessages.VOLUME_FAULT + e.getMessage() : e.getMessage();
        } catch (IOException | SiloException e) {
            if (host.killed()) {
                return;
            }
            error = e instanceof IOException
                    ? "data connection with the client at " + t.callback() + " failed: " + e.getMessage()
                    : e.getMessage();
            if (gone == null && net != null && net.failed && !host.cancelled()) {
                gone = ClientDepartures.wentAway(t, e); // the client's side ended or broke while it was to send
            }
        } finally {
            abandonContainer();
        }
        if (host.killed()) {
            host.close(socket);
            return;
        }
        if (error != null) {
            log.info("mover {}: job {} ({} files) failed: {}", host.name(), job.id(), files.size(), error);
            host.failed();
            if (volumeFault) {
                VolumeReadonly.afterWriteError(
                        host, job.volume(), error); // before the retry can choose the volume again
            }
            // the library manager hears why before the client's connection closes: a client that then asks
            // after its job finds the reason (and, for a full volume, sends its files again)
            if (noRoom) {
                host.transferDone(TransferDone.noRoom(host.id(), job.id(), error, room(), false));
            } else {
                host.transferDone(TransferDone.of(host.id(), job.id())
                        .failed(error)
                        .size(stored)
                        .gone(gone == null ? null : List.of(gone))
                        .volumeFault(volumeFault)
                        .build());
            }
            if (out != null) {
                try {
                    out.writeByte(DataChannel.ABORT);
                    out.writeUTF(error.length() > 16_000 ? error.substring(0, 16_000) : error);
                    out.flush();
                } catch (IOException ignored) {
                    // the client is gone; it asks the library manager what became of its files
                }
            }
        } else if (!reported) {
            host.transferDone(
                    TransferDone.of(host.id(), job.id()).stored(stored).build());
        }
        host.close(socket);
    }

    /** Reads FILE frames until END, committing groups as they fill or the client pauses. */
    private void receive() throws IOException, SiloException {
        while (true) {
            if (!group.isEmpty() && clientPaused()) {
                commit(); // the client is slow or thinking: what it sent is made durable and answered now
            }
            int frame = in.readUnsignedByte();
            if (frame == DataChannel.END) {
                commit();
                return;
            }
            if (frame != DataChannel.FILE) {
                throw new IOException("unknown frame " + frame + " from the client");
            }
            int index = in.readInt();
            long size = in.readLong();
            FileRef f = files.get(index);
            if (f == null || f.size() != size || !received.add(index)) {
                skip(size);
                answer(
                        index,
                        null,
                        null,
                        f == null
                                ? "file " + index + " is not one of job " + job.id() + "'s"
                                : f.size() != size
                                        ? "the client sends " + size + " bytes of " + f.path() + ", the request says "
                                                + f.size()
                                        : f.path() + " was sent twice");
                continue;
            }
            if (size < agg.below()) {
                member(index, f, size);
            } else {
                single(index, f, size);
            }
            if (writer != null && writer.position() >= agg.containerSize()) {
                commit();
            }
            if (host.cancelled()) {
                throw SiloException.of(ErrorCode.IO, "job " + job.id() + " was killed");
            }
        }
    }

    /** A small file: the next member of the open container (opened when there is none). */
    private void member(int index, FileRef f, long size) throws IOException, SiloException {
        if (writer == null) {
            container = backend.create();
            writer = new ContainerWriter(container.out(), job.volume(), container.cookie(), System.currentTimeMillis());
        }
        ContainerWriter.Member m;
        try {
            m = writer.add(f.path().substring(1), size, body(size), f.owner(), job.hash());
        } catch (IOException e) {
            if (net.failed) {
                throw e;
            }
            throw VolumeTrouble.of(job.volume(), e);
        }
        String bad = end(f, m.adler32());
        if (bad != null) {
            try {
                writer.dropLast(container::rewind);
            } catch (IOException e) {
                throw VolumeTrouble.of(job.volume(), e);
            }
            answer(index, null, null, bad);
            return;
        }
        group.add(new FileDone(
                index,
                true,
                Backend.memberCookie(container.cookie(), m.dataOffset(), m.size()),
                m.size(),
                m.adler32(),
                m.hash(),
                null));
    }

    /**
     * A large file: a file of its own on the volume, durable before it joins the group. The small files
     * sent before it are committed first, so that their answers do not wait for its bytes.
     */
    private void single(int index, FileRef f, long size) throws IOException, SiloException {
        if (!group.isEmpty() || writer != null) {
            commit();
        }
        Adler32 sum = new Adler32();
        MessageDigest md = job.hash() == null ? null : ContentHash.digest(job.hash());
        try (Backend.NewFile file = backend.create()) {
            InputStream body = body(size);
            byte[] buf = new byte[DataChannel.BUFFER];
            long left = size;
            while (left > 0) {
                int r = body.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) {
                    throw new java.io.EOFException("the client's stream ended " + left + " bytes short of " + f.path());
                }
                sum.update(buf, 0, r);
                if (md != null) {
                    md.update(buf, 0, r);
                }
                try {
                    file.out().write(buf, 0, r);
                } catch (IOException e) {
                    throw VolumeTrouble.of(job.volume(), e);
                }
                left -= r;
            }
            String adler = Checksums.hex(sum.getValue());
            String bad = end(f, adler);
            if (bad != null) {
                answer(index, null, null, bad);
                return; // closing the file uncommitted removes it
            }
            try {
                file.commit(() -> {});
            } catch (SiloException e) {
                throw VolumeTrouble.of(job.volume(), e);
            }
            verify(file.cookie(), size, adler);
            group.add(new FileDone(
                    index,
                    true,
                    file.cookie(),
                    size,
                    adler,
                    md == null ? null : ContentHash.format(job.hash(), md.digest()),
                    null));
        }
    }

    /** Reads a FILE's end: null if the bytes are the file's, else why not (nothing of it is to be kept). */
    private String end(FileRef f, String ours) throws IOException {
        int end = in.readUnsignedByte();
        if (end == DataChannel.WHOLE) {
            String theirs = Checksums.hex(in.readInt() & 0xFFFFFFFFL);
            return theirs.equals(ours)
                    ? null
                    : "CRC mismatch at mover: the client computed " + theirs + " while reading " + f.path()
                            + ", the mover " + ours + " while writing it";
        }
        return "given up by the client: " + in.readUTF();
    }

    /**
     * A group commit: the container finished, fsynced and named (with --verify, its members read back),
     * then the group recorded in one files_done, then each file answered.
     */
    private void commit() throws IOException, SiloException {
        String cookie = null;
        long length = 0;
        if (writer != null) {
            if (writer.isEmpty()) {
                abandonContainer(); // every member was taken out again
            } else {
                try {
                    length = writer.finish();
                    container.commit(() -> {});
                } catch (IOException | SiloException e) {
                    throw VolumeTrouble.of(job.volume(), e);
                }
                cookie = container.cookie();
                verifyContainer(cookie);
                container = null;
                writer = null;
            }
        }
        if (group.isEmpty()) {
            return;
        }
        List<Recorded> recorded;
        try {
            recorded = host.link()
                    .filesDone(new FilesDone(host.id(), job.id(), cookie, length, List.copyOf(group)))
                    .files();
        } catch (SiloException e) {
            throw SiloException.of(e.code(), "written to " + job.volume() + " but not recorded: " + e.getMessage());
        }
        Map<Integer, FileDone> byIndex = new HashMap<>();
        group.forEach(d -> byIndex.put(d.index(), d));
        for (Recorded r : recorded) {
            FileDone d = byIndex.get(r.index());
            answer(r.index(), r.error() == null ? d : null, r.bfid(), r.error());
            if (r.error() == null) {
                stored += d.size();
                host.moved(d.size(), 1);
            }
        }
        group.clear();
        out.flush();
    }

    /**
     * With --verify: the container read back once, front to back, and each member of the group checked
     * against the size and Adler-32 it was written with (the members are in the group in their order).
     */
    private void verifyContainer(String cookie) throws SiloException {
        if (!job.verify()) {
            return;
        }
        try (org.silo.archive.aggregate.ContainerReader r =
                new org.silo.archive.aggregate.ContainerReader(backend.open(cookie))) {
            for (FileDone d : group) {
                if (d.cookie().startsWith(cookie + "+")) {
                    Backend.Location at = Backend.location(d.cookie());
                    String problem = r.check(new org.silo.archive.aggregate.ContainerReader.Expected(
                            at.offset(), at.length(), d.adler32(), null));
                    if (problem != null) {
                        throw new VolumeTrouble(
                                "CRC mismatch on read-back of " + job.volume() + " " + d.cookie() + ": " + problem,
                                false);
                    }
                }
            }
        }
    }

    /** With --verify: the file read back from the volume must have the size and Adler-32 it was written with. */
    private void verify(String cookie, long size, String adler) throws SiloException {
        if (!job.verify()) {
            return;
        }
        long[] n = new long[1];
        String back;
        try (InputStream r = backend.open(cookie)) {
            back = Checksums.adler32(r, n);
        } catch (IOException e) {
            throw VolumeTrouble.of(job.volume(), e);
        }
        if (!back.equals(adler) || n[0] != size) {
            throw new VolumeTrouble(
                    "CRC mismatch on read-back of " + job.volume() + " " + cookie + ": wrote " + size
                            + " bytes with adler32 " + adler + ", read back " + n[0] + " with " + back,
                    false);
        }
    }

    /** STORED with the file's record, or NOT_STORED with why. */
    private void answer(int index, FileDone stored, String bfid, String error) throws IOException {
        if (stored != null) {
            out.writeByte(DataChannel.STORED);
            out.writeInt(index);
            out.writeUTF(bfid);
            out.writeUTF(job.volume());
            out.writeUTF(stored.cookie());
            out.writeUTF(stored.adler32());
            out.writeUTF(stored.hash() == null ? "" : stored.hash());
        } else {
            out.writeByte(DataChannel.NOT_STORED);
            out.writeInt(index);
            out.writeUTF(error.length() > 16_000 ? error.substring(0, 16_000) : error);
        }
    }

    /**
     * Whether the client has sent nothing for the idle time, waited for on the socket without consuming
     * a byte (the next frame may be on its way: then it is read as usual).
     */
    private boolean clientPaused() throws IOException {
        if (buffered.available() > 0) {
            return false;
        }
        socket.setSoTimeout((int) Math.max(1, agg.idleMs()));
        buffered.mark(1);
        try {
            if (buffered.read() < 0) {
                return false; // the client closed: the next read says so
            }
            buffered.reset();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(120_000);
        }
    }

    private InputStream body(long size) {
        return new DataChannel.Counted(host.paced(in), size, host.done());
    }

    private void skip(long size) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long left = size;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                throw new java.io.EOFException("the client's stream ended " + left + " bytes early");
            }
            left -= r;
        }
        in.readUnsignedByte();
        in.readInt();
    }

    private void abandonContainer() {
        if (container != null) {
            container.close(); // not committed: its bytes are removed
            container = null;
            writer = null;
        }
    }

    private long room() {
        return BeforeWrite.room(backend);
    }
}
