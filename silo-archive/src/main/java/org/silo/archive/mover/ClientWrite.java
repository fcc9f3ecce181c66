package org.silo.archive.mover;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.zip.Adler32;
import java.util.zip.CheckedInputStream;
import org.silo.archive.ops.LibraryMessages.ClientGone;
import org.silo.archive.ops.LibraryMessages.Job;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.Target;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.transfer.DataChannel;
import org.silo.archive.transfer.DataChannel.Hello;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.Backends;
import org.silo.archive.volume.Checksums;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mover's write path (write_to_hsm): the bytes of one file from the client's data connection to the
 * bound volume. A file is recorded (transfer_done, then the file clerk's new_bit_file) only once its
 * bytes are on the volume, fsynced, and their Adler-32 agrees with the client's; only then does the
 * client hear its bfid. A volume with less room than the file is reported before the client is
 * contacted (seed 000's set_remaining_bytes; the library manager's {@code NoRoom} requeues the file),
 * and a volume that fills while the bytes arrive is reported full, so that the file goes to another.
 */
final class ClientWrite {
    private static final Logger log = LoggerFactory.getLogger(ClientWrite.class);

    private final Mover mover;
    private final MoverLink link;
    private final Backends backends;
    private final DataConnections connections;
    private final AtomicLong done;
    private final UnaryOperator<InputStream> pace;
    private final Statistics stats;

    /**
     * @param done  the bytes of the job moved so far, which mover_progress reports
     * @param pace  the mover's throttle on a stream
     */
    ClientWrite(Mover mover, MoverLink link, Backends backends, DataConnections connections, AtomicLong done,
            UnaryOperator<InputStream> pace, Statistics stats) {
        this.mover = mover;
        this.link = link;
        this.backends = backends;
        this.connections = connections;
        this.done = done;
        this.pace = pace;
        this.stats = stats;
    }

    /**
     * write_to_hsm: the client sends the file's size, its bytes and then its Adler-32; the mover appends
     * the bytes to the volume (computing a content hash too when one is asked for), compares, reads
     * back when {@code --verify} asked, and only then reports transfer_done and answers the client with
     * the bfid. What went wrong is reported before the client's connection closes.
     */
    void write(Job j) throws SiloException {
        Target t = j.targets().get(0);
        if (noRoomBeforehand(j)) {
            return;
        }
        String error = null;
        boolean volumeFault = false;
        boolean noRoom = false;
        boolean reported = false;
        Backend b = null;
        Socket s = null;
        DataOutputStream out = null;
        DataConnections.NetIn net = null;
        ClientGone gone = null;
        try {
            try {
                try {
                    s = connections.connect(t.callback());
                } catch (IOException e) {
                    gone = ClientDepartures.unreachable(t, e);
                    throw e;
                }
                out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 64 * 1024));
                net = new DataConnections.NetIn(new BufferedInputStream(s.getInputStream(), DataChannel.BUFFER));
                DataInputStream in = new DataInputStream(net);
                DataChannel.writeHello(out, new Hello(t.token(), t.request(), mover.name(), DataChannel.WRITE));
                String refused = DataChannel.readStatus(in);
                if (refused != null) {
                    gone = ClientDepartures.notWaiting(t, j.id(), refused);
                    throw new IOException("the client refused the connection: " + refused);
                }
                long size = in.readLong();
                if (size != j.size()) {
                    throw new IOException("the client sends " + size + " bytes, the request says " + j.size());
                }
                Adler32 sum = new Adler32();
                java.security.MessageDigest md = j.hash() == null ? null : org.silo.archive.volume.ContentHash.digest(j.hash());
                InputStream counted = new CheckedInputStream(new DataChannel.Counted(pace.apply(in), size, done), sum);
                InputStream body = md == null ? counted : new java.security.DigestInputStream(counted, md);
                b = backends.get(j.backend());
                String cookie;
                try {
                    cookie = b.append(body, size, () -> {
                        long theirs;
                        try {
                            theirs = in.readInt() & 0xFFFFFFFFL;
                        } catch (IOException e) {
                            throw new SiloException(ErrorCode.IO, "the client's checksum did not arrive: " + e.getMessage(), e);
                        }
                        if (theirs != sum.getValue()) {
                            throw new SiloException(ErrorCode.IO, "CRC mismatch at mover: the client computed " + Checksums.hex(theirs)
                                    + " while reading " + j.path() + ", the mover " + Checksums.hex(sum.getValue()) + " while writing it");
                        }
                    });
                } catch (SiloException e) {
                    if (mover.killed()) {
                        return;
                    }
                    noRoom = e.code() == ErrorCode.NO_SPACE && !net.failed; // the backend's ENOSPC (Backend.io)
                    volumeFault = !noRoom && !net.failed && !e.getMessage().startsWith("CRC mismatch at mover")
                            && !e.getMessage().startsWith("the client's");
                    throw e;
                }
                String adler = Checksums.hex(sum.getValue());
                if (j.verify()) {
                    long[] n = new long[1];
                    String back;
                    try (InputStream r = b.open(cookie)) {
                        back = Checksums.adler32(r, n);
                    }
                    if (!back.equals(adler) || n[0] != size) {
                        volumeFault = true;
                        throw new SiloException(ErrorCode.IO, "CRC mismatch on read-back of " + j.volume() + " " + cookie + ": wrote "
                                + size + " bytes with adler32 " + adler + ", read back " + n[0] + " with " + back);
                    }
                }
                reported = true;
                mover.committed(); // recorded from here on: a late cancel must not cut the client's answer
                JobInfo info;
                try {
                    String hash = md == null ? null : org.silo.archive.volume.ContentHash.format(j.hash(), md.digest());
                    info = link.transferDone(new TransferDone(mover.id(), j.id(), true, cookie, size, adler, null, false, null, hash, null,
                            null));
                } catch (SiloException e) {
                    throw new SiloException(e.code(), "written to " + j.volume() + " but not recorded: " + e.getMessage());
                }
                out.writeByte(DataChannel.OK);
                out.writeUTF(info.bfid());
                out.writeUTF(j.volume());
                out.writeUTF(cookie);
                out.writeUTF(adler);
                out.flush();
                stats.moved(size, 1);
            } catch (IOException | SiloException e) {
                if (mover.killed()) {
                    return;
                }
                error = e instanceof IOException ? "data connection with the client at " + t.callback() + " failed: " + e.getMessage()
                        : e.getMessage();
                if (gone == null && net != null && net.failed && !mover.cancelled() && !reported) {
                    gone = ClientDepartures.wentAway(t, e); // the client's side ended or broke while it was to send: it is gone, not the volume
                }
            }
            if (error != null) {
                log.info("mover {}: job {} ({}) failed: {}", mover.name(), j.id(), j.path(), error);
                // the library manager hears why before the client's connection closes: a client that then asks
                // after its job finds the reason (and, for a full volume, sends the file again)
                if (noRoom) {
                    mover.doneQuietly(TransferDone.noRoom(mover.id(), j.id(), error, room(b), false));
                } else {
                    stats.failed();
                    if (!reported) {
                        mover.doneQuietly(new TransferDone(mover.id(), j.id(), false, null, 0, null, error, volumeFault, null, null, null,
                                null, false, null, false, gone == null ? null : List.of(gone)));
                    }
                }
                if (out != null) {
                    try {
                        DataChannel.writeError(out, error);
                    } catch (IOException ignored) {
                        // the client is gone; it retries on its own
                    }
                }
            }
        } finally {
            connections.close(s);
        }
    }

    /** What the volume can still take: its storage's free bytes less {@link Mover#ROOM_MARGIN} (-1: it cannot tell). */
    private static long room(Backend b) {
        long free = b == null ? -1 : b.freeBytes();
        return free < 0 ? -1 : Math.max(0, free - Mover.ROOM_MARGIN);
    }

    /**
     * Before the client is contacted: a volume whose storage has less room than the file (the catalog's
     * remaining bytes were more than the disk really holds) is reported with what it really has, as seed
     * 000's set_remaining_bytes, and the request goes back to the queue for another volume, so that the
     * client sends its bytes only to a volume that can take them.
     */
    private boolean noRoomBeforehand(Job j) throws SiloException {
        long room;
        try {
            room = room(backends.get(j.backend()));
        } catch (SiloException | RuntimeException e) {
            return false; // the write itself says what is wrong with the volume
        }
        if (room < 0 || room >= j.size()) {
            return false;
        }
        String why = "volume " + j.volume() + " has room for " + room + " more bytes, not for the " + j.size() + " of " + j.path();
        log.info("mover {}: job {}: {}", mover.name(), j.id(), why);
        mover.doneQuietly(TransferDone.noRoom(mover.id(), j.id(), why, room, true));
        return true;
    }
}
