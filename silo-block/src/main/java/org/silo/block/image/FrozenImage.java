package org.silo.block.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.UUID;

/**
 * An image held at the point in time a snapshot is taken, while its clients go on writing
 * ({@link ImageStore#freeze}). The point is after every write answered before the freeze began and before
 * every write that began after: the freeze waits for writes under way to end, then starts copying blocks
 * on write ({@link Freeze}).
 *
 * <p>It also carries what the snapshot needs to be incremental: the blocks changed since the image's last
 * snapshot ({@link #base()}), unless the change map cannot say ({@link #untrusted()}), and the image's data
 * extents at that point, for a full one. {@link #stored} tells the image that the snapshot is in the archive;
 * a freeze closed without it puts the changes back, so a failed snapshot loses nothing for the next one.
 */
public final class FrozenImage implements AutoCloseable {
    private final ImageLease lease;
    private final OpenImage image;
    private final ChangeMap map;
    private final ChangeMap.Taken taken;
    private final BitSet allocated;
    private final long takenMillis;
    private final Freeze freeze;
    private boolean stored;
    private boolean closed;

    FrozenImage(
            ImageLease lease,
            OpenImage image,
            ChangeMap map,
            ChangeMap.Taken taken,
            BitSet allocated,
            long takenMillis,
            Freeze freeze) {
        this.lease = lease;
        this.image = image;
        this.map = map;
        this.taken = taken;
        this.allocated = allocated;
        this.takenMillis = takenMillis;
        this.freeze = freeze;
    }

    public String name() {
        return image.name;
    }

    public long size() {
        return image.size;
    }

    /** When the freeze began (epoch milliseconds). */
    public long takenMillis() {
        return takenMillis;
    }

    /** The unit of change (64 KiB): blocks are numbered from 0 at byte 0. */
    public static int blockSize() {
        return ChangeMap.BLOCK_SIZE;
    }

    /** The snapshot that {@link #changed()} counts from; null when there is none to count from. */
    public UUID base() {
        return taken.untrusted() == null ? taken.base() : null;
    }

    /** Why the changes since the last snapshot are not known (the snapshot must be full), or null. */
    public String untrusted() {
        return taken.untrusted();
    }

    /** The blocks written since {@link #base()} (a copy). */
    public BitSet changed() {
        return (BitSet) taken.changed().clone();
    }

    /** The blocks the image's data extents touched at the freeze (all of them where holes cannot be found). */
    public BitSet allocatedBlocks() {
        return (BitSet) allocated.clone();
    }

    /** Sets in {@code blocks} every block that bytes [position, position + length) touch. */
    public static void setBlocks(BitSet blocks, long position, long length) {
        ChangeMap.setBlocks(blocks, position, length);
    }

    /** Reads the image as it was at the freeze; {@code dst} must not cross a 64 KiB block. */
    public void read(ByteBuffer dst, long position) throws IOException {
        freeze.read(dst, position);
    }

    /** How many blocks writers changed during the freeze, so that their old bytes were copied aside. */
    public int copiedBlocks() {
        return freeze.copiedBlocks();
    }

    /** The snapshot is stored as {@code uid}: the image's changes count from it from now on. */
    public synchronized void stored(UUID uid) throws IOException {
        map.rebase(uid);
        stored = true;
    }

    /** Ends the freeze; without {@link #stored} first, the changes it took count again for the next snapshot. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            image.endFreeze(freeze);
            if (!stored) {
                map.restore(taken);
            }
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(FrozenImage.class)
                    .warn("ending the freeze of {}: {}", name(), e.toString());
        } finally {
            lease.close();
        }
    }
}
