package org.silo.server.control;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.silo.archive.ArchiveService;
import org.silo.archive.lm.LibraryManager;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.FileRef;
import org.silo.archive.ops.LibraryMessages.Job;
import org.silo.archive.ops.LibraryMessages.MoverHello;
import org.silo.archive.ops.LibraryMessages.Work;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.DirBackend;
import org.silo.wire.SiloException;

/**
 * Text workers as movers: seed 000's mover conversation carried by seed 004's burner verbs, so that a
 * small script can be a mover (docs/control-protocol.md, "Text movers"). The worker polls with
 * {@code STATUS idle 0 AVAIL} (idle_mover) until it is sent {@code WORK} (bind_volume and a job);
 * reports {@code STATUS active PERCENT} (mover_progress; answered {@code CANCEL} when the job was
 * killed) and ends with {@code STATUS done 100 pass} or {@code ... fail WHY} (transfer_done); it is
 * then sent the next {@code WORK} on the same volume or {@code OPEN VOLUME} (unbind_volume: eject).
 * A text mover takes the kinds its CAP lists of those it can do in text: {@code verify}.
 */
final class TextMovers {
    /** The kinds a text mover can do: it reads the volume's files itself and checks them. */
    static final List<String> KINDS = List.of(LibraryMessages.KIND_VERIFY);

    private record Bound(String volume, Job job) {}

    private final ArchiveService archive;
    private final Map<String, Bound> bound = new ConcurrentHashMap<>();

    TextMovers(ArchiveService archive) {
        this.archive = archive;
    }

    List<List<String>> status(String worker, String name, List<String> caps, List<String> status) throws SiloException {
        String library = caps.stream().filter(c -> c.startsWith("mover:")).findFirst().orElseThrow().substring(6);
        List<String> kinds = caps.stream().filter(KINDS::contains).toList();
        if (kinds.isEmpty()) {
            throw SiloException.invalid("a text mover's CAP names what it does (" + String.join(", ", KINDS) + ")");
        }
        String state = status.isEmpty() ? "" : status.get(0);
        LibraryManager lm = archive.library();
        Bound b = bound.get(worker);
        MoverHello hello = new MoverHello(worker, name == null || name.isBlank() ? worker : name, library, List.of("text"), "text worker",
                state, b == null ? null : b.volume(), kinds);
        switch (state) {
            case "idle", "avail" -> {
                if (b != null) { // idle while bound: it gave the volume up (tray open)
                    lm.unilateralUnbind(new LibraryMessages.Unbind(worker, b.volume(), "text mover went idle"));
                    bound.remove(worker);
                }
                Work w = lm.idleMover(new MoverHello(worker, hello.name(), library, hello.mediaTypes(), hello.host(), "idle", null, kinds));
                return w.action().equals(LibraryMessages.BIND_VOLUME) ? work(worker, w.volume(), w.job(), verb(caps)) : List.of();
            }
            case "active", "busy" -> {
                Job j = current(b, state);
                long total = Math.max(1, j.size());
                long done = total * Math.max(0, Math.min(100, number(status, 1))) / 100;
                if (lm.progress(new LibraryMessages.Progress(worker, "active", j.id(), done, total, 0)).cancel()) {
                    return List.of(List.of("CANCEL", String.valueOf(j.id())));
                }
                return List.of();
            }
            case "done" -> {
                Job j = current(b, state);
                boolean pass = status.size() > 2 && status.get(2).equalsIgnoreCase("pass");
                String detail = String.join(" ", status.subList(Math.min(3, status.size()), status.size())).strip();
                String result = j.files().size() + " files, " + j.size() + " bytes read by text mover " + hello.name() + ": "
                        + (pass ? "all good" : "failed");
                lm.transferDone(new LibraryMessages.TransferDone(worker, j.id(), pass, null, j.size(), null,
                        pass ? null : "text mover " + hello.name() + " reports fail" + (detail.isEmpty() ? "" : ": " + detail), !pass, null,
                        null, result, j.volume()));
                Work next = lm.haveBoundVolume(hello);
                if (next.job() != null && !next.action().equals(LibraryMessages.UNBIND_VOLUME)) {
                    return work(worker, b.volume(), next.job(), verb(caps));
                }
                bound.remove(worker);
                return List.of(List.of("OPEN", b.volume()));
            }
            default -> throw SiloException.invalid("a text mover's STATUS is idle, active or done, not '" + state + "'");
        }
    }

    void gone(String worker) {
        Bound b = bound.remove(worker);
        if (b != null) {
            try {
                archive.library().unilateralUnbind(new LibraryMessages.Unbind(worker, b.volume(), "text mover disconnected"));
            } catch (SiloException e) {
                // the library manager's timeout gives the job away in any case
            }
        }
    }

    private Job current(Bound b, String state) throws SiloException {
        if (b == null) {
            throw SiloException.invalid("STATUS " + state + " but no WORK was given: send STATUS idle 0 AVAIL first");
        }
        return b.job();
    }

    /**
     * The verb that gives a worker its job: seed 004's {@code BURN} for a worker that speaks the seed's
     * words (a capability {@code BURN...}, as the seed's {@code CAP BURNCDR}), Silo's {@code WORK} for the rest.
     * The message is the same either way.
     */
    static String verb(List<String> caps) {
        return caps.stream().anyMatch(c -> c.toUpperCase(java.util.Locale.ROOT).startsWith("BURN")) ? "BURN" : "WORK";
    }

    /** WORK (or BURN) JOB KIND VOLUME, then one FILE line per file: bfid, cookie, size, adler32, where to read it. */
    private List<List<String>> work(String worker, String volume, Job j, String verb) throws SiloException {
        bound.put(worker, new Bound(volume, j));
        List<List<String>> lines = new ArrayList<>();
        lines.add(List.of(verb, String.valueOf(j.id()), j.kind(), volume, String.valueOf(j.size())));
        Backend backend = archive.volumes().backends().get(j.backend());
        for (FileRef f : j.files()) {
            String where = backend instanceof DirBackend d ? d.path(f.cookie()).toString() : j.backend() + "#" + f.cookie();
            lines.add(List.of("FILE", f.bfid(), f.cookie(), String.valueOf(f.size()), f.adler32(), where));
        }
        return lines;
    }

    private static long number(List<String> status, int i) {
        try {
            return i < status.size() ? Long.parseLong(status.get(i).replace("%", "").strip()) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
