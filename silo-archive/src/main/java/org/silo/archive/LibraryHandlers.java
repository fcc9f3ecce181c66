package org.silo.archive;

import static org.silo.archive.ArchiveRights.MOVER;
import static org.silo.archive.ArchiveRights.jobId;
import static org.silo.archive.ArchiveRights.need;
import static org.silo.archive.ArchiveRights.owner;
import static org.silo.archive.ArchiveRights.path;
import static org.silo.archive.ArchiveRights.vol;
import static org.silo.archive.ArchiveRights.who;

import java.util.List;
import org.silo.archive.lm.ClientJobs;
import org.silo.archive.lm.LibraryManager;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.JobList;
import org.silo.archive.ops.LibraryMessages.MoverList;
import org.silo.archive.ops.LibraryOps;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Right;
import org.silo.wire.server.Dispatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The library manager's operations ({@link LibraryOps}), as {@link ArchiveService} registers them: seed
 * 000's mover conversation ({@code idle_mover}, {@code have_bound_volume}, {@code unilateral_unbind},
 * progress, transfer and files done) on the {@code mover:} object, users' requests ({@code write_to_hsm},
 * {@code read_from_hsm} and their batched forms) on their paths, and the queue's administration.
 */
final class LibraryHandlers {
    private static final Logger log = LoggerFactory.getLogger(LibraryHandlers.class);
    private final LibraryManager library;
    private final CallRecords records;

    LibraryHandlers(LibraryManager library, CallRecords records) {
        this.records = records;
        this.library = library;
    }

    void register(Dispatcher d) {
        d.registerBlocking(LibraryOps.IDLE_MOVER, (ctx, q) -> {
            need(ctx, MOVER, Right.WRITE);
            return library.idleMover(q);
        });
        d.registerBlocking(LibraryOps.HAVE_BOUND_VOLUME, (ctx, q) -> {
            need(ctx, MOVER, Right.WRITE);
            return library.haveBoundVolume(q);
        });
        d.registerBlocking(LibraryOps.UNILATERAL_UNBIND, (ctx, q) -> {
            need(ctx, MOVER, Right.WRITE);
            library.unilateralUnbind(q);
            return null;
        });
        d.registerBlocking(LibraryOps.MOVER_PROGRESS, (ctx, q) -> {
            need(ctx, MOVER, Right.WRITE);
            return library.progress(q);
        });
        // a mover's report of a job's end, and of its files, is recorded with its effect: sent again to the
        // server the mover moved to after its own died unanswering, it is answered as the first was
        // (a second successful write's end would count its bytes on the volume again)
        records.register(d, LibraryOps.TRANSFER_DONE, (ctx, q) -> {
            need(ctx, MOVER, Right.WRITE);
            return library.transferDone(q);
        });
        d.registerBlocking(LibraryOps.WRITE_TO_HSM, (ctx, q) -> {
            need(ctx, path(q.path()), Right.WRITE);
            JobInfo j = library.submitWrite(q.withOwner(owner(ctx, q.owner())), who(ctx, null));
            library.clients().queuedBy(ctx.session().id(), j.id());
            return j;
        });
        d.registerBlocking(LibraryOps.READ_FROM_HSM, (ctx, q) -> {
            need(ctx, path(q.path()), Right.READ);
            JobInfo j = library.submitRead(q, who(ctx, null));
            library.clients().queuedBy(ctx.session().id(), j.id());
            return j;
        });
        d.registerBlocking(LibraryOps.WRITE_FILES, (ctx, q) -> {
            for (LibraryMessages.FileSpec f : q.files() == null ? List.<LibraryMessages.FileSpec>of() : q.files()) {
                need(ctx, path(f.path()), Right.WRITE);
            }
            LibraryMessages.FilesQueued queued =
                    library.submitWriteFiles(q.withOwner(owner(ctx, q.owner())), who(ctx, null));
            for (JobInfo j : queued.jobs()) {
                library.clients().queuedBy(ctx.session().id(), j.id());
            }
            return queued;
        });
        d.registerBlocking(LibraryOps.READ_FILES, (ctx, q) -> {
            for (String p : q.paths() == null ? List.<String>of() : q.paths()) {
                need(ctx, path(p), Right.READ);
            }
            LibraryMessages.FilesQueued queued = library.submitReadFiles(q, who(ctx, null));
            for (JobInfo j : queued.jobs()) {
                library.clients().queuedBy(ctx.session().id(), j.id());
            }
            return queued;
        });
        d.registerBlocking(LibraryOps.JOB_FILES, (ctx, id) -> {
            JobInfo j = library.info(jobId(id));
            need(ctx, j.path(), Right.READ);
            return new LibraryMessages.JobFiles(library.jobFiles(j.id()));
        });
        d.registerBlocking(LibraryOps.REPACK_COMMIT, (ctx, q) -> {
            need(ctx, MOVER, Right.WRITE);
            return library.repackCommit(q);
        });
        d.registerBlocking(LibraryOps.REPACK_VOLUME, (ctx, q) -> {
            need(ctx, "", Right.ADMIN); // a repack rewrites a volume's containers: the archive administrator's call
            return library.submitRepack(q, who(ctx, null));
        });
        records.register(d, LibraryOps.FILES_DONE, (ctx, q) -> {
            need(ctx, MOVER, Right.WRITE);
            return new LibraryMessages.RecordedList(library.filesDone(q));
        });
        // a client's transfers need the client: when its session ends, what it left queued or running goes
        d.onSessionEnd((session, expired) -> {
            try {
                library.clients()
                        .sessionEnded(session.id(), expired ? ClientJobs.SESSION_EXPIRED : ClientJobs.BY_THE_CLIENT);
            } catch (SiloException e) {
                log.warn("cannot cancel the requests of {}: {}", session, e.getMessage());
            }
        });
        d.registerBlocking(LibraryOps.JOB_INFO, (ctx, id) -> {
            JobInfo j = library.info(jobId(id));
            need(ctx, j.path(), Right.READ);
            return j;
        });
        d.registerBlocking(LibraryOps.JOB_LS, (ctx, q) -> {
            need(ctx, "/", Right.READ);
            return new JobList(library.list(q.all(), q.limit(), q.parent()));
        });
        d.registerBlocking(LibraryOps.KILL_JOB, (ctx, id) -> {
            JobInfo j = library.info(jobId(id));
            need(ctx, j.path(), Right.WRITE);
            return library.kill(j.id());
        });
        d.registerBlocking(LibraryOps.SET_PRIORITY, (ctx, q) -> {
            need(ctx, "", Right.ADMIN);
            return library.setPriority(q.id(), q.priority());
        });
        d.registerBlocking(LibraryOps.KILL_BINDING, (ctx, m) -> {
            need(ctx, MOVER, Right.ADMIN);
            return library.killBinding(m);
        });
        d.registerBlocking(LibraryOps.MOVER_LS, (ctx, q) -> {
            need(ctx, MOVER, Right.READ);
            return new MoverList(library.movers());
        });
        d.registerBlocking(LibraryOps.MOVER_NAME, (ctx, q) -> {
            need(ctx, MOVER, Right.ADMIN);
            return library.rename(q.mover(), q.name());
        });
        d.registerBlocking(LibraryOps.SET_CHANGER, (ctx, q) -> {
            need(ctx, "", Right.ADMIN);
            return library.setChanger(q.library(), q.changer());
        });
        d.registerBlocking(LibraryOps.COPY_TO_VOLUME, (ctx, q) -> {
            need(ctx, "vol:", Right.WRITE);
            return library.submitCopy(q, who(ctx, null));
        });
        d.registerBlocking(LibraryOps.VERIFY_VOLUME, (ctx, q) -> {
            // a verify reads the whole volume through a mover, work a reader must not be able to
            // queue at will; it takes what changing the volume takes (a copy to volumes takes write on vol:)
            need(ctx, vol(q.volume()), Right.WRITE);
            return library.submitVerify(q, who(ctx, null));
        });
        d.registerBlocking(LibraryOps.CLEAR_QUEUE, (ctx, q) -> {
            need(ctx, "", Right.ADMIN);
            return new LibraryMessages.Cleared(library.clear(who(ctx, null)));
        });
        d.registerBlocking(LibraryOps.MOUNT_WAIT, (ctx, q) -> {
            need(ctx, MOVER, Right.WRITE);
            return library.mountWait(q);
        });
        d.registerBlocking(LibraryOps.MOUNT_LS, (ctx, q) -> {
            need(ctx, MOVER, Right.READ);
            return new LibraryMessages.MountList(library.mountRequests());
        });
        d.registerBlocking(LibraryOps.MOUNT_REPLY, (ctx, q) -> {
            need(ctx, MOVER, Right.ADMIN);
            return library.answerMount(q.volume(), q.ok(), q.reason(), who(ctx, null));
        });
        d.registerBlocking(LibraryOps.STATUS, (ctx, q) -> {
            need(ctx, MOVER, Right.READ);
            return library.status();
        });
    }
}
