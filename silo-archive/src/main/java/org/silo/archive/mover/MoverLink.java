package org.silo.archive.mover;

import org.silo.archive.lm.LibraryManager;
import org.silo.archive.ops.LibraryMessages.FilesDone;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.MountAnswer;
import org.silo.archive.ops.LibraryMessages.MountWait;
import org.silo.archive.ops.LibraryMessages.MoverHello;
import org.silo.archive.ops.LibraryMessages.Progress;
import org.silo.archive.ops.LibraryMessages.ProgressAck;
import org.silo.archive.ops.LibraryMessages.RecordedList;
import org.silo.archive.ops.LibraryMessages.RepackAnswer;
import org.silo.archive.ops.LibraryMessages.RepackCommit;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.ops.LibraryMessages.Unbind;
import org.silo.archive.ops.LibraryMessages.Work;
import org.silo.archive.ops.LibraryOps;
import org.silo.archive.ops.VolumeMessages.SetState;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.archive.volume.VolumeState;
import org.silo.wire.SiloException;
import org.silo.wire.client.SiloClient;

/**
 * How a mover talks to its library manager: the mover conversation of seed 000. A remote mover uses
 * the message layer ({@link #over}); a mover inside the server calls the library manager directly
 * ({@link #local}), with the same records.
 */
public interface MoverLink extends AutoCloseable {
    Work idleMover(MoverHello h) throws SiloException;

    Work haveBoundVolume(MoverHello h) throws SiloException;

    void unilateralUnbind(Unbind u) throws SiloException;

    ProgressAck progress(Progress p) throws SiloException;

    JobInfo transferDone(TransferDone d) throws SiloException;

    /** files_done: a group commit of a job's files (recorded in one transaction), or the outcomes of a read's. */
    RecordedList filesDone(FilesDone d) throws SiloException;

    MountAnswer mountWait(MountWait w) throws SiloException;

    /** repack_commit: a repack's new container recorded and its members switched to it; which old containers may go. */
    RepackAnswer repackCommit(RepackCommit q) throws SiloException;

    /**
     * Seed 000's set_system_readonly, sent by a mover whose write to a volume failed (not for a full one:
     * that is set_remaining_bytes): no more writes go to the volume until an administrator sets it ok;
     * reads go on.
     */
    VolumeInfo setSystemReadonly(SetState s) throws SiloException;

    /**
     * Seed 000's inquire_vol, asked by a mover before it writes a volume ({@link BeforeWrite}): the volume's
     * record as the volume clerk has it now (state, remaining bytes).
     */
    VolumeInfo inquireVol(String label) throws SiloException;

    /**
     * Makes the mover known to the library manager before it first asks for work (a mover inside the
     * server, so that a put made right after the server started finds its library served). Over the
     * message layer it does nothing: the first idle_mover, a moment later, does it.
     */
    default void announce(MoverHello h) throws SiloException {}

    @Override
    default void close() {}

    /** The operations of {@link LibraryOps} over a client of the server. */
    static MoverLink over(SiloClient client) {
        return new MoverLink() {
            @Override
            public Work idleMover(MoverHello h) throws SiloException {
                return client.call(LibraryOps.IDLE_MOVER, h);
            }

            @Override
            public Work haveBoundVolume(MoverHello h) throws SiloException {
                return client.call(LibraryOps.HAVE_BOUND_VOLUME, h);
            }

            @Override
            public void unilateralUnbind(Unbind u) throws SiloException {
                client.call(LibraryOps.UNILATERAL_UNBIND, u);
            }

            @Override
            public ProgressAck progress(Progress p) throws SiloException {
                return client.call(LibraryOps.MOVER_PROGRESS, p);
            }

            @Override
            public JobInfo transferDone(TransferDone d) throws SiloException {
                return client.call(LibraryOps.TRANSFER_DONE, d);
            }

            @Override
            public RecordedList filesDone(FilesDone d) throws SiloException {
                return client.call(LibraryOps.FILES_DONE, d);
            }

            @Override
            public MountAnswer mountWait(MountWait w) throws SiloException {
                return client.call(LibraryOps.MOUNT_WAIT, w);
            }

            @Override
            public RepackAnswer repackCommit(RepackCommit q) throws SiloException {
                return client.call(LibraryOps.REPACK_COMMIT, q);
            }

            @Override
            public VolumeInfo setSystemReadonly(SetState s) throws SiloException {
                return client.call(org.silo.archive.ops.VolumeClerkOps.SET_SYSTEM_READONLY, s);
            }

            @Override
            public VolumeInfo inquireVol(String label) throws SiloException {
                return client.call(org.silo.archive.ops.VolumeClerkOps.INQUIRE_VOL, label);
            }

            @Override
            public void close() {
                client.close();
            }
        };
    }

    /** Direct calls into a library manager in the same process. */
    static MoverLink local(LibraryManager lm) {
        return new MoverLink() {
            @Override
            public Work idleMover(MoverHello h) throws SiloException {
                return lm.idleMover(h);
            }

            @Override
            public Work haveBoundVolume(MoverHello h) throws SiloException {
                return lm.haveBoundVolume(h);
            }

            @Override
            public void unilateralUnbind(Unbind u) throws SiloException {
                lm.unilateralUnbind(u);
            }

            @Override
            public ProgressAck progress(Progress p) {
                return lm.progress(p);
            }

            @Override
            public JobInfo transferDone(TransferDone d) throws SiloException {
                return lm.transferDone(d);
            }

            @Override
            public RecordedList filesDone(FilesDone d) throws SiloException {
                return new RecordedList(lm.filesDone(d));
            }

            @Override
            public MountAnswer mountWait(MountWait w) throws SiloException {
                return lm.mountWait(w);
            }

            @Override
            public RepackAnswer repackCommit(RepackCommit q) throws SiloException {
                return lm.repackCommit(q);
            }

            @Override
            public VolumeInfo setSystemReadonly(SetState s) throws SiloException {
                return lm.volumes().setState(s.label(), VolumeState.READONLY, s.by(), s.reason());
            }

            @Override
            public VolumeInfo inquireVol(String label) throws SiloException {
                return lm.volumes().inquire(label);
            }

            @Override
            public void announce(MoverHello h) throws SiloException {
                lm.announce(h);
            }
        };
    }
}
