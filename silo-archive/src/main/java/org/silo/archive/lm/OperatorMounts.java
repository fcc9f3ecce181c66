package org.silo.archive.lm;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.MountAnswer;
import org.silo.archive.ops.LibraryMessages.MountRequest;
import org.silo.archive.ops.LibraryMessages.MountWait;
import org.silo.wire.SiloException;

/**
 * The mounts a {@code manual} media changer is waiting for: one per mover, from its first mount_wait
 * until the mover hears the answer. An operator confirms ("the volume is in the drive") or refuses; a
 * killed job or a mover that goes silent takes its request away. Kept in memory: after a restart a
 * waiting mover simply asks again.
 */
final class OperatorMounts {
    private final Map<String, MountRequest> byMover = new ConcurrentHashMap<>();

    /** The mover asks (again): a new request is listed; an answered one is handed over and forgotten. */
    MountAnswer poll(MountWait w, String moverName, boolean jobGone) {
        MountRequest r = byMover.compute(
                w.moverId(),
                (id, old) -> old != null && old.volume().equals(w.volume()) && old.job() == w.job()
                        ? old
                        : new MountRequest(
                                id,
                                moverName,
                                w.volume(),
                                w.drive(),
                                w.job(),
                                System.currentTimeMillis(),
                                LibraryMessages.MOUNT_WAITING,
                                null,
                                null));
        if (jobGone) {
            byMover.remove(w.moverId());
            return new MountAnswer(
                    LibraryMessages.MOUNT_CANCELLED, "job " + w.job() + " was killed or given to another mover");
        }
        if (!r.state().equals(LibraryMessages.MOUNT_WAITING)) {
            byMover.remove(w.moverId());
        }
        return new MountAnswer(r.state(), r.reason());
    }

    /** An operator's answer for the waiting mount of a volume (by label) or of a mover (by id or name). */
    MountRequest answer(String volumeOrMover, boolean ok, String reason, String who) throws SiloException {
        for (MountRequest r : byMover.values()) {
            if (r.state().equals(LibraryMessages.MOUNT_WAITING)
                    && (r.volume().equals(volumeOrMover)
                            || r.moverId().equals(volumeOrMover)
                            || r.mover().equals(volumeOrMover))) {
                String why = reason == null || reason.isBlank()
                        ? (ok ? "mounted" : "refused by the operator")
                        : reason.strip();
                MountRequest answered = new MountRequest(
                        r.moverId(),
                        r.mover(),
                        r.volume(),
                        r.drive(),
                        r.job(),
                        r.sinceMs(),
                        ok ? LibraryMessages.MOUNT_CONFIRMED : LibraryMessages.MOUNT_REFUSED,
                        cut(why),
                        who);
                if (byMover.replace(r.moverId(), r, answered)) {
                    return answered;
                }
            }
        }
        throw SiloException.notFound("no mount of " + volumeOrMover + " is waiting for an operator");
    }

    List<MountRequest> list() {
        List<MountRequest> out = new ArrayList<>(byMover.values());
        out.sort(Comparator.comparingLong(MountRequest::sinceMs));
        return out;
    }

    /** A mover gone offline asks for nothing any more. */
    void forget(String moverId) {
        byMover.remove(moverId);
    }

    void rename(String moverId, String name) {
        byMover.computeIfPresent(
                moverId,
                (id, r) -> new MountRequest(
                        id, name, r.volume(), r.drive(), r.job(), r.sinceMs(), r.state(), r.reason(), r.by()));
    }

    private static String cut(String s) {
        return s.length() <= 1024 ? s : s.substring(0, 1024);
    }
}
