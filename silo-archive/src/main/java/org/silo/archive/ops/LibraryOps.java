package org.silo.archive.ops;

import java.util.Map;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.JobList;
import org.silo.archive.ops.LibraryMessages.ListJobs;
import org.silo.archive.ops.LibraryMessages.MoverHello;
import org.silo.archive.ops.LibraryMessages.MoverInfo;
import org.silo.archive.ops.LibraryMessages.MoverList;
import org.silo.archive.ops.LibraryMessages.MoverName;
import org.silo.archive.ops.LibraryMessages.Progress;
import org.silo.archive.ops.LibraryMessages.ProgressAck;
import org.silo.archive.ops.LibraryMessages.ReadFromHsm;
import org.silo.archive.ops.LibraryMessages.SetPriority;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.ops.LibraryMessages.Unbind;
import org.silo.archive.ops.LibraryMessages.Work;
import org.silo.archive.ops.LibraryMessages.WriteToHsm;
import org.silo.wire.op.Codec;
import org.silo.wire.op.Codecs;
import org.silo.wire.op.Operation;

/**
 * Operations of the library manager (seed 000's volume manager) and its movers, service 0x05. Requests
 * and replies are CBOR records of {@link LibraryMessages}; a mover id or name alone travels as UTF-8,
 * a job id as a decimal string.
 *
 * <table>
 * <caption>library manager operations</caption>
 * <tr><th>code</th><th>name</th><th>sent by</th><th>request</th><th>reply</th></tr>
 * <tr><td>0x0501</td><td>idle_mover</td><td>mover</td><td>MoverHello</td><td>Work: nowork | bind_volume</td></tr>
 * <tr><td>0x0502</td><td>have_bound_volume</td><td>mover</td><td>MoverHello (volume set)</td>
 *     <td>Work: read_from_hsm | write_to_hsm | unbind_volume</td></tr>
 * <tr><td>0x0503</td><td>unilateral_unbind</td><td>mover</td><td>Unbind</td><td>empty (ack)</td></tr>
 * <tr><td>0x0504</td><td>mover_progress</td><td>mover</td><td>Progress</td><td>ProgressAck</td></tr>
 * <tr><td>0x0505</td><td>transfer_done</td><td>mover</td><td>TransferDone</td><td>JobInfo</td></tr>
 * <tr><td>0x0510</td><td>write_to_hsm</td><td>user</td><td>WriteToHsm</td><td>JobInfo</td></tr>
 * <tr><td>0x0511</td><td>read_from_hsm</td><td>user</td><td>ReadFromHsm</td><td>JobInfo</td></tr>
 * <tr><td>0x0512</td><td>job_info</td><td>user</td><td>job id (UTF-8)</td><td>JobInfo</td></tr>
 * <tr><td>0x0513</td><td>job_ls</td><td>user</td><td>ListJobs</td><td>JobList</td></tr>
 * <tr><td>0x0514</td><td>kill_job</td><td>user, admin</td><td>job id (UTF-8)</td><td>JobInfo</td></tr>
 * <tr><td>0x0515</td><td>set_priority</td><td>admin</td><td>SetPriority</td><td>JobInfo</td></tr>
 * <tr><td>0x0516</td><td>kill_binding</td><td>admin</td><td>mover id or name (UTF-8)</td><td>MoverInfo</td></tr>
 * <tr><td>0x0517</td><td>mover_ls</td><td>user</td><td>empty</td><td>MoverList</td></tr>
 * <tr><td>0x0518</td><td>mover_name</td><td>admin</td><td>MoverName</td><td>MoverInfo</td></tr>
 * <tr><td>0x0519</td><td>library_manager_status</td><td>user</td><td>empty</td><td>CBOR map</td></tr>
 * <tr><td>0x051A</td><td>set_changer</td><td>admin</td><td>Changer</td><td>Changer</td></tr>
 * <tr><td>0x051B</td><td>mount_wait</td><td>mover</td><td>MountWait</td><td>MountAnswer</td></tr>
 * <tr><td>0x051C</td><td>mount_ls</td><td>user</td><td>empty</td><td>MountList</td></tr>
 * <tr><td>0x051D</td><td>mount_reply</td><td>admin</td><td>MountReply</td><td>MountRequest</td></tr>
 * <tr><td>0x051E</td><td>copy_to_volume</td><td>user</td><td>CopyFile</td><td>JobInfo</td></tr>
 * <tr><td>0x051F</td><td>verify_volume</td><td>user with write on vol:LABEL</td><td>VerifyVolume</td><td>JobInfo</td></tr>
 * <tr><td>0x0520</td><td>clear_queue</td><td>admin</td><td>empty</td><td>Cleared</td></tr>
 * <tr><td>0x0506</td><td>files_done</td><td>mover</td><td>FilesDone</td><td>RecordedList</td></tr>
 * <tr><td>0x0521</td><td>write_files</td><td>user</td><td>WriteFiles</td><td>FilesQueued</td></tr>
 * <tr><td>0x0522</td><td>read_files</td><td>user</td><td>ReadFiles</td><td>FilesQueued</td></tr>
 * <tr><td>0x0523</td><td>job_files</td><td>user</td><td>job id (UTF-8)</td><td>JobFiles</td></tr>
 * <tr><td>0x0524</td><td>repack_volume</td><td>admin on the archive</td><td>RepackVolume</td><td>JobInfo</td></tr>
 * <tr><td>0x0507</td><td>repack_commit</td><td>mover</td><td>RepackCommit</td><td>RepackAnswer</td></tr>
 * </table>
 */
public final class LibraryOps {
    private LibraryOps() {}

    private static final Codec<Work> WORK = Codecs.cbor(Work.class);
    private static final Codec<MoverHello> HELLO = Codecs.cbor(MoverHello.class);
    private static final Codec<JobInfo> JOB = Codecs.cbor(JobInfo.class);
    private static final Codec<MoverInfo> MOVER = Codecs.cbor(MoverInfo.class);

    public static final Operation<MoverHello, Work> IDLE_MOVER = new Operation<>(0x0501, "idle_mover", HELLO, WORK);
    public static final Operation<MoverHello, Work> HAVE_BOUND_VOLUME =
            new Operation<>(0x0502, "have_bound_volume", HELLO, WORK);
    public static final Operation<Unbind, Void> UNILATERAL_UNBIND =
            new Operation<>(0x0503, "unilateral_unbind", Codecs.cbor(Unbind.class), Codecs.EMPTY);
    public static final Operation<Progress, ProgressAck> MOVER_PROGRESS =
            new Operation<>(0x0504, "mover_progress", Codecs.cbor(Progress.class), Codecs.cbor(ProgressAck.class));
    public static final Operation<TransferDone, JobInfo> TRANSFER_DONE =
            new Operation<>(0x0505, "transfer_done", Codecs.cbor(TransferDone.class), JOB);

    public static final Operation<WriteToHsm, JobInfo> WRITE_TO_HSM =
            new Operation<>(0x0510, "write_to_hsm", Codecs.cbor(WriteToHsm.class), JOB);
    public static final Operation<ReadFromHsm, JobInfo> READ_FROM_HSM =
            new Operation<>(0x0511, "read_from_hsm", Codecs.cbor(ReadFromHsm.class), JOB);
    public static final Operation<String, JobInfo> JOB_INFO = new Operation<>(0x0512, "job_info", Codecs.UTF8, JOB);
    public static final Operation<ListJobs, JobList> JOB_LS =
            new Operation<>(0x0513, "job_ls", Codecs.cbor(ListJobs.class), Codecs.cbor(JobList.class));
    public static final Operation<String, JobInfo> KILL_JOB = new Operation<>(0x0514, "kill_job", Codecs.UTF8, JOB);
    public static final Operation<SetPriority, JobInfo> SET_PRIORITY =
            new Operation<>(0x0515, "set_priority", Codecs.cbor(SetPriority.class), JOB);
    public static final Operation<String, MoverInfo> KILL_BINDING =
            new Operation<>(0x0516, "kill_binding", Codecs.UTF8, MOVER);
    public static final Operation<Void, MoverList> MOVER_LS =
            new Operation<>(0x0517, "mover_ls", Codecs.EMPTY, Codecs.cbor(MoverList.class));
    public static final Operation<MoverName, MoverInfo> MOVER_NAME =
            new Operation<>(0x0518, "mover_name", Codecs.cbor(MoverName.class), MOVER);
    public static final Operation<LibraryMessages.Changer, LibraryMessages.Changer> SET_CHANGER = new Operation<>(
            0x051A,
            "set_changer",
            Codecs.cbor(LibraryMessages.Changer.class),
            Codecs.cbor(LibraryMessages.Changer.class));
    public static final Operation<LibraryMessages.MountWait, LibraryMessages.MountAnswer> MOUNT_WAIT = new Operation<>(
            0x051B,
            "mount_wait",
            Codecs.cbor(LibraryMessages.MountWait.class),
            Codecs.cbor(LibraryMessages.MountAnswer.class));
    public static final Operation<Void, LibraryMessages.MountList> MOUNT_LS =
            new Operation<>(0x051C, "mount_ls", Codecs.EMPTY, Codecs.cbor(LibraryMessages.MountList.class));
    public static final Operation<LibraryMessages.MountReply, LibraryMessages.MountRequest> MOUNT_REPLY =
            new Operation<>(
                    0x051D,
                    "mount_reply",
                    Codecs.cbor(LibraryMessages.MountReply.class),
                    Codecs.cbor(LibraryMessages.MountRequest.class));
    public static final Operation<LibraryMessages.CopyFile, JobInfo> COPY_TO_VOLUME =
            new Operation<>(0x051E, "copy_to_volume", Codecs.cbor(LibraryMessages.CopyFile.class), JOB);
    public static final Operation<LibraryMessages.VerifyVolume, JobInfo> VERIFY_VOLUME =
            new Operation<>(0x051F, "verify_volume", Codecs.cbor(LibraryMessages.VerifyVolume.class), JOB);
    public static final Operation<Void, LibraryMessages.Cleared> CLEAR_QUEUE =
            new Operation<>(0x0520, "clear_queue", Codecs.EMPTY, Codecs.cbor(LibraryMessages.Cleared.class));
    public static final Operation<LibraryMessages.FilesDone, LibraryMessages.RecordedList> FILES_DONE = new Operation<>(
            0x0506,
            "files_done",
            Codecs.cbor(LibraryMessages.FilesDone.class),
            Codecs.cbor(LibraryMessages.RecordedList.class));
    public static final Operation<LibraryMessages.WriteFiles, LibraryMessages.FilesQueued> WRITE_FILES =
            new Operation<>(
                    0x0521,
                    "write_files",
                    Codecs.cbor(LibraryMessages.WriteFiles.class),
                    Codecs.cbor(LibraryMessages.FilesQueued.class));
    public static final Operation<LibraryMessages.ReadFiles, LibraryMessages.FilesQueued> READ_FILES = new Operation<>(
            0x0522,
            "read_files",
            Codecs.cbor(LibraryMessages.ReadFiles.class),
            Codecs.cbor(LibraryMessages.FilesQueued.class));
    public static final Operation<String, LibraryMessages.JobFiles> JOB_FILES =
            new Operation<>(0x0523, "job_files", Codecs.UTF8, Codecs.cbor(LibraryMessages.JobFiles.class));
    public static final Operation<LibraryMessages.RepackVolume, JobInfo> REPACK_VOLUME =
            new Operation<>(0x0524, "repack_volume", Codecs.cbor(LibraryMessages.RepackVolume.class), JOB);
    public static final Operation<LibraryMessages.RepackCommit, LibraryMessages.RepackAnswer> REPACK_COMMIT =
            new Operation<>(
                    0x0507,
                    "repack_commit",
                    Codecs.cbor(LibraryMessages.RepackCommit.class),
                    Codecs.cbor(LibraryMessages.RepackAnswer.class));
    public static final Operation<Void, Map<String, Object>> STATUS =
            new Operation<>(0x0519, "library_manager_status", Codecs.EMPTY, Codecs.CBOR_MAP);
}
