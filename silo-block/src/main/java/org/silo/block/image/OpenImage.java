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
    /** Read-only mappings of the file, 1 GiB each, made when first read through a view. */
    private final MappedByteBuffer[] maps;

    private OpenImage(String name, long size, boolean readOnly, FileChannel channel, SparseFile sparse) {
        this.name = name;
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

    static OpenImage open(String name, Path file, boolean readOnly) throws IOException {
        FileChannel channel = readOnly
                ? FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)
                : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        try {
            SparseFile sparse = SparseFile.open(file, !readOnly);
            return new OpenImage(name, channel.size(), readOnly, channel, sparse);
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
