package org.silo.block.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One image file while at least one lease holds it. All leases share one channel, so every
 * connection sees each write at once and one force() covers all of them.
 */
final class OpenImage {
    final String name;
    final long size;
    final boolean readOnly;
    final FileChannel channel;
    final SparseFile sparse;
    final Set<ImageLease> leases = new LinkedHashSet<>();
    ImageLease writer;
    /** The image's change map (docs/block.md, "The change map"); writes mark it before they are made. */
    final ChangeMap changes;
    /**
     * Writes hold it shared while they run; a freeze takes it alone to begin, so that it begins after every
     * write under way has ended (and so been answered or not, but never half made).
     */
    private final java.util.concurrent.locks.ReentrantReadWriteLock gate =
            new java.util.concurrent.locks.ReentrantReadWriteLock();
    /** The snapshot being taken, or null. */
    private volatile Freeze freeze;
    /** Read-only mappings of the file, 1 GiB each, made when first read through a view. */
    private final MappedByteBuffer[] maps;

    private OpenImage(
            String name, long size, boolean readOnly, FileChannel channel, SparseFile sparse, ChangeMap changes) {
        this.name = name;
        this.changes = changes;
        this.size = size;
        this.readOnly = readOnly;
        this.channel = channel;
        this.sparse = sparse;
        this.maps = new MappedByteBuffer[(int) ((size + MAP_CHUNK - 1) / MAP_CHUNK)];
    }

    /** Chunks are a multiple of every sector size, so an aligned sector never spans two. */
    static final long MAP_CHUNK = 1L << 30;

    /**
     * A read-only view of {@code length} bytes at {@code position}, or null when the range crosses
     * a chunk. MAP_SHARED: writes through the channel and punched holes show at once (one page
     * cache). The mapping is never grown or shrunk: resize refuses an open image.
     */
    ByteBuffer view(long position, int length) throws IOException {
        int i = (int) (position / MAP_CHUNK);
        int offset = (int) (position % MAP_CHUNK);
        MappedByteBuffer map = chunk(i);
        if (offset + length > map.capacity()) {
            return null;
        }
        return map.slice(offset, length);
    }

    private synchronized MappedByteBuffer chunk(int i) throws IOException {
        if (maps[i] == null) {
            long start = i * MAP_CHUNK;
            long length = Math.min(MAP_CHUNK, size - start);
            maps[i] = channel.map(FileChannel.MapMode.READ_ONLY, start, length);
        }
        return maps[i];
    }

    /** A change about to be made, holding the gate until closed. */
    interface Change extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Begins a change of [position, position + length): marks the change map, and while a snapshot is
     * taken, copies the blocks it still needs aside. Close it once the bytes are written.
     */
    Change change(long position, long length) throws IOException {
        gate.readLock().lock();
        try {
            changes.mark(position, length);
            Freeze f = freeze;
            if (f != null) {
                f.beforeChange(position, length);
            }
        } catch (IOException | RuntimeException e) {
            gate.readLock().unlock();
            throw e;
        }
        return gate.readLock()::unlock;
    }

    /**
     * Begins a freeze once the writes under way have ended: takes the change map's blocks and the data
     * extents of this point in time, and copies blocks aside on write from now on.
     */
    FrozenImage beginFreeze(ImageLease lease, Path sideFile) throws IOException, ImageException {
        gate.writeLock().lock();
        try {
            if (freeze != null) {
                throw new ImageException(
                        ImageException.Reason.BUSY, "a snapshot of image " + name + " is being taken already");
            }
            java.util.List<Extent> allocated = sparse == null
                    ? java.util.List.of(new Extent(0, size, false))
                    : sparse.extents(0, size, Integer.MAX_VALUE).stream()
                            .filter(e -> !e.hole())
                            .toList();
            java.util.BitSet allocatedBlocks = new java.util.BitSet();
            for (Extent e : allocated) {
                ChangeMap.setBlocks(allocatedBlocks, e.offset(), e.length());
            }
            ChangeMap.Taken taken = changes.take();
            java.util.BitSet wanted = (java.util.BitSet) allocatedBlocks.clone(); // what a full or an incremental reads
            wanted.or(taken.changed());
            Freeze f = new Freeze(channel, size, wanted, sideFile);
            freeze = f;
            return new FrozenImage(lease, this, changes, taken, allocatedBlocks, System.currentTimeMillis(), f);
        } finally {
            gate.writeLock().unlock();
        }
    }

    void endFreeze(Freeze f) throws IOException {
        if (freeze == f) {
            freeze = null;
        }
        f.end();
    }

    static OpenImage open(String name, Path file, boolean readOnly, ChangeMap changes) throws IOException {
        FileChannel channel = readOnly
                ? FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)
                : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        try {
            SparseFile sparse = SparseFile.open(file, !readOnly);
            return new OpenImage(name, channel.size(), readOnly, channel, sparse, changes);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    void closeFiles() throws IOException {
        try {
            if (sparse != null) {
                sparse.close();
            }
        } finally {
            channel.close();
        }
    }
}
