package org.silo.archive.ops;

import java.util.Map;
import org.silo.archive.ops.VolumeMessages.AddVol;
import org.silo.archive.ops.VolumeMessages.AppendDone;
import org.silo.archive.ops.VolumeMessages.Backup;
import org.silo.archive.ops.VolumeMessages.BackupResult;
import org.silo.archive.ops.VolumeMessages.DeleteVol;
import org.silo.archive.ops.VolumeMessages.EditVol;
import org.silo.archive.ops.VolumeMessages.FamilyWidth;
import org.silo.archive.ops.VolumeMessages.ListVols;
import org.silo.archive.ops.VolumeMessages.NextWriteVolume;
import org.silo.archive.ops.VolumeMessages.NoteError;
import org.silo.archive.ops.VolumeMessages.Quota;
import org.silo.archive.ops.VolumeMessages.ReadStats;
import org.silo.archive.ops.VolumeMessages.SetAppending;
import org.silo.archive.ops.VolumeMessages.SetRemaining;
import org.silo.archive.ops.VolumeMessages.SetState;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.archive.ops.VolumeMessages.VolumeList;
import org.silo.wire.op.Codec;
import org.silo.wire.op.Codecs;
import org.silo.wire.op.Operation;

/**
 * Operations of the volume clerk (seed 000's storage server), service 0x03. Requests and replies are
 * CBOR records of {@link VolumeMessages}; a label alone travels as UTF-8.
 *
 * <table>
 * <caption>volume clerk operations</caption>
 * <tr><th>code</th><th>name</th><th>request</th><th>reply</th></tr>
 * <tr><td>0x0301</td><td>next_write_volume</td><td>NextWriteVolume</td><td>VolumeInfo</td></tr>
 * <tr><td>0x0302</td><td>append_done</td><td>AppendDone</td><td>VolumeInfo</td></tr>
 * <tr><td>0x0303</td><td>set_appending</td><td>SetAppending</td><td>VolumeInfo</td></tr>
 * <tr><td>0x0304</td><td>update_read_stats</td><td>ReadStats</td><td>VolumeInfo</td></tr>
 * <tr><td>0x0305</td><td>inquire_vol</td><td>label (UTF-8)</td><td>VolumeInfo</td></tr>
 * <tr><td>0x0306</td><td>set_remaining_bytes</td><td>SetRemaining</td><td>VolumeInfo</td></tr>
 * <tr><td>0x0307</td><td>set_system_readonly</td><td>SetState</td><td>VolumeInfo</td></tr>
 * <tr><td>0x0308</td><td>set_hung</td><td>SetState</td><td>VolumeInfo</td></tr>
 * <tr><td>0x0309</td><td>note_error</td><td>NoteError</td><td>VolumeInfo</td></tr>
 * <tr><td>0x0310</td><td>addvol</td><td>AddVol</td><td>VolumeInfo</td></tr>
 * <tr><td>0x0311</td><td>delete_vol</td><td>DeleteVol</td><td>VolumeInfo (as it was)</td></tr>
 * <tr><td>0x0312</td><td>edit_vol</td><td>EditVol</td><td>VolumeInfo</td></tr>
 * <tr><td>0x0313</td><td>list_vols</td><td>ListVols</td><td>VolumeList</td></tr>
 * <tr><td>0x0314</td><td>set_family_width</td><td>FamilyWidth</td><td>FamilyWidth</td></tr>
 * <tr><td>0x0315</td><td>set_quota</td><td>Quota</td><td>Quota</td></tr>
 * <tr><td>0x0316</td><td>backup</td><td>Backup</td><td>BackupResult</td></tr>
 * <tr><td>0x0317</td><td>status</td><td>empty</td><td>CBOR map</td></tr>
 * </table>
 */
public final class VolumeClerkOps {
    private VolumeClerkOps() {}

    private static final Codec<VolumeInfo> VOL = Codecs.cbor(VolumeInfo.class);

    public static final Operation<NextWriteVolume, VolumeInfo> NEXT_WRITE_VOLUME =
            new Operation<>(0x0301, "next_write_volume", Codecs.cbor(NextWriteVolume.class), VOL);
    public static final Operation<AppendDone, VolumeInfo> APPEND_DONE =
            new Operation<>(0x0302, "append_done", Codecs.cbor(AppendDone.class), VOL);
    public static final Operation<SetAppending, VolumeInfo> SET_APPENDING =
            new Operation<>(0x0303, "set_appending", Codecs.cbor(SetAppending.class), VOL);
    public static final Operation<ReadStats, VolumeInfo> UPDATE_READ_STATS =
            new Operation<>(0x0304, "update_read_stats", Codecs.cbor(ReadStats.class), VOL);
    public static final Operation<String, VolumeInfo> INQUIRE_VOL =
            new Operation<>(0x0305, "inquire_vol", Codecs.UTF8, VOL);
    public static final Operation<SetRemaining, VolumeInfo> SET_REMAINING_BYTES =
            new Operation<>(0x0306, "set_remaining_bytes", Codecs.cbor(SetRemaining.class), VOL);
    public static final Operation<SetState, VolumeInfo> SET_SYSTEM_READONLY =
            new Operation<>(0x0307, "set_system_readonly", Codecs.cbor(SetState.class), VOL);
    public static final Operation<SetState, VolumeInfo> SET_HUNG =
            new Operation<>(0x0308, "set_hung", Codecs.cbor(SetState.class), VOL);
    public static final Operation<NoteError, VolumeInfo> NOTE_ERROR =
            new Operation<>(0x0309, "note_error", Codecs.cbor(NoteError.class), VOL);
    public static final Operation<AddVol, VolumeInfo> ADDVOL =
            new Operation<>(0x0310, "addvol", Codecs.cbor(AddVol.class), VOL);
    public static final Operation<DeleteVol, VolumeInfo> DELETE_VOL =
            new Operation<>(0x0311, "delete_vol", Codecs.cbor(DeleteVol.class), VOL);
    public static final Operation<EditVol, VolumeInfo> EDIT_VOL =
            new Operation<>(0x0312, "edit_vol", Codecs.cbor(EditVol.class), VOL);
    public static final Operation<ListVols, VolumeList> LIST_VOLS =
            new Operation<>(0x0313, "list_vols", Codecs.cbor(ListVols.class), Codecs.cbor(VolumeList.class));
    public static final Operation<FamilyWidth, FamilyWidth> SET_FAMILY_WIDTH =
            new Operation<>(0x0314, "set_family_width", Codecs.cbor(FamilyWidth.class), Codecs.cbor(FamilyWidth.class));
    public static final Operation<Quota, Quota> SET_QUOTA =
            new Operation<>(0x0315, "set_quota", Codecs.cbor(Quota.class), Codecs.cbor(Quota.class));
    public static final Operation<Backup, BackupResult> BACKUP =
            new Operation<>(0x0316, "backup", Codecs.cbor(Backup.class), Codecs.cbor(BackupResult.class));
    public static final Operation<Void, Map<String, Object>> STATUS =
            new Operation<>(0x0317, "volume_clerk_status", Codecs.EMPTY, Codecs.CBOR_MAP);
}
