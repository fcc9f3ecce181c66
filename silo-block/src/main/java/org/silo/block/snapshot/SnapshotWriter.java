package org.silo.block.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.UUID;
import org.silo.block.image.FrozenImage;

/**
 * Writes a snapshot file ({@link SnapshotFormat}) in one pass: the data as it comes, then the table, then the
 * header in the room left for it. Ranges must come in increasing order; touching ranges of one kind become
 * one extent.
 */
public final class SnapshotWriter implements AutoCloseable {
    private final FileChannel out;
    private final long imageSize;
    private final long takenMillis;
    private final UUID uid;
    private final UUID parent;
    private final List<SnapshotFormat.Entry> entries = new ArrayList<>();
    private long end;
    private long next = SnapshotFormat.HEADER_SIZE;

    /** {@code parent} null: a full snapshot (no ZERO extents; what it does not cover is zero). */
    public SnapshotWriter(Path file, long imageSize, long takenMillis, UUID uid, UUID parent) throws IOException {
        this.out = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        this.imageSize = imageSize;
        this.takenMillis = takenMillis;
        this.uid = uid;
        this.parent = parent;
    }

    /** Adds the bytes of {@code data} at image offset {@code offset}. */
    public void data(long offset, ByteBuffer data) throws IOException {
        long length = data.remaining();
        order(offset, length);
        while (data.hasRemaining()) {
            next += out.write(data, next);
        }
        SnapshotFormat.Entry last = entries.isEmpty() ? null : entries.getLast();
        if (last != null && !last.zero() && last.end() == offset) {
            entries.set(
                    entries.size() - 1,
                    new SnapshotFormat.Entry(last.offset(), last.length() + length, last.fileOffset()));
        } else {
            entries.add(new SnapshotFormat.Entry(offset, length, next - length));
        }
    }

    /** Adds a range that reads as zeros: a ZERO extent in an incremental snapshot, nothing in a full one. */
    public void zero(long offset, long length) {
        order(offset, length);
        if (parent == null) {
            return;
        }
        SnapshotFormat.Entry last = entries.isEmpty() ? null : entries.getLast();
        if (last != null && last.zero() && last.end() == offset) {
            entries.set(
                    entries.size() - 1,
                    new SnapshotFormat.Entry(last.offset(), last.length() + length, SnapshotFormat.ZERO));
        } else {
            entries.add(new SnapshotFormat.Entry(offset, length, SnapshotFormat.ZERO));
        }
    }

    private void order(long offset, long length) {
        if (offset < end || length <= 0 || offset + length > imageSize) {
            throw new IllegalArgumentException(
                    "snapshot range " + offset + "+" + length + " out of order or outside the image");
        }
        end = offset + length;
    }

    /** Writes the table and the header, forces the file, and returns the header. */
    public SnapshotFormat.Header finish() throws IOException {
        long table = next;
        long pos = table;
        for (SnapshotFormat.Entry e : entries) {
            ByteBuffer b = SnapshotFormat.encode(e);
            while (b.hasRemaining()) {
                pos += out.write(b, pos);
            }
        }
        SnapshotFormat.Header h = new SnapshotFormat.Header(
                ChangeBlocks.SIZE,
                imageSize,
                takenMillis,
                uid,
                parent,
                entries.size(),
                table,
                table - SnapshotFormat.HEADER_SIZE);
        ByteBuffer hb = SnapshotFormat.encode(h);
        while (hb.hasRemaining()) {
            out.write(hb, hb.position());
        }
        out.force(true);
        return h;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /**
     * Writes a frozen image: the blocks {@code blocks} names (the changed ones for an incremental snapshot,
     * or null for a full one: the data extents), each stored as data unless it is all zeros.
     */
    public static SnapshotFormat.Header write(FrozenImage image, Path file, UUID uid, UUID parent, BitSet blocks)
            throws IOException {
        int bs = ChangeBlocks.SIZE;
        BitSet todo = blocks != null ? blocks : image.allocatedBlocks();
        ByteBuffer buf = ByteBuffer.allocateDirect(bs);
        try (SnapshotWriter w = new SnapshotWriter(file, image.size(), image.takenMillis(), uid, parent)) {
            for (int block = todo.nextSetBit(0); block >= 0; block = todo.nextSetBit(block + 1)) {
                long at = (long) block * bs;
                if (at >= image.size()) {
                    break;
                }
                buf.clear().limit((int) Math.min(bs, image.size() - at));
                image.read(buf, at);
                buf.flip();
                if (ChangeBlocks.allZero(buf)) {
                    w.zero(at, buf.remaining());
                } else {
                    w.data(at, buf);
                }
            }
            return w.finish();
        }
    }
}
