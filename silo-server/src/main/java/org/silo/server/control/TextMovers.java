package org.silo.server.control;

import java.io.InputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.silo.archive.ArchiveService;
import org.silo.archive.file.FileClerk;
import org.silo.archive.lm.LibraryManager;
import org.silo.archive.mover.DeliveredCopy;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.FileRef;
import org.silo.archive.ops.LibraryMessages.Job;
import org.silo.archive.ops.LibraryMessages.MoverHello;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.ops.LibraryMessages.Work;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.DirBackend;
import org.silo.control.ControlData.Fetched;
import org.silo.control.ControlData.MoverAnswer;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * Text workers as movers: seed 000's mover conversation carried by seed 004's burner verbs, so that a
 * small script can be a mover (docs/control-protocol.md, "Text movers"). The worker polls with
 * {@code STATUS idle 0 AVAIL} (idle_mover) until it is sent {@code WORK} (bind_volume and a job);
 * reports {@code STATUS active PERCENT} (mover_progress; answered {@code CANCEL} when the job was
 * killed) and ends with {@code STATUS done 100 pass} or {@code ... fail WHY} (transfer_done), or with
 * the sums it computed, which the server checks itself ({@link Sums}); it is then sent the next
 * {@code WORK} on the same volume or {@code OPEN VOLUME} (unbind_volume: eject). A text mover takes the
 * kinds its CAP lists of those it can do in text: {@code verify}, and {@code copy}, whose bytes it
 * gets and pushes back over HTTP with a one-time token (seed 004's "push/get").
 */
final class TextMovers {
    /** The kinds a text mover can do: it reads the volume's files itself and checks them, or copies a file through the server. */
    static final List<String> KINDS = List.of(LibraryMessages.KIND_VERIFY, LibraryMessages.KIND_COPY);
    /** Where a copy's one-time URL points: the console's port (docs/control-protocol.md, "Copies by a text worker"). */
    static final String XFER_PATH = "/xfer/";

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A worker's bound volume and job; for a copy, its token and what became of the transfer. */
    private static final class Bound {
        final String volume;
        final Job job;
        final String token;
        final String hash;
        final AtomicBoolean fetched = new AtomicBoolean();
        final AtomicBoolean delivering = new AtomicBoolean();
        final AtomicLong arrived = new AtomicLong();
        volatile TransferDone delivered;

        Bound(String volume, Job job, String token, String hash) {
            this.volume = volume;
            this.job = job;
            this.token = token;
            this.hash = hash;
        }
    }

    private final ArchiveService archive;
    private final Supplier<String> xferBase;
    private final Map<String, Bound> bound = new ConcurrentHashMap<>();
    private final Map<String, String> tokens = new ConcurrentHashMap<>();

    /** @param xferBase {@code http://HOST:PORT} of the console, where a copy's one-time URL points */
    TextMovers(ArchiveService archive, Supplier<String> xferBase) {
        this.archive = archive;
        this.xferBase = xferBase;
    }

    MoverAnswer status(String worker, String name, List<String> caps, List<String> status, List<List<String>> lines)
            throws SiloException {
        String library = caps.stream()
                .filter(c -> c.startsWith("mover:"))
                .findFirst()
                .orElseThrow()
                .substring(6);
        List<String> kinds = caps.stream().filter(KINDS::contains).toList();
        if (kinds.isEmpty()) {
            throw SiloException.invalid("a text mover's CAP names what it does (" + String.join(", ", KINDS) + ")");
        }
        String state = status.isEmpty() ? "" : status.get(0);
        LibraryManager lm = archive.library();
        Bound b = bound.get(worker);
        MoverHello hello = new MoverHello(
                worker,
                name == null || name.isBlank() ? worker : name,
                library,
                List.of("text"),
                "text worker",
                state,
                b == null ? null : b.volume,
                kinds);
        switch (state) {
            case "idle", "avail" -> {
                if (b != null) { // idle while bound: it gave the volume up (tray open)
                    lm.unilateralUnbind(new LibraryMessages.Unbind(worker, b.volume, "text mover went idle"));
                    drop(worker);
                }
                Work w = lm.idleMover(new MoverHello(
                        worker, hello.name(), library, hello.mediaTypes(), hello.host(), "idle", null, kinds));
                return MoverAnswer.ok(
                        w.action().equals(LibraryMessages.BIND_VOLUME)
                                ? work(worker, w.volume(), w.job(), verb(caps))
                                : List.of());
            }
            case "active", "busy" -> {
                Job j = current(b, state).job;
                long total = Math.max(1, j.size());
                long done = total * Math.max(0, Math.min(100, number(status, 1))) / 100;
                if (lm.progress(new LibraryMessages.Progress(worker, "active", j.id(), done, total, 0))
                        .cancel()) {
                    return MoverAnswer.ok(List.of(List.of("CANCEL", String.valueOf(j.id()))));
                }
                return MoverAnswer.ok(List.of());
            }
            case "done" -> {
                Job j = current(b, state).job;
                boolean pass = status.size() > 2 && status.get(2).equalsIgnoreCase("pass");
                String detail = String.join(" ", status.subList(Math.min(3, status.size()), status.size()))
                        .strip();
                TransferDone d = j.kind().equals(LibraryMessages.KIND_COPY)
                        ? copyDone(worker, b, hello.name(), status, detail)
                        : Sums.reported(lines)
                                ? Sums.check(worker, hello.name(), j, lines, status)
                                : TransferDone.of(worker, j.id())
                                        .ok(pass)
                                        .error(
                                                pass
                                                        ? null
                                                        : "text mover " + hello.name() + " reports fail"
                                                                + (detail.isEmpty() ? "" : ": " + detail))
                                        .size(j.size())
                                        .result(j.files().size() + " files, " + j.size() + " bytes read by text mover "
                                                + hello.name() + ": " + (pass ? "all good" : "failed"))
                                        .faultVolume(j.volume())
                                        .volumeFault(!pass)
                                        .build();
                lm.transferDone(d);
                tokens.remove(b.token == null ? "" : b.token);
                Work next = lm.haveBoundVolume(hello);
                List<List<String>> answer;
                if (next.job() != null && !next.action().equals(LibraryMessages.UNBIND_VOLUME)) {
                    answer = work(worker, b.volume, next.job(), verb(caps));
                } else {
                    drop(worker);
                    answer = List.of(List.of("OPEN", b.volume));
                }
                return new MoverAnswer(answer, d.ok(), d.ok() ? d.size() : 0);
            }
            default ->
                throw SiloException.invalid("a text mover's STATUS is idle, active or done, not '" + state + "'");
        }
    }

    /** A copy ends with what the server stored for the worker's delivery, whatever the worker's word; a worker's fail fails it. */
    private static TransferDone copyDone(String worker, Bound b, String name, List<String> status, String detail) {
        Job j = b.job;
        TransferDone d = b.delivered;
        boolean fail = status.size() > 2 && status.get(2).equalsIgnoreCase("fail");
        if (d == null || fail) {
            String why = d == null
                    ? "text mover " + name + " delivered no copy (PUT the bytes to the WORK's URL before STATUS done)"
                    : "text mover " + name + " reports fail" + (detail.isEmpty() ? "" : ": " + detail);
            return TransferDone.of(worker, j.id())
                    .failed("copy of " + j.path() + " to " + j.targetVolume() + " failed: " + why)
                    .build();
        }
        return d;
    }

    /** Seed 004's get: the source of a bound copy, once per token. */
    Fetched fetch(String token) throws SiloException {
        Bound b = byToken(token);
        if (!b.fetched.compareAndSet(false, true)) {
            throw SiloException.notFound(
                    "this token's source was fetched already: a token is good for one GET and one PUT");
        }
        Backend from = archive.volumes().backends().get(b.job.backend());
        return new Fetched(from.open(b.job.cookie()), b.job.size());
    }

    /** Seed 004's push: a bound copy's bytes, checked and appended to its target as a mover's copy is; once per token. */
    String deliver(String token, InputStream in) throws SiloException {
        String worker = tokens.get(token);
        Bound b = byToken(token);
        if (!b.delivering.compareAndSet(false, true)) {
            throw SiloException.notFound(
                    "this token's copy was delivered already: a token is good for one GET and one PUT");
        }
        TransferDone d = DeliveredCopy.copy(worker, archive.volumes().backends(), b.job, in, b.hash, b.arrived);
        if (!d.ok()) { // bytes the worker sent wrong are the worker's fault, not either volume's
            b.delivered = TransferDone.of(worker, b.job.id()).failed(d.error()).build();
            throw SiloException.of(ErrorCode.IO, d.error());
        }
        b.delivered = d;
        return "stored " + b.job.size() + " bytes of " + b.job.path() + " on " + b.job.targetVolume() + " at "
                + d.cookie();
    }

    private Bound byToken(String token) throws SiloException {
        String worker = token == null ? null : tokens.get(token);
        Bound b = worker == null ? null : bound.get(worker);
        if (b == null || !token.equals(b.token)) {
            throw SiloException.notFound("no transfer for this token (its job has ended, or it was never given)");
        }
        return b;
    }

    void gone(String worker) {
        Bound b = drop(worker);
        if (b != null) {
            try {
                archive.library()
                        .unilateralUnbind(new LibraryMessages.Unbind(worker, b.volume, "text mover disconnected"));
            } catch (SiloException e) {
                // the library manager's timeout gives the job away in any case
            }
        }
    }

    private Bound drop(String worker) {
        Bound b = bound.remove(worker);
        if (b != null && b.token != null) {
            tokens.remove(b.token);
        }
        return b;
    }

    private static Bound current(Bound b, String state) throws SiloException {
        if (b == null) {
            throw SiloException.invalid("STATUS " + state + " but no WORK was given: send STATUS idle 0 AVAIL first");
        }
        return b;
    }

    /**
     * The verb that gives a worker its job: seed 004's {@code BURN} for a worker that speaks the seed's
     * words (a capability {@code BURN...}, as the seed's {@code CAP BURNCDR}), Silo's {@code WORK} for the rest.
     * The message is the same either way.
     */
    static String verb(List<String> caps) {
        return caps.stream().anyMatch(c -> c.toUpperCase(java.util.Locale.ROOT).startsWith("BURN")) ? "BURN" : "WORK";
    }

    /**
     * WORK (or BURN) JOB KIND VOLUME TOTAL-BYTES, and for a copy TARGET URL; then one FILE line per file:
     * bfid, cookie, size, adler32, where to read it, content hash (empty if none).
     */
    private List<List<String>> work(String worker, String volume, Job j, String verb) throws SiloException {
        boolean copy = j.kind().equals(LibraryMessages.KIND_COPY);
        List<FileRef> files = j.files() != null
                ? j.files()
                : copy
                        ? List.of(new FileRef(j.bfid(), j.cookie(), j.size(), j.adler32(), hashOf(j.bfid())))
                        : List.of();
        String token = copy ? HexFormat.of().formatHex(randomBytes()) : null;
        drop(worker);
        bound.put(
                worker,
                new Bound(
                        volume,
                        j,
                        token,
                        copy && j.bfid() != null ? files.get(0).hash() : null));
        List<List<String>> lines = new ArrayList<>();
        List<String> first =
                new ArrayList<>(List.of(verb, String.valueOf(j.id()), j.kind(), volume, String.valueOf(j.size())));
        if (copy) {
            tokens.put(token, worker);
            first.add(j.targetVolume());
            first.add(xferBase.get() + XFER_PATH + token);
        }
        lines.add(first);
        Backend backend = archive.volumes().backends().get(j.backend());
        for (FileRef f : files) {
            String where =
                    backend instanceof DirBackend d ? d.path(f.cookie()).toString() : j.backend() + "#" + f.cookie();
            lines.add(List.of(
                    "FILE",
                    f.bfid(),
                    f.cookie(),
                    String.valueOf(f.size()),
                    f.adler32(),
                    where,
                    f.hash() == null ? "" : f.hash()));
        }
        return lines;
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
    }

    private String hashOf(String bfid) throws SiloException {
        return bfid == null ? null : archive.catalog().tx(c -> FileClerk.hashOf(c, bfid));
    }

    private static long number(List<String> status, int i) {
        try {
            return i < status.size()
                    ? Long.parseLong(status.get(i).replace("%", "").strip())
                    : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
