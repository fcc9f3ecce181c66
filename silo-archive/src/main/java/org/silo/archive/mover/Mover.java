package org.silo.archive.mover;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.Job;
import org.silo.archive.ops.LibraryMessages.MoverHello;
import org.silo.archive.ops.LibraryMessages.Progress;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.ops.LibraryMessages.Unbind;
import org.silo.archive.ops.LibraryMessages.Work;
import org.silo.archive.volume.Backends;
import org.silo.wire.ErrorCode;
import org.silo.wire.InvalidException;
import org.silo.wire.NotFoundException;
import org.silo.wire.SiloException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mover (seed 000's file mover, seed 004's burner): it asks the library manager for work, binds a
 * volume, and moves bytes between the volume and the user's client over a TCP connection of its own.
 * It keeps a persistent id in {@code <home>/mover.id} (so it is the same mover after a restart),
 * reports progress at least once a second while moving bytes, and keeps statistics.
 *
 * <p>This class is the mover's conversation with the library manager (idle_mover, bind_volume, mount,
 * have_bound_volume, unbind_volume; mover_progress; transfer_done), its state and its statistics. The
 * bytes of a job move in {@link ClientWrite} (write_to_hsm, write_files), {@link ClientRead} (read_from_hsm, read_files) or
 * {@link VolumeWork} (copy, verify) or {@link RepackWork} (repack), the first two over {@link DataConnections}, all at the mover's pace.
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
     * Room a volume keeps beyond a file's bytes (file system blocks and metadata): a volume whose storage
     * has less free than a file's size plus this is not asked to take the file ({@link ClientWrite}).
     */
    public static final long ROOM_MARGIN = 1 << 20;

    /**
     * @param home            where the persistent id lives
     * @param name            the name it proposes on first contact (null: mover-ID)
     * @param library         the library it serves
     * @param mediaTypes      the media it can mount
     * @param host            its host name, as shown in mover ls
     * @param throttleBytesPerSecond at most this many bytes per second (0: no limit)
     */
    public record Config(
            Path home,
            String name,
            String library,
            List<String> mediaTypes,
            String host,
            long throttleBytesPerSecond) {}

    /** A mover's states, as seed 004's burners report theirs. */
    public enum State {
        IDLE,
        SETUP,
        MOUNT_WAIT,
        ACTIVE,
        DISMOUNTING,
        OFFLINE,
        ERROR;

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
    private final DataConnections connections = new DataConnections(this::killed);
    private final Statistics stats = new Statistics();
    private final JobHost host;
    private volatile State state = State.IDLE;
    private volatile String volume;
    private volatile String name;
    private volatile long job;
    private volatile boolean stopping;
    private volatile boolean killed;
    private volatile boolean cancelled;
    /** Why the library manager refused this mover outright (a PERMISSION answer to idle_mover), or null. */
    private volatile SiloException refused;

    private volatile MediaChanger.Outcome lastChanger;
    private final AtomicLong done = new AtomicLong();
    private volatile long total;
    private volatile double rate;
    private long lastDone;
    private long lastNanos = System.nanoTime();

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
        this.host = new Host();
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
            throw SiloException.of(ErrorCode.IO, "cannot keep the mover id in " + f + ": " + e, e);
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
            log.warn(
                    "mover {}: cannot introduce itself yet ({}); its first request for work will",
                    name,
                    e.getMessage());
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
        return stats.toArray();
    }

    /** How the mover introduces itself to the library manager: id, name, library, media, host, state and bound volume. */
    public MoverHello hello() {
        return new MoverHello(
                id, config.name(), config.library(), config.mediaTypes(), config.host(), state.wire(), volume);
    }

    private void loop() {
        while (!stopping) {
            try {
                state = State.IDLE;
                Work w;
                try {
                    w = link.idleMover(hello());
                } catch (SiloException e) {
                    if (e.code() != ErrorCode.PERMISSION || stopping) {
                        throw e;
                    }
                    // the session may not do a mover's work (an anonymous mover where anonymous sessions
                    // only read, or a login without archive:mover::write): asking again every second would
                    // be refused forever while the process looks alive, so the mover ends and says why
                    refused = e;
                    stopping = true;
                    log.error("mover {}: refused by the library manager: {}", name, e.getMessage());
                    break;
                }
                if (!w.action().equals(LibraryMessages.BIND_VOLUME)) {
                    continue;
                }
                state = State.SETUP;
                volume = w.volume();
                name = w.job().moverName();
                long firstJob = w.job().id();
                MediaChanger changer =
                        MediaChanger.of(w.job().changer(), (vol, drive) -> awaitOperator(firstJob, vol, drive));
                state = State.MOUNT_WAIT;
                MediaChanger.Outcome mounted = changer.mount(volume, name);
                lastChanger = mounted;
                if (!mounted.ok()) {
                    String why = "mount of " + volume + " in drive " + name + " failed: " + mounted.describe();
                    log.warn("mover {}: {}", name, why);
                    stats.failed();
                    doneQuietly(TransferDone.of(id, w.job().id()).failed(why).build());
                    link.unilateralUnbind(new Unbind(id, volume, why));
                    volume = null;
                    continue;
                }
                stats.mounted();
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
        synchronized (this) {
            lastDone = 0;
            lastNanos = System.nanoTime();
        }
        try {
            switch (j.kind()) {
                case LibraryMessages.KIND_WRITE -> new ClientWrite(host, j).run();
                case LibraryMessages.KIND_COPY, LibraryMessages.KIND_VERIFY, LibraryMessages.KIND_REPACK ->
                    volumeWork(j);
                default -> new ClientRead(host, j).run();
            }
        } finally {
            job = 0;
            total = 0;
            rate = 0;
        }
    }

    /** A copy, a verify or a repack: no client, the bytes go from volume to volume or only get read. */
    private void volumeWork(Job j) throws SiloException {
        VolumeWork work = new VolumeWork(id, backends, done, this::paced, () -> killed || cancelled);
        TransferDone d = switch (j.kind()) {
            case LibraryMessages.KIND_COPY -> work.copy(j);
            case LibraryMessages.KIND_REPACK ->
                new RepackWork(id, link, backends, done, this::paced, () -> killed || cancelled).run(j);
            default -> work.verify(j);
        };
        if (killed) {
            return;
        }
        if (d.ok()) {
            stats.moved(d.size(), 1);
        } else {
            stats.failed();
            log.info("mover {}: job {} ({} {}) failed: {}", name, j.id(), j.kind(), j.path(), d.error());
        }
        doneQuietly(d);
    }

    /** What this mover lends the job it runs. */
    private final class Host implements JobHost {
        @Override
        public String id() {
            return id;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public MoverLink link() {
            return link;
        }

        @Override
        public Backends backends() {
            return backends;
        }

        @Override
        public java.net.Socket connect(String callback) throws IOException {
            return connections.connect(callback);
        }

        @Override
        public void close(java.net.Socket s) {
            connections.close(s);
        }

        @Override
        public AtomicLong done() {
            return done;
        }

        @Override
        public InputStream paced(InputStream in) {
            return Mover.this.paced(in);
        }

        @Override
        public boolean killed() {
            return killed;
        }

        @Override
        public boolean cancelled() {
            return cancelled;
        }

        @Override
        public void moved(long bytes, long files) {
            stats.moved(bytes, files);
        }

        @Override
        public void failed() {
            stats.failed();
        }

        @Override
        public void transferDone(TransferDone d) throws SiloException {
            doneQuietly(d);
        }
    }

    /** Reports a job's end; a refusal (the job was killed or given away meanwhile) is only logged. */
    void doneQuietly(TransferDone d) throws SiloException {
        try {
            link.transferDone(d);
        } catch (InvalidException | NotFoundException e) { // the job was killed or given away meanwhile
            log.info("mover {}: job {}: {}", name, d.job(), e.getMessage());
        }
    }

    /** Slows a stream to the configured rate (none by default). */
    private InputStream paced(InputStream in) {
        return PacedInput.of(in, config.throttleBytesPerSecond());
    }

    /** Whether the mover was killed: a job's path then stops at once and reports nothing. */
    boolean killed() {
        return killed;
    }

    /** Whether mover_progress answered cancel for the job under way (killed, or given to another mover). */
    boolean cancelled() {
        return cancelled;
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
            if (link.progress(new Progress(id, state.wire(), j, d, total, rate)).cancel() && job == j) {
                cancelled = true;
                connections.closeAll();
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
        connections.closeAll();
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

    /**
     * Waits until the mover has stopped asking for work: closed, killed, or refused. Returns the refusal
     * that ended it (its session may not do a mover's work), or null.
     */
    public SiloException awaitEnd() throws InterruptedException {
        worker.join();
        return refused;
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
