package org.silo.archive.mover;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.Adler32;
import org.silo.archive.ops.LibraryMessages.ClientGone;
import org.silo.archive.ops.LibraryMessages.FileDone;
import org.silo.archive.ops.LibraryMessages.FileRef;
import org.silo.archive.ops.LibraryMessages.FilesDone;
import org.silo.archive.ops.LibraryMessages.Job;
import org.silo.archive.ops.LibraryMessages.Target;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.transfer.DataChannel;
import org.silo.archive.transfer.DataChannel.Hello;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.Checksums;
import org.silo.wire.SiloException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read job: the request's files read from the volume in the volume's order and sent over one data
 * connection per client ({@link DataChannel}, version 2); a merged read (the same file asked for by
 * several clients at once) fans the bytes out to each. The members of a container that follow one
 * another are read with one ranged read of the container (one ranged GET on S3), front to back, the
 * bytes between them skipped: a get -r of a directory reads each container once. Each file's Adler-32 is
 * checked against the catalog's as it goes; a bad one fails alone, the others of its container still read.
 */
final class ClientRead {
    private static final Logger log = LoggerFactory.getLogger(ClientRead.class);

    private final JobHost host;
    private final Job job;

    ClientRead(JobHost host, Job job) {
        this.host = host;
        this.job = job;
    }

    /** One client's connection. */
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
    }

    void run() throws SiloException {
        List<Peer> peers = new ArrayList<>();
        List<ClientGone> gone = new ArrayList<>();
        for (Target t : job.targets()) {
            Socket s = null;
            try {
                try {
                    s = host.connect(t.callback());
                } catch (IOException e) {
                    gone.add(ClientDepartures.unreachable(t, e));
                    continue;
                }
                DataOutputStream out =
                        new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), DataChannel.BUFFER));
                DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 64 * 1024));
                DataChannel.writeHello(out, new Hello(t.token(), t.request(), host.name(), DataChannel.READ));
                String refused = DataChannel.readStatus(in);
                if (refused != null) {
                    host.close(s);
                    gone.add(ClientDepartures.notWaiting(t, job.id(), refused));
                    continue;
                }
                peers.add(new Peer(t, s, in, out));
            } catch (IOException e) {
                host.close(s);
                gone.add(ClientDepartures.wentAway(t, e));
            }
        }
        Map<Integer, String> failed = new HashMap<>();
        String volumeError = null;
        long bytes = 0;
        if (!peers.isEmpty()) {
            try {
                bytes = send(peers, failed);
            } catch (SiloException e) {
                if (host.killed()) {
                    return;
                }
                volumeError = e.getMessage();
            }
        }
        if (host.killed()) {
            peers.forEach(p -> host.close(p.socket));
            return;
        }
        // each client says which files it could not take; the others are in place
        Set<Integer> refusedByAll = new HashSet<>();
        boolean first = true;
        for (Peer p : peers) {
            Set<Integer> refused = new HashSet<>();
            try {
                if (!p.failed) {
                    int n = p.in.readInt();
                    for (int i = 0; i < n; i++) {
                        int index = p.in.readInt();
                        String why = p.in.readUTF();
                        refused.add(index);
                        failed.putIfAbsent(index, why);
                    }
                }
            } catch (IOException e) {
                p.failed = true;
            }
            if (p.failed && !host.cancelled()) {
                gone.add(ClientDepartures.wentAway(
                        p.target, new IOException("the client went away before it answered")));
            }
            if (p.failed) {
                job.files().forEach(f -> refused.add(f.index()));
            }
            if (first) {
                refusedByAll.addAll(refused);
                first = false;
            } else {
                refusedByAll.retainAll(refused);
            }
        }
        List<FileDone> outcomes = new ArrayList<>();
        int ok = 0;
        for (FileRef f : job.files()) {
            String why = failed.get(f.index());
            boolean delivered = !peers.isEmpty() && !refusedByAll.contains(f.index()) && !failed.containsKey(f.index());
            outcomes.add(new FileDone(
                    f.index(),
                    delivered,
                    f.cookie(),
                    f.size(),
                    f.adler32(),
                    null,
                    delivered
                            ? null
                            : why != null ? why : volumeError != null ? volumeError : "no client took the file"));
            ok += delivered ? 1 : 0;
        }
        try {
            host.link().filesDone(new FilesDone(host.id(), job.id(), null, 0, outcomes));
        } catch (SiloException e) {
            log.info("mover {}: job {}: the files' outcomes were not taken: {}", host.name(), job.id(), e.getMessage());
        }
        String error = ok > 0
                ? null
                : volumeError != null
                        ? volumeError
                        : host.cancelled()
                                ? "job " + job.id() + " was killed"
                                : !failed.isEmpty() ? failed.values().iterator().next() : "no client took the files";
        if (error != null) {
            host.failed();
            log.info(
                    "mover {}: job {} ({} files) failed: {}",
                    host.name(),
                    job.id(),
                    job.files().size(),
                    error);
        } else {
            host.moved(bytes, ok);
        }
        boolean volumeFault = volumeError != null || failed.values().stream().anyMatch(ClientRead::volumesFault);
        try {
            host.transferDone(TransferDone.of(host.id(), job.id())
                    .ok(ok > 0)
                    .error(error)
                    .size(bytes)
                    .gone(gone.isEmpty() ? null : gone)
                    .volumeFault(volumeFault)
                    .build());
        } finally {
            // closed once the request has ended in the catalog: a client that waits for the close then finds it ended
            peers.forEach(p -> host.close(p.socket));
        }
    }

    /** A failure that is the volume's: its copy of the file is bad. */
    static boolean volumesFault(String why) {
        return org.silo.archive.ops.LibraryMessages.copyAtFault(why);
    }

    /**
     * Sends every file, in the volume's order, then END; {@code failed} gets the files that could not be
     * read or were not the catalog's. Returns the bytes read.
     */
    private long send(List<Peer> peers, Map<Integer, String> failed) throws SiloException {
        Backend b = host.backends().get(job.backend());
        List<FileRef> order = new ArrayList<>(job.files());
        order.sort(Comparator.comparing(ClientRead::place));
        byte[] buf = new byte[DataChannel.BUFFER];
        long total = 0;
        int i = 0;
        while (i < order.size() && !host.cancelled() && peers.stream().anyMatch(p -> !p.failed)) {
            // a run of members of one container, one after another: one ranged read for all of them
            int j = i + 1;
            Backend.Location first = location(order.get(i));
            while (j < order.size()
                    && !first.whole()
                    && sameContainer(first, location(order.get(j)))
                    && gap(location(order.get(j - 1)), location(order.get(j))) <= RUN_GAP) {
                j++;
            }
            List<FileRef> run = order.subList(i, j);
            total += sendRun(b, run, peers, failed, buf);
            i = j;
        }
        for (Peer p : peers) {
            if (!p.failed) {
                try {
                    p.out.writeByte(DataChannel.END);
                    p.out.flush();
                } catch (IOException e) {
                    p.failed = true;
                }
            }
        }
        return total;
    }

    private long sendRun(Backend b, List<FileRef> run, List<Peer> peers, Map<Integer, String> failed, byte[] buf) {
        Backend.Location first = location(run.get(0));
        Backend.Location last = location(run.get(run.size() - 1));
        String cookie = first.whole()
                ? run.get(0).cookie()
                : Backend.memberCookie(
                        first.fileCookie(), first.offset(), last.offset() + last.length() - first.offset());
        long total = 0;
        InputStream src;
        try {
            src = b.open(cookie);
        } catch (SiloException e) {
            run.forEach(f -> notSent(
                    peers,
                    failed,
                    f,
                    "cannot read " + f.path() + " from " + job.volume() + " at " + f.cookie() + ": " + e.getMessage()));
            return 0;
        }
        try (InputStream in = new DataChannel.Counted(host.paced(src), Long.MAX_VALUE, host.done())) {
            long at = first.whole() ? 0 : first.offset();
            for (FileRef f : run) {
                Backend.Location l = location(f);
                long skip = l.whole() ? 0 : l.offset() - at;
                if (skip > 0) {
                    in.skipNBytes(skip); // the tar header of the next member, or members not asked for
                }
                total += file(in, f, peers, failed, buf);
                at = l.whole() ? 0 : l.offset() + l.length();
            }
        } catch (IOException e) {
            // the rest of the run could not be read: those files fail, each told to the client (NOT_SENT), so that
            // none is left unanswered; a frame cut in the middle leaves the stream out of step: the clients go
            if (midFrame) {
                midFrame = false;
                peers.forEach(p -> {
                    p.failed = true;
                    host.close(p.socket);
                });
            }
            for (FileRef f : run) {
                if (!failed.containsKey(f.index()) && !sentAll(f)) {
                    notSent(
                            peers,
                            failed,
                            f,
                            "cannot read " + f.path() + " from " + job.volume() + ": " + e.getMessage());
                }
            }
        }
        return total;
    }

    private final Set<Integer> sent = new HashSet<>();
    /** A FILE frame is begun and not ended: the data stream cannot take another frame. */
    private boolean midFrame;

    private boolean sentAll(FileRef f) {
        return sent.contains(f.index());
    }

    /** One FILE frame: the bytes to every peer, then the end with the mover's verdict. */
    private long file(InputStream in, FileRef f, List<Peer> peers, Map<Integer, String> failed, byte[] buf)
            throws IOException {
        midFrame = true;
        for (Peer p : peers) {
            write(p, out -> {
                out.writeByte(DataChannel.FILE);
                out.writeInt(f.index());
                out.writeLong(f.size());
            });
        }
        Adler32 sum = new Adler32();
        long left = f.size();
        long n = 0;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                break;
            }
            sum.update(buf, 0, r);
            for (Peer p : peers) {
                int len = r;
                write(p, out -> out.write(buf, 0, len));
            }
            left -= r;
            n += r;
        }
        String adler = Checksums.hex(sum.getValue());
        String bad = null;
        if (n != f.size()) {
            bad = "size mismatch at mover: " + job.volume() + " " + f.cookie() + " holds " + n + " bytes of " + f.path()
                    + ", the catalog says " + f.size();
            byte[] zeros = new byte[(int) Math.min(buf.length, Math.max(0, left))];
            while (left > 0) { // the frame promised the size: zeros, then GIVEN_UP
                int len = (int) Math.min(zeros.length, left);
                for (Peer p : peers) {
                    write(p, out -> out.write(zeros, 0, len));
                }
                left -= len;
            }
        } else if (!adler.equals(f.adler32())) {
            bad = "CRC mismatch at mover: " + f.path() + " read from " + job.volume() + " " + f.cookie()
                    + " has adler32 " + adler + ", the catalog has " + f.adler32();
        }
        String verdict = bad;
        for (Peer p : peers) {
            write(p, out -> {
                out.writeByte(verdict == null ? DataChannel.WHOLE : DataChannel.GIVEN_UP);
                out.writeUTF(verdict == null ? adler : verdict);
            });
        }
        midFrame = false;
        if (bad != null) {
            failed.put(f.index(), bad);
        }
        sent.add(f.index());
        if (n != f.size()) {
            throw new IOException(bad); // the range ended early: what follows in it cannot be trusted
        }
        return n;
    }

    private void notSent(List<Peer> peers, Map<Integer, String> failed, FileRef f, String why) {
        failed.put(f.index(), why);
        for (Peer p : peers) {
            write(p, out -> {
                out.writeByte(DataChannel.NOT_STORED);
                out.writeInt(f.index());
                out.writeUTF(why.length() > 16_000 ? why.substring(0, 16_000) : why);
            });
        }
    }

    private interface Frame {
        void write(DataOutputStream out) throws IOException;
    }

    private void write(Peer p, Frame frame) {
        if (p.failed) {
            return;
        }
        try {
            frame.write(p.out);
        } catch (IOException e) {
            p.failed = true;
            host.close(p.socket);
        }
    }

    private static Backend.Location location(FileRef f) {
        try {
            return Backend.location(f.cookie());
        } catch (SiloException e) {
            return new Backend.Location(Long.MAX_VALUE, 0, -1);
        }
    }

    /** Files in the volume's order: by file number, then by offset in a container. */
    private static String place(FileRef f) {
        Backend.Location l = location(f);
        return String.format("%019d%019d", l.fileNumber(), l.whole() ? 0 : l.offset());
    }

    /** Bytes between two members read in one run at most (skipped); a larger gap starts a new ranged read. */
    static final long RUN_GAP = 1 << 20;

    private static long gap(Backend.Location a, Backend.Location b) {
        return b.offset() - (a.offset() + a.length());
    }

    private static boolean sameContainer(Backend.Location a, Backend.Location b) {
        return !b.whole() && a.fileNumber() == b.fileNumber();
    }
}
