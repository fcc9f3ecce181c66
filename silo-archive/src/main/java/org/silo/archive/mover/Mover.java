package org.silo.archive.mover;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Adler32;
import java.util.zip.CheckedInputStream;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.ClientGone;
import org.silo.archive.ops.LibraryMessages.Job;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.MoverHello;
import org.silo.archive.ops.LibraryMessages.Progress;
import org.silo.archive.ops.LibraryMessages.Target;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.ops.LibraryMessages.Unbind;
import org.silo.archive.ops.LibraryMessages.Work;
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
 * A mover (seed 000's file mover, seed 004's burner): it asks the library manager for work, binds a
 * volume, and moves bytes between the volume and the user's client over a TCP connection of its own.
 * It keeps a persistent id in {@code <home>/mover.id} (so it is the same mover after a restart),
 * reports progress at least once a second while moving bytes, and keeps statistics.
 *
 * <pre>{@code
 * Mover m = new Mover(new Mover.Config(home, null, "default", List.of("disk"), "host1", 0), MoverLink.local(lm), backends);
 * m.start();
 * ...
 * m.close();   // finishes the transfer under way, gives up its volume
 * }</pre>
 */
public final class Mover implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Mover.class);

    /** Progress is reported this often while a job runs (the issue asks for at least every second). */
    public static final long PROGRESS_MS = 500;

    /**
     * @param home            where the persistent id lives
     * @param name            the name it proposes on first contact (null: mover-ID)
     * @param library         the library it serves
     * @param mediaTypes      the media it can mount
     * @param host            its host name, as shown in mover ls
     * @param throttleBytesPerSecond at most this many bytes per second (0: no limit)
     */
    public record Config(Path home, String name, String library, List<String> mediaTypes, String host, long throttleBytesPerSecond) {}

    /** A mover's states, as seed 004's burners report theirs. */
    public enum State {
        IDLE, SETUP, MOUNT_WAIT, ACTIVE, DISMOUNTING, OFFLINE, ERROR;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Config config;
    private final String id;
    private final MoverLink link;
    private final Backends backends;
    private final Thread worker;
    private final ScheduledExecutorService reporter;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile State state = State.IDLE;
    private volatile String volume;
    private volatile String name;
    private volatile long job;
    private volatile boolean stopping;
    private volatile boolean killed;
    private volatile boolean cancelled;
    private volatile boolean committed;
    private volatile MediaChanger.Outcome lastChanger;
    private final AtomicLong done = new AtomicLong();
    private volatile long total;
    private volatile double rate;
    private long lastDone;
    private long lastNanos = System.nanoTime();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong files = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong mounts = new AtomicLong();

    public Mover(Config config, MoverLink link, Backends backends) throws SiloException {
        this.config = config;
        this.id = persistentId(config.home());
        this.link = link;
        this.backends = backends;
        this.name = config.name() == null ? "mover-" + id.substring(0, 8) : config.name();
        this.worker = new Thread(this::loop, "mover-" + id.substring(0, 8));
        this.worker.setDaemon(true);
        this.reporter = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mover-progress-" + id.substring(0, 8));
            t.setDaemon(true);
            return t;
        });
    }

    /** The id kept in {@code home/mover.id}, made (a random UUID) on first use. */
    public static String persistentId(Path home) throws SiloException {
        Path f = home.resolve("mover.id");
        try {
            if (Files.exists(f)) {
                String s = Files.readString(f, StandardCharsets.UTF_8).trim();
                if (s.matches("[A-Za-z0-9._-]{8,64}")) {
                    return s;
                }
                throw SiloException.invalid(f + " does not hold a mover id: '" + s + "'");
            }
            Files.createDirectories(home);
            String made = UUID.randomUUID().toString();
            Path tmp = home.resolve("mover.id.part");
            Files.writeString(tmp, made + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
            return made;
        } catch (IOException e) {
            throw new SiloException(ErrorCode.IO, "cannot keep the mover id in " + f + ": " + e, e);
        }
    }

    /**
     * Starts asking for work. A mover inside the server is known to the library manager before this
     * returns ({@link MoverLink#announce}), so a put right after it is not refused for want of a mover.
     */
    public Mover start() {
        try {
            link.announce(hello());
        } catch (SiloException | RuntimeException e) {
            log.warn("mover {}: cannot introduce itself yet ({}); its first request for work will", name, e.getMessage());
        }
        worker.start();
        reporter.scheduleWithFixedDelay(this::report, PROGRESS_MS, PROGRESS_MS, TimeUnit.MILLISECONDS);
        return this;
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public State state() {
        return state;
    }

    public long bytesDone() {
        return done.get();
    }

    public long job() {
        return job;
    }

    /** The last mount or dismount: its exit status and output (null before the first). */
    public MediaChanger.Outcome lastChanger() {
        return lastChanger;
    }

    /** Bytes, files, errors and mounts since this mover started (the catalog keeps the totals). */
    public long[] statistics() {
        return new long[] {bytes.get(), files.get(), errors.get(), mounts.get()};
    }

    /** How the mover introduces itself to the library manager: id, name, library, media, host, state and bound volume. */
    public MoverHello hello() {
        return new MoverHello(id, config.name(), config.library(), config.mediaTypes(), config.host(), state.wire(), volume);
    }

    private void loop() {
        while (!stopping) {
            try {
                state = State.IDLE;
                Work w = link.idleMover(hello());
                if (!w.action().equals(LibraryMessages.BIND_VOLUME)) {
                    continue;
                }
                state = State.SETUP;
                volume = w.volume();
                name = w.job().moverName();
                long firstJob = w.job().id();
                MediaChanger changer = MediaChanger.of(w.job().changer(), (vol, drive) -> awaitOperator(firstJob, vol, drive));
                state = State.MOUNT_WAIT;
                MediaChanger.Outcome mounted = changer.mount(volume, name);
                lastChanger = mounted;
                if (!mounted.ok()) {
                    String why = "mount of " + volume + " in drive " + name + " failed: " + mounted.describe();
                    log.warn("mover {}: {}", name, why);
                    errors.incrementAndGet();
                    doneQuietly(new TransferDone(id, w.job().id(), false, null, 0, null, why, false, null));
                    link.unilateralUnbind(new Unbind(id, volume, why));
                    volume = null;
                    continue;
                }
                mounts.incrementAndGet();
                state = State.ACTIVE;
                run(w.job());
                while (!stopping) {
                    Work next = link.haveBoundVolume(hello());
                    if (next.action().equals(LibraryMessages.UNBIND_VOLUME) || next.job() == null) {
                        break;
                    }
                    run(next.job());
                }
                if (killed) {
                    return;
                }
                state = State.DISMOUNTING;
                if (stopping && volume != null) {
                    link.unilateralUnbind(new Unbind(id, volume, "mover stopping"));
                }
                MediaChanger.Outcome dismounted = changer.dismount(volume, name);
                lastChanger = dismounted;
                if (!dismounted.ok()) {
                    log.warn("mover {}: dismount of {} failed: {}", name, volume, dismounted.describe());
                }
                volume = null;
            } catch (SiloException | RuntimeException e) {
                if (killed || stopping) {
                    break;
                }
                state = State.ERROR;
                log.warn("mover {}: {}; asking again in a second", name, e.getMessage());
                sleep(1000);
            }
        }
        if (!killed) {
            state = State.OFFLINE;
        }
    }

    private void run(Job j) throws SiloException {
        name = j.moverName();
        job = j.id();
        total = j.size();
        done.set(0);
        cancelled = false;
        committed = false;
        synchronized (this) {
            lastDone = 0;
            lastNanos = System.nanoTime();
        }
        try {
            switch (j.kind()) {
                case LibraryMessages.KIND_WRITE -> write(j);
                case LibraryMessages.KIND_COPY, LibraryMessages.KIND_VERIFY -> volumeWork(j);
                default -> read(j);
            }
        } finally {
            job = 0;
            total = 0;
            rate = 0;
        }
    }

    private void write(Job j) throws SiloException {
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
        NetIn net = null;
        ClientGone gone = null;
        try {
            try {
                try {
                    s = connect(t.callback());
                } catch (IOException e) {
                    gone = ClientDepartures.unreachable(t, e);
                    throw e;
                }
                out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 64 * 1024));
                net = new NetIn(new BufferedInputStream(s.getInputStream(), DataChannel.BUFFER));
                DataInputStream in = new DataInputStream(net);
                DataChannel.writeHello(out, new Hello(t.token(), t.request(), name, DataChannel.WRITE));
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
                InputStream counted = new CheckedInputStream(new DataChannel.Counted(paced(in), size, done), sum);
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
                    if (killed) {
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
                committed = true; // recorded from here on: a late cancel must not cut the client's answer
                JobInfo info;
                try {
                    String hash = md == null ? null : org.silo.archive.volume.ContentHash.format(j.hash(), md.digest());
                    info = link.transferDone(new TransferDone(id, j.id(), true, cookie, size, adler, null, false, null, hash, null, null));
                } catch (SiloException e) {
                    throw new SiloException(e.code(), "written to " + j.volume() + " but not recorded: " + e.getMessage());
                }
                out.writeByte(DataChannel.OK);
                out.writeUTF(info.bfid());
                out.writeUTF(j.volume());
                out.writeUTF(cookie);
                out.writeUTF(adler);
                out.flush();
                bytes.addAndGet(size);
                files.incrementAndGet();
            } catch (IOException | SiloException e) {
                if (killed) {
                    return;
                }
                error = e instanceof IOException ? "data connection with the client at " + t.callback() + " failed: " + e.getMessage()
                        : e.getMessage();
                if (gone == null && net != null && net.failed && !cancelled && !reported) {
                    gone = ClientDepartures.wentAway(t, e); // the client's side ended or broke while it was to send: it is gone, not the volume
                }
            }
            if (error != null) {
                log.info("mover {}: job {} ({}) failed: {}", name, j.id(), j.path(), error);
                // the library manager hears why before the client's connection closes: a client that then asks
                // after its job finds the reason (and, for a full volume, sends the file again)
                if (noRoom) {
                    doneQuietly(TransferDone.noRoom(id, j.id(), error, room(b), false));
                } else {
                    errors.incrementAndGet();
                    if (!reported) {
                        doneQuietly(new TransferDone(id, j.id(), false, null, 0, null, error, volumeFault, null, null, null, null,
                                false, null, false, gone == null ? null : List.of(gone)));
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
            close(s);
        }
    }

    /**
     * Room a volume keeps beyond a file's bytes (file system blocks and metadata): a volume whose storage
     * has less free than a file's size plus this is not asked to take the file.
     */
    public static final long ROOM_MARGIN = 1 << 20;

    /** What the volume can still take: its storage's free bytes less {@link #ROOM_MARGIN} (-1: it cannot tell). */
    private static long room(Backend b) {
        long free = b == null ? -1 : b.freeBytes();
        return free < 0 ? -1 : Math.max(0, free - ROOM_MARGIN);
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
        log.info("mover {}: job {}: {}", name, j.id(), why);
        doneQuietly(TransferDone.noRoom(id, j.id(), why, room, true));
        return true;
    }

    /** A copy or a verify: no client, the bytes go from volume to volume or only get read. */
    private void volumeWork(Job j) throws SiloException {
        VolumeWork work = new VolumeWork(id, backends, done, this::paced, () -> killed || cancelled);
        TransferDone d = j.kind().equals(LibraryMessages.KIND_COPY) ? work.copy(j) : work.verify(j);
        if (killed) {
            return;
        }
        if (d.ok()) {
            bytes.addAndGet(d.size());
            files.incrementAndGet();
        } else {
            errors.incrementAndGet();
            log.info("mover {}: job {} ({} {}) failed: {}", name, j.id(), j.kind(), j.path(), d.error());
        }
        doneQuietly(d);
    }

    private void read(Job j) throws SiloException {
        List<Peer> peers = new ArrayList<>();
        List<Long> failed = new ArrayList<>();
        List<ClientGone> gone = new ArrayList<>();
        for (Target t : j.targets()) {
            Socket s = null;
            try {
                try {
                    s = connect(t.callback());
                } catch (IOException e) {
                    gone.add(ClientDepartures.unreachable(t, e));
                    continue;
                }
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), DataChannel.BUFFER));
                DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 64 * 1024));
                DataChannel.writeHello(out, new Hello(t.token(), t.request(), name, DataChannel.READ));
                String refused = DataChannel.readStatus(in);
                if (refused != null) {
                    close(s);
                    gone.add(ClientDepartures.notWaiting(t, j.id(), refused));
                    continue;
                }
                out.writeLong(j.size());
                peers.add(new Peer(t, s, in, out));
            } catch (IOException e) {
                close(s);
                gone.add(ClientDepartures.wentAway(t, e));
            }
        }
        String error = null;
        boolean volumeFault = false;
        Adler32 sum = new Adler32();
        long n = 0;
        try (InputStream src = new DataChannel.Counted(paced(backends.get(j.backend()).open(j.cookie())), Long.MAX_VALUE, done)) {
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
                            if (!cancelled) {
                                gone.add(ClientDepartures.wentAway(p.target, e));
                            }
                        }
                    }
                }
                if (killed || cancelled) {
                    break;
                }
            }
        } catch (IOException | SiloException e) {
            if (killed) {
                return;
            }
            error = "cannot read " + j.path() + " from " + j.volume() + " at " + j.cookie() + ": " + e.getMessage();
            volumeFault = true;
        }
        if (killed) {
            peers.forEach(p -> close(p.socket));
            return;
        }
        String adler = Checksums.hex(sum.getValue());
        if (error == null && cancelled) {
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
                if (cancelled) {
                    failed.add(p.target.request());
                } else {
                    gone.add(ClientDepartures.wentAway(p.target, e));
                }
            } finally {
                close(p.socket);
            }
        }
        boolean anyOk = error == null && failed.size() + gone.size() < j.targets().size();
        if (error == null && !anyOk) {
            error = "no client took the file";
        }
        if (error != null) {
            errors.incrementAndGet();
            log.info("mover {}: job {} ({}) failed: {}", name, j.id(), j.path(), error);
        } else {
            bytes.addAndGet(n * (j.targets().size() - failed.size() - gone.size()));
            files.addAndGet(j.targets().size() - failed.size() - gone.size());
        }
        doneQuietly(new TransferDone(id, j.id(), anyOk, j.cookie(), n, adler, error, volumeFault, failed, null, null, null,
                false, null, false, gone.isEmpty() ? null : gone));
    }

    /** Reports a job's end; a refusal (the job was killed or given away meanwhile) is only logged. */
    private void doneQuietly(TransferDone d) throws SiloException {
        try {
            link.transferDone(d);
        } catch (SiloException e) {
            if (e.code() != ErrorCode.INVALID && e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
            log.info("mover {}: job {}: {}", name, d.job(), e.getMessage());
        }
    }

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

    /** The client side of a data connection, remembering whether it failed (a network fault, not the volume's). */
    private static final class NetIn extends java.io.FilterInputStream {
        volatile boolean failed;

        NetIn(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                int r = super.read();
                if (r < 0) {
                    failed = true;
                }
                return r;
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int r = super.read(b, off, len);
                if (r < 0) {
                    failed = true;
                }
                return r;
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }
    }

    /** Slows a stream to the configured rate (none by default). */
    private InputStream paced(InputStream in) {
        long limit = config.throttleBytesPerSecond();
        if (limit <= 0) {
            return in;
        }
        long t0 = System.nanoTime();
        return new java.io.FilterInputStream(in) {
            long n;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int r = super.read(b, off, Math.min(len, 64 * 1024));
                if (r > 0) {
                    n += r;
                    long due = t0 + n * 1_000_000_000L / limit;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        sleep(wait / 1_000_000);
                    }
                }
                return r;
            }
        };
    }

    private Socket connect(String callback) throws IOException {
        int colon = callback.lastIndexOf(':');
        String host = callback.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        Socket s = new Socket();
        sockets.add(s);
        if (killed) {
            close(s);
            throw new IOException("mover killed");
        }
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(host, Integer.parseInt(callback.substring(colon + 1))), 10_000);
        s.setSoTimeout(120_000);
        return s;
    }

    private void close(Socket s) {
        if (s != null) {
            sockets.remove(s);
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private void report() {
        long j = job;
        if (j == 0 || killed) {
            return;
        }
        long d = done.get();
        long now = System.nanoTime();
        synchronized (this) {
            double dt = (now - lastNanos) / 1e9;
            if (dt > 0) {
                rate = (d - lastDone) / dt;
            }
            lastDone = d;
            lastNanos = now;
        }
        try {
            if (link.progress(new Progress(id, state.wire(), j, d, total, rate)).cancel() && job == j && !committed) {
                cancelled = true;
                sockets.forEach(this::close);
            }
        } catch (SiloException | RuntimeException e) {
            log.debug("mover {}: progress not reported: {}", name, e.getMessage());
        }
    }

    /** The manual changer: asks the library manager for an operator's answer until there is one (each ask is a heartbeat). */
    private MediaChanger.Outcome awaitOperator(long forJob, String vol, String drive) {
        log.info("mover {}: waiting for an operator to mount {} in drive {}", name, vol, drive);
        while (!stopping) {
            try {
                LibraryMessages.MountAnswer a = link.mountWait(new LibraryMessages.MountWait(id, forJob, vol, drive));
                switch (a.state()) {
                    case LibraryMessages.MOUNT_CONFIRMED:
                        return new MediaChanger.Outcome(true, 0, "mounted by an operator: " + a.reason());
                    case LibraryMessages.MOUNT_REFUSED:
                    case LibraryMessages.MOUNT_CANCELLED:
                        return new MediaChanger.Outcome(false, -1, a.state() + ": " + a.reason());
                    default:
                        break; // still waiting: ask again (the library manager holds each ask up to a second)
                }
            } catch (SiloException | RuntimeException e) {
                log.debug("mover {}: mount_wait: {}", name, e.getMessage());
                sleep(1000);
            }
        }
        return new MediaChanger.Outcome(false, -1, "mover stopping");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(Math.max(0, ms));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops as a crashed process would: connections cut, nothing more said to the library manager (which
     * gives the binding away after its timeout). For tests and for an operator's hard stop.
     */
    public void kill() {
        killed = true;
        stopping = true;
        reporter.shutdownNow();
        sockets.forEach(this::close);
        worker.interrupt();
        if (Thread.currentThread() != worker) {
            try {
                worker.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        state = State.OFFLINE;
    }

    /** Stops after the transfer under way and gives up the bound volume. */
    @Override
    public void close() {
        stopping = true;
        try {
            worker.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reporter.shutdownNow();
        link.close();
    }
}
