package org.silo.archive.lm;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.lm.Requests.Req;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.FileRef;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.Moved;
import org.silo.archive.ops.LibraryMessages.RepackAnswer;
import org.silo.archive.ops.LibraryMessages.RepackCommit;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.Containers;
import org.silo.archive.volume.VolumeClerk;
import org.silo.archive.volume.VolumeState;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * Repack (docs/archive.md, "Repack"; CTA's name for it): the live members of a volume's containers are
 * copied by a mover into new containers on another volume, each keeping its bfid and path; each new
 * container is recorded, and its members' locations switched to it, in one transaction
 * (repack_commit); an old container is freed once none of its members lives there and no queued read
 * still names it. Until its switch a member is read from the old container, after it from the new one.
 */
final class Repacks {
    private final LibraryManager lm;
    private final Outcomes outcomes;
    private final Catalog catalog;
    private final VolumeClerk volumes;

    Repacks(LibraryManager lm, Outcomes outcomes, Catalog catalog, VolumeClerk volumes) {
        this.lm = lm;
        this.outcomes = outcomes;
        this.catalog = catalog;
        this.volumes = volumes;
    }

    /** Bytes a new container spends beyond its members' data: a header per member, padding, the manifest, the end blocks. */
    static long room(long members, long bytes, long containers) {
        return members == 0 ? 0 : bytes + members * 1536L + containers * 11_264L;
    }

    /**
     * repack_volume: queues the repack of every active container of the volume, onto {@code to} or (null)
     * whichever other ok volume of its library with room the scheduler finds when a mover takes it.
     */
    long submit(LibraryMessages.RepackVolume q, String who) throws SiloException {
        String label = VolumeClerk.name("volume", q.volume());
        String to = q.to() == null || q.to().isBlank() ? null : VolumeClerk.name("volume", q.to());
        return catalog.tx(c -> {
            VolumeInfo v = VolumeClerk.get(c, label);
            if (!VolumeState.parse(v.state()).readable()) {
                throw SiloException.of(
                        ErrorCode.PERMISSION,
                        "volume " + label + " is " + v.state() + " (" + v.stateReason()
                                + "): its containers cannot be read");
            }
            Long running = Sql.one(
                            c,
                            "SELECT id FROM request WHERE kind = 'repack' AND volume = ? AND state IN ('queued', 'active')",
                            rs -> rs.getLong(1),
                            label)
                    .orElse(null);
            if (running != null) {
                throw SiloException.of(
                        ErrorCode.EXISTS, "volume " + label + " is already being repacked by job " + running);
            }
            List<Containers.Container> cs = Containers.active(c, label);
            if (cs.isEmpty()) {
                throw SiloException.invalid(
                        "nothing to repack: volume " + label + " holds no containers of small files");
            }
            long members =
                    cs.stream().mapToLong(Containers.Container::liveMembers).sum();
            long bytes = cs.stream().mapToLong(Containers.Container::liveBytes).sum();
            long need = room(members, bytes, cs.size());
            if (to != null) {
                VolumeInfo t = VolumeClerk.get(c, to);
                if (t.label().equals(label)) {
                    throw SiloException.invalid("cannot repack volume " + label + " onto itself: name another volume");
                }
                if (!t.library().equals(v.library())) {
                    throw SiloException.invalid(
                            "volume " + to + " is in library " + t.library() + ", " + label + " in " + v.library());
                }
                if (!t.state().equals("ok")) {
                    throw SiloException.invalid(
                            "volume " + to + " is " + t.state() + ": a repack writes to an ok volume");
                }
                if (t.remaining() < need) {
                    throw SiloException.of(
                            ErrorCode.NO_SPACE,
                            "volume " + to + " has room for " + t.remaining() + " bytes; the " + members
                                    + " live files of " + label + "'s containers need about " + need);
                }
            } else if (need > 0
                    && Sql.count(
                                    c,
                                    "SELECT COUNT(*) FROM volume WHERE library = ? AND label <> ? AND state = 'ok'"
                                            + " AND remaining >= ?",
                                    v.library(),
                                    label,
                                    need)
                            == 0) {
                throw SiloException.of(
                        ErrorCode.NO_SPACE,
                        "no other volume to repack " + label + " onto: none of library " + v.library()
                                + " is ok with room for the " + need + " bytes of its " + members
                                + " live files in containers");
            }
            return Requests.insert(
                    c,
                    catalog.engine(),
                    new Requests.New(
                            LibraryMessages.KIND_REPACK,
                            v.library(),
                            v.storageGroup(),
                            v.fileFamily(),
                            label,
                            null,
                            "vol:" + label,
                            need,
                            null,
                            q.priority(),
                            null,
                            VolumeJobs.NO_CLIENT,
                            VolumeJobs.NO_CLIENT,
                            true,
                            "",
                            who,
                            to,
                            1,
                            null,
                            null),
                    System.currentTimeMillis());
        });
    }

    /**
     * The job's list: every live member of the volume's active containers (bfid, cookie, size, Adler-32,
     * hash, path, owner), then, with no bfid, the containers none of whose members lives (to be freed), in
     * the volume's order: by container, then by offset.
     */
    static List<FileRef> files(Connection c, String volume) throws SQLException {
        List<FileRef> out = new ArrayList<>(Sql.list(
                c,
                "SELECT b.bfid, b.cookie, b.size, b.adler32, b.hash, b.path, b.owner FROM bit_file b"
                        + " JOIN container k ON k.volume = b.volume AND k.cookie = b.container WHERE b.volume = ? AND b.state = 'active'"
                        + " AND k.state = 'active'",
                rs -> new FileRef(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getLong(3),
                        rs.getString(4),
                        rs.getString(5),
                        0,
                        rs.getString(6),
                        rs.getString(7)),
                volume));
        for (Containers.Container k : Containers.active(c, volume)) {
            if (k.liveMembers() == 0 || k.state().equals("freeing")) {
                out.add(new FileRef(null, k.cookie(), 0, null, null, 0, null, null));
            }
        }
        out.sort(Comparator.comparingLong((FileRef f) -> location(f.cookie()).fileNumber())
                .thenComparingLong(f -> location(f.cookie()).offset()));
        return out;
    }

    /**
     * repack_commit, in one transaction: the new container's row, its members switched to it (volume,
     * cookie, container), the counts of the old and new containers; then which finished containers may be
     * freed, and the freed ones marked so.
     */
    RepackAnswer commit(RepackCommit q) throws SiloException {
        return catalog.tx(c -> {
            Req r = Requests.get(c, q.job());
            if (!r.kind().equals(LibraryMessages.KIND_REPACK)) {
                throw SiloException.invalid("job " + r.id() + " is a " + r.kind() + ", not a repack");
            }
            if (!r.state().equals("active") || !q.moverId().equals(r.mover())) {
                throw SiloException.invalid("job " + r.id() + " is no longer mover " + q.moverId() + "'s (" + r.state()
                        + "): nothing recorded");
            }
            long now = System.currentTimeMillis();
            String source = r.volume();
            int switched = 0;
            List<Moved> moved = q.moved() == null ? List.of() : q.moved();
            if (q.container() != null && !moved.isEmpty()) {
                String target = r.target();
                if (target == null) {
                    throw SiloException.invalid("repack job " + r.id() + " has no target volume");
                }
                long memberBytes = moved.stream().mapToLong(Moved::size).sum();
                Sql.update(
                        c,
                        "INSERT INTO container (volume, cookie, size, members, member_bytes, live_members, live_bytes, state,"
                                + " created_ms) VALUES (?,?,?,?,?,0,0,'active',?)",
                        target,
                        q.container(),
                        q.containerSize(),
                        moved.size(),
                        memberBytes,
                        now);
                org.silo.archive.volume.VolumeWriters.recorded(c, target, q.container());
                Set<String> old = new LinkedHashSet<>();
                for (Moved m : moved) {
                    switched += Sql.update(
                            c,
                            "UPDATE bit_file SET volume = ?, cookie = ?, container = ?, updated_ms = ? WHERE bfid = ?"
                                    + " AND volume = ? AND cookie = ? AND state = 'active'",
                            target,
                            m.to(),
                            q.container(),
                            now,
                            m.bfid(),
                            source,
                            m.from());
                    old.add(location(m.from()).fileCookie());
                }
                Containers.recountOne(c, target, q.container());
                for (String o : old) {
                    Containers.recountOne(c, source, o);
                }
                Sql.update(
                        c,
                        "UPDATE volume SET remaining = CASE WHEN remaining > ? THEN remaining - ? ELSE 0 END, files = files + ?,"
                                + " last_access_ms = ? WHERE label = ?",
                        q.containerSize(),
                        q.containerSize(),
                        switched,
                        now,
                        target);
            }
            List<String> free = new ArrayList<>();
            for (String f : q.finished() == null ? List.<String>of() : q.finished()) {
                Containers.recountOne(c, source, f);
                if (Containers.startFreeing(c, source, f, () -> readsWaiting(c, r.id(), source, f))) {
                    free.add(f);
                }
            }
            for (String f : q.freed() == null ? List.<String>of() : q.freed()) {
                Containers.freed(c, source, f);
            }
            Sql.update(c, "UPDATE request SET updated_ms = ? WHERE id = ?", now, r.id());
            return new RepackAnswer(switched, free);
        });
    }

    /** transfer_done of a repack: the job ends with the mover's result line; the target's write mark goes. */
    JobInfo done(Req r, TransferDone d, String moverName, boolean mine) throws SiloException {
        if (r.target() != null
                && d.noRoom()) { // its storage filled up under the repack: full, by the mover, not a bad volume
            volumes.outOfRoom(
                    r.target(),
                    d.volumeFree() == null ? -1 : d.volumeFree(),
                    true,
                    moverName,
                    "no space left while repacking " + r.volume());
        } else if (r.target() != null) {
            outcomes.releaseWriting(r.target(), moverName, 0);
        }
        if (!mine) {
            throw SiloException.invalid(
                    "job " + r.id() + " is no longer mover " + moverName + "'s (" + r.state() + ")");
        }
        if (!d.ok() && d.volumeFault()) {
            String at = d.faultVolume() == null ? r.volume() : d.faultVolume();
            volumes.noteError(at, moverName, at.equals(r.target()), d.error());
        }
        outcomes.finish(
                r.id(),
                d.ok() ? "done" : "failed",
                null,
                null,
                d.error(),
                d.moverId(),
                d.size(),
                0,
                d.ok() ? 0 : 1,
                d.result());
        return lm.info(r.id());
    }

    /** Whether a read (or copy) other than the repack itself is queued or running from the container: it still needs its bytes. */
    private static boolean readsWaiting(Connection c, long self, String volume, String cookie) {
        try {
            return readsWaitingSql(c, self, volume, cookie);
        } catch (SQLException e) {
            throw new IllegalStateException(e); // the caller's transaction fails with it
        }
    }

    private static boolean readsWaitingSql(Connection c, long self, String volume, String cookie) throws SQLException {
        return Sql.count(
                                c,
                                "SELECT COUNT(*) FROM request WHERE volume = ? AND id <> ? AND state IN ('queued', 'active')"
                                        + " AND (cookie = ? OR cookie LIKE ?)",
                                volume,
                                self,
                                cookie,
                                cookie + "+%")
                        > 0
                || Sql.count(
                                c,
                                "SELECT COUNT(*) FROM request_file f JOIN request q ON q.id = f.request WHERE q.volume = ?"
                                        + " AND q.state IN ('queued', 'active') AND f.state = 'queued' AND f.cookie LIKE ?",
                                volume,
                                cookie + "+%")
                        > 0;
    }

    private static Backend.Location location(String cookie) {
        try {
            return Backend.location(cookie);
        } catch (SiloException e) {
            throw new IllegalStateException(e);
        }
    }
}
