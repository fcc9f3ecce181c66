package org.silo.archive.mover;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.zip.Adler32;
import org.silo.archive.ops.LibraryMessages.ClientGone;
import org.silo.archive.ops.LibraryMessages.Job;
import org.silo.archive.ops.LibraryMessages.Target;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.transfer.DataChannel;
import org.silo.archive.transfer.DataChannel.Hello;
import org.silo.archive.volume.Backends;
import org.silo.archive.volume.Checksums;
import org.silo.wire.SiloException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mover's read path (read_from_hsm): one file from the bound volume to the clients of the job (a read
 * merged with others of the same file has one client per request), read once and checked against the
 * catalog's size and Adler-32 on the way. A client found gone is reported as such
 * ({@link ClientDepartures}) so that its request is cancelled; a client that says what went wrong is a
 * failure of that request only.
 */
final class ClientRead {
    private static final Logger log = LoggerFactory.getLogger(ClientRead.class);

    private final Mover mover;
    private final Backends backends;
    private final DataConnections connections;
    private final AtomicLong done;
    private final UnaryOperator<InputStream> pace;
    private final Statistics stats;

    /**
     * @param done  the bytes of the job moved so far, which mover_progress reports
     * @param pace  the mover's throttle on a stream
     */
    ClientRead(Mover mover, Backends backends, DataConnections connections, AtomicLong done, UnaryOperator<InputStream> pace,
            Statistics stats) {
        this.mover = mover;
        this.backends = backends;
        this.connections = connections;
        this.done = done;
        this.pace = pace;
        this.stats = stats;
    }

    /**
     * read_from_hsm: connects to every client the read was merged for, reads the file once from the
     * volume and sends each its bytes, then the Adler-32 the mover computed; each client checks it and
     * answers. A file whose size or Adler-32 is not the catalog's fails for every client.
     */
    void read(Job j) throws SiloException {
        List<Peer> peers = new ArrayList<>();
        List<Long> failed = new ArrayList<>();
        List<ClientGone> gone = new ArrayList<>();
        for (Target t : j.targets()) {
            Socket s = null;
            try {
                try {
                    s = connections.connect(t.callback());
                } catch (IOException e) {
                    gone.add(ClientDepartures.unreachable(t, e));
                    continue;
                }
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), DataChannel.BUFFER));
                DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 64 * 1024));
                DataChannel.writeHello(out, new Hello(t.token(), t.request(), mover.name(), DataChannel.READ));
                String refused = DataChannel.readStatus(in);
                if (refused != null) {
                    connections.close(s);
                    gone.add(ClientDepartures.notWaiting(t, j.id(), refused));
                    continue;
                }
                out.writeLong(j.size());
                peers.add(new Peer(t, s, in, out));
            } catch (IOException e) {
                connections.close(s);
                gone.add(ClientDepartures.wentAway(t, e));
            }
        }
        String error = null;
        boolean volumeFault = false;
        Adler32 sum = new Adler32();
        long n = 0;
        try (InputStream src = new DataChannel.Counted(pace.apply(backends.get(j.backend()).open(j.cookie())), Long.MAX_VALUE, done)) {
            byte[] buf = new byte[DataChannel.BUFFER];
            for (int r; (r = src.read(buf)) >= 0; ) {
                sum.update(buf, 0, r);
                n += r;
                if (n > j.size()) {
                    break;
                }
                for (Peer p : peers) {
                    if (!p.failed) {
                        try {
                            p.out.write(buf, 0, r);
                        } catch (IOException e) {
                            p.fail();
                            if (!mover.cancelled()) {
                                gone.add(ClientDepartures.wentAway(p.target, e));
                            }
                        }
                    }
                }
                if (mover.killed() || mover.cancelled()) {
                    break;
                }
            }
        } catch (IOException | SiloException e) {
            if (mover.killed()) {
                return;
            }
            error = "cannot read " + j.path() + " from " + j.volume() + " at " + j.cookie() + ": " + e.getMessage();
            volumeFault = true;
        }
        if (mover.killed()) {
            peers.forEach(p -> connections.close(p.socket));
            return;
        }
        String adler = Checksums.hex(sum.getValue());
        if (error == null && mover.cancelled()) {
            error = "job " + j.id() + " was killed";
        } else if (error == null && n != j.size()) {
            error = "size mismatch at mover: " + j.volume() + " " + j.cookie() + " holds " + n + " bytes, the catalog says " + j.size();
            volumeFault = true;
        } else if (error == null && !adler.equals(j.adler32())) {
            error = "CRC mismatch at mover: " + j.path() + " read from " + j.volume() + " " + j.cookie() + " has adler32 " + adler
                    + ", the catalog has " + j.adler32();
            volumeFault = true;
        }
        for (Peer p : peers) {
            if (p.failed) {
                if (gone.stream().noneMatch(g -> g.request() == p.target.request())) {
                    failed.add(p.target.request());
                }
                continue;
            }
            try {
                if (error != null) {
                    DataChannel.writeError(p.out, error);
                } else {
                    p.out.writeByte(DataChannel.OK);
                    p.out.writeUTF(adler);
                    p.out.flush();
                    String theirs = DataChannel.readStatus(p.in);
                    if (theirs != null) {
                        failed.add(p.target.request()); // the client said what went wrong: a failure, not a departure
                    }
                }
            } catch (IOException e) {
                if (mover.cancelled()) {
                    failed.add(p.target.request());
                } else {
                    gone.add(ClientDepartures.wentAway(p.target, e));
                }
            } finally {
                connections.close(p.socket);
            }
        }
        boolean anyOk = error == null && failed.size() + gone.size() < j.targets().size();
        if (error == null && !anyOk) {
            error = "no client took the file";
        }
        if (error != null) {
            stats.failed();
            log.info("mover {}: job {} ({}) failed: {}", mover.name(), j.id(), j.path(), error);
        } else {
            int served = j.targets().size() - failed.size() - gone.size();
            stats.moved(n * served, served);
        }
        mover.doneQuietly(new TransferDone(mover.id(), j.id(), anyOk, j.cookie(), n, adler, error, volumeFault, failed, null, null,
                null, false, null, false, gone.isEmpty() ? null : gone));
    }

    /** One client of the read, with its data connection. */
    private static final class Peer {
        final Target target;
        final Socket socket;
        final DataInputStream in;
        final DataOutputStream out;
        boolean failed;

        Peer(Target target, Socket socket, DataInputStream in, DataOutputStream out) {
            this.target = target;
            this.socket = socket;
            this.in = in;
            this.out = out;
        }

        void fail() {
            failed = true;
            try {
                socket.close();
            } catch (IOException ignored) {
                // gone already
            }
        }
    }
}
