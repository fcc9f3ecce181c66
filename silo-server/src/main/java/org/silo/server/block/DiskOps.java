package org.silo.server.block;

import java.util.List;
import org.silo.wire.op.Codecs;
import org.silo.wire.op.Operation;

/**
 * Service 0x02: administration of the block service's images, on the message layer. The images
 * themselves are read and written over Blockhead and NBD (docs/block.md); these operations manage them.
 * Requests and replies are CBOR records (docs/protocol.md §4).
 *
 * <pre>
 * code    name         request                          reply
 * 0x0201  disk_create  Create {name, sizeBytes, readOnly} Disk
 * 0x0202  disk_list    (empty)                          DiskList {disks: [Disk]}
 * 0x0203  disk_remove  Name {name}                      (empty)
 * 0x0204  disk_resize  Resize {name, sizeBytes}         Disk
 * 0x0205  disk_info    Name {name}                      Disk
 * 0x0206  disk_policy  SetPolicy {name, policy}         Disk
 * 0x0207  disk_snapshot     TakeSnapshot {name, dir, full}   Snapshot
 * 0x0208  disk_snapshots    Name {name}                      SnapshotList {snapshots: [Snapshot]}
 * 0x0209  disk_restore      Restore {name, number, target}   Disk
 * 0x020A  disk_rm_snapshot  SnapshotRef {name, number}       (empty)
 * Disk = {name, sizeBytes, allocatedBytes, readOnly, holders: [text], policy}
 * Snapshot = {image, number, parent (0: full), path, takenMs, tookMs, imageSize, stored, dataBytes,
 *             whyFull (disk_snapshot only: why it is full, or null), copiedBlocks (disk_snapshot only)}
 * policy = open | read-only | closed | hosts:ADDR[/BITS][,...] | default (set: back to the default)
 *          (docs/block.md, Access policy)
 * </pre>
 */
public final class DiskOps {
    private DiskOps() {}

    public record Create(String name, long sizeBytes, boolean readOnly) {}

    public record Name(String name) {}

    public record Resize(String name, long sizeBytes) {}

    /**
     * Who may reach an image over Blockhead and NBD: open, read-only, closed, or hosts:ADDR[/BITS][,...];
     * default forgets the image's policy, so that it follows the server's default (docs/security.md).
     */
    public record SetPolicy(String name, String policy) {}

    /** One image: its size, the bytes actually allocated (sparse), read-only, who has it open. */
    public record Disk(
            String name, long sizeBytes, long allocatedBytes, boolean readOnly, List<String> holders, String policy) {}

    public record DiskList(List<Disk> disks) {}

    /** Snapshot image {@code name} into archive directory {@code dir} (null: /snapshots/NAME); {@code full}: not incremental. */
    public record TakeSnapshot(String name, String dir, boolean full) {}

    /** Snapshot {@code number} of image {@code name}: {@code name@number}. */
    public record SnapshotRef(String name, long number) {}

    /** Restore {@code name@number} into a new image {@code target}. */
    public record Restore(String name, long number, String target) {}

    /**
     * One snapshot: its number, its parent's (0 for a full one), its archive file, when it was taken and how
     * long that took, the image's size then, the file's size and the image bytes it holds; when just taken,
     * why it is full (null when incremental, or full as the first) and how many blocks writers changed meanwhile.
     */
    public record Snapshot(
            String image,
            long number,
            long parent,
            String path,
            long takenMs,
            long tookMs,
            long imageSize,
            long stored,
            long dataBytes,
            String whyFull,
            int copiedBlocks) {}

    public record SnapshotList(List<Snapshot> snapshots) {}

    public static final Operation<Create, Disk> CREATE =
            new Operation<>(0x0201, "disk_create", Codecs.cbor(Create.class), Codecs.cbor(Disk.class));
    public static final Operation<Void, DiskList> LIST =
            new Operation<>(0x0202, "disk_list", Codecs.EMPTY, Codecs.cbor(DiskList.class));
    public static final Operation<Name, Void> REMOVE =
            new Operation<>(0x0203, "disk_remove", Codecs.cbor(Name.class), Codecs.EMPTY);
    public static final Operation<Resize, Disk> RESIZE =
            new Operation<>(0x0204, "disk_resize", Codecs.cbor(Resize.class), Codecs.cbor(Disk.class));
    public static final Operation<Name, Disk> INFO =
            new Operation<>(0x0205, "disk_info", Codecs.cbor(Name.class), Codecs.cbor(Disk.class));
    public static final Operation<SetPolicy, Disk> POLICY =
            new Operation<>(0x0206, "disk_policy", Codecs.cbor(SetPolicy.class), Codecs.cbor(Disk.class));
    public static final Operation<TakeSnapshot, Snapshot> SNAPSHOT =
            new Operation<>(0x0207, "disk_snapshot", Codecs.cbor(TakeSnapshot.class), Codecs.cbor(Snapshot.class));
    public static final Operation<Name, SnapshotList> SNAPSHOTS =
            new Operation<>(0x0208, "disk_snapshots", Codecs.cbor(Name.class), Codecs.cbor(SnapshotList.class));
    public static final Operation<Restore, Disk> RESTORE =
            new Operation<>(0x0209, "disk_restore", Codecs.cbor(Restore.class), Codecs.cbor(Disk.class));
    public static final Operation<SnapshotRef, Void> RM_SNAPSHOT =
            new Operation<>(0x020A, "disk_rm_snapshot", Codecs.cbor(SnapshotRef.class), Codecs.EMPTY);
}
