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
 * Disk = {name, sizeBytes, allocatedBytes, readOnly, holders: [text], policy}
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
}
