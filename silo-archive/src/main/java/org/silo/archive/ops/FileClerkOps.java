package org.silo.archive.ops;

import java.util.Map;
import org.silo.archive.ops.FileMessages.BitFileInfo;
import org.silo.archive.ops.FileMessages.DelBfid;
import org.silo.archive.ops.FileMessages.EditBfid;
import org.silo.archive.ops.FileMessages.FsckReport;
import org.silo.archive.ops.FileMessages.Ls;
import org.silo.archive.ops.FileMessages.Mkdir;
import org.silo.archive.ops.FileMessages.Mv;
import org.silo.archive.ops.FileMessages.NewBitFile;
import org.silo.archive.ops.FileMessages.NsEntry;
import org.silo.archive.ops.FileMessages.NsList;
import org.silo.archive.ops.FileMessages.ReclaimReport;
import org.silo.archive.ops.FileMessages.Rm;
import org.silo.archive.ops.FileMessages.WriteFile;
import org.silo.archive.ops.VolumeMessages.Backup;
import org.silo.archive.ops.VolumeMessages.BackupResult;
import org.silo.wire.SiloException;
import org.silo.wire.codec.WireReader;
import org.silo.wire.codec.WireWriter;
import org.silo.wire.op.Codec;
import org.silo.wire.op.Codecs;
import org.silo.wire.op.Operation;

/**
 * Operations of the file clerk (seed 000's bit file server) and of the namespace, service 0x04.
 * Requests and replies are CBOR records of {@link FileMessages}; a bfid or path alone travels as UTF-8.
 *
 * <table>
 * <caption>file clerk and namespace operations</caption>
 * <tr><th>code</th><th>name</th><th>request</th><th>reply</th></tr>
 * <tr><td>0x0401</td><td>new_bit_file</td><td>NewBitFile</td><td>BitFileInfo</td></tr>
 * <tr><td>0x0402</td><td>bfid_info</td><td>bfid (UTF-8)</td><td>BitFileInfo</td></tr>
 * <tr><td>0x0403</td><td>del_bfid</td><td>DelBfid</td><td>BitFileInfo</td></tr>
 * <tr><td>0x0404</td><td>edit_bfid</td><td>EditBfid</td><td>BitFileInfo</td></tr>
 * <tr><td>0x0405</td><td>mk_backup</td><td>Backup</td><td>BackupResult</td></tr>
 * <tr><td>0x0406</td><td>status</td><td>empty</td><td>CBOR map</td></tr>
 * <tr><td>0x0407</td><td>fsck</td><td>empty</td><td>FsckReport</td></tr>
 * <tr><td>0x0408</td><td>write_file</td><td>WriteFile</td><td>BitFileInfo</td></tr>
 * <tr><td>0x0409</td><td>read_file</td><td>path (UTF-8)</td><td>bytes</td></tr>
 * <tr><td>0x040A</td><td>reclaim</td><td>volume label (UTF-8; empty: every volume)</td><td>ReclaimReport</td></tr>
 * <tr><td>0x0420</td><td>mkdir</td><td>Mkdir</td><td>NsEntry</td></tr>
 * <tr><td>0x0421</td><td>ls</td><td>path (UTF-8), or Ls (CBOR map) for a page</td><td>NsList</td></tr>
 * <tr><td>0x0422</td><td>stat</td><td>path (UTF-8)</td><td>NsEntry</td></tr>
 * <tr><td>0x0423</td><td>mv</td><td>Mv</td><td>NsEntry (at its new path)</td></tr>
 * <tr><td>0x0424</td><td>rm</td><td>Rm</td><td>NsEntry (as it was)</td></tr>
 * </table>
 */
public final class FileClerkOps {
    private FileClerkOps() {}

    private static final Codec<BitFileInfo> BF = Codecs.cbor(BitFileInfo.class);
    private static final Codec<NsEntry> ENTRY = Codecs.cbor(NsEntry.class);

    public static final Operation<NewBitFile, BitFileInfo> NEW_BIT_FILE =
            new Operation<>(0x0401, "new_bit_file", Codecs.cbor(NewBitFile.class), BF);
    public static final Operation<String, BitFileInfo> BFID_INFO =
            new Operation<>(0x0402, "bfid_info", Codecs.UTF8, BF);
    public static final Operation<DelBfid, BitFileInfo> DEL_BFID =
            new Operation<>(0x0403, "del_bfid", Codecs.cbor(DelBfid.class), BF);
    public static final Operation<EditBfid, BitFileInfo> EDIT_BFID =
            new Operation<>(0x0404, "edit_bfid", Codecs.cbor(EditBfid.class), BF);
    public static final Operation<Backup, BackupResult> MK_BACKUP =
            new Operation<>(0x0405, "mk_backup", Codecs.cbor(Backup.class), Codecs.cbor(BackupResult.class));
    public static final Operation<Void, Map<String, Object>> STATUS =
            new Operation<>(0x0406, "file_clerk_status", Codecs.EMPTY, Codecs.CBOR_MAP);
    public static final Operation<Void, FsckReport> FSCK =
            new Operation<>(0x0407, "fsck", Codecs.EMPTY, Codecs.cbor(FsckReport.class));
    public static final Operation<WriteFile, BitFileInfo> WRITE_FILE =
            new Operation<>(0x0408, "write_file", Codecs.cbor(WriteFile.class), BF);
    public static final Operation<String, byte[]> READ_FILE =
            new Operation<>(0x0409, "read_file", Codecs.UTF8, Codecs.BYTES);
    public static final Operation<String, ReclaimReport> RECLAIM =
            new Operation<>(0x040A, "reclaim", Codecs.UTF8, Codecs.cbor(ReclaimReport.class));

    public static final Operation<Mkdir, NsEntry> MKDIR =
            new Operation<>(0x0420, "mkdir", Codecs.cbor(Mkdir.class), ENTRY);
    public static final Operation<Ls, NsList> LS =
            new Operation<>(0x0421, "ls", lsRequest(), Codecs.cbor(NsList.class));
    public static final Operation<String, NsEntry> STAT = new Operation<>(0x0422, "stat", Codecs.UTF8, ENTRY);
    public static final Operation<Mv, NsEntry> MV = new Operation<>(0x0423, "mv", Codecs.cbor(Mv.class), ENTRY);
    public static final Operation<Rm, NsEntry> RM = new Operation<>(0x0424, "rm", Codecs.cbor(Rm.class), ENTRY);

    /**
     * ls's request, in two forms: a whole listing is the path alone as UTF-8, byte for byte what clients
     * sent before paging; a page ({@code after} or {@code limit} set) is an {@link Ls} as a CBOR map. The
     * first byte tells them apart: a CBOR map starts with 0xA0 to 0xBF (major type 5), which in UTF-8 is
     * a continuation byte and can never start a string.
     */
    static Codec<Ls> lsRequest() {
        Codec<Ls> cbor = Codecs.cbor(Ls.class);
        return new Codec<>() {
            @Override
            public void encode(Ls value, WireWriter out) {
                if (value.after() == null && value.limit() <= 0) {
                    Codecs.UTF8.encode(value.path(), out);
                } else {
                    cbor.encode(value, out);
                }
            }

            @Override
            public Ls decode(WireReader in) throws SiloException {
                byte[] data = in.rest();
                if (data.length > 0 && (data[0] & 0xE0) == 0xA0) {
                    return cbor.decode(new WireReader(data));
                }
                return new Ls(new WireReader(data).utf8Rest());
            }
        };
    }
}
