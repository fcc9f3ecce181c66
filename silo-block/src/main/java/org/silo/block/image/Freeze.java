package org.silo.block.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;

/**
 * An image held at one point in time while writers go on (copy on write, as an LVM snapshot does): before
 * a write, a trim or a write of zeros changes a block the snapshot still has to read, the block's old bytes
 * are copied to a side file; the snapshot reads a block from there when it was copied, else from the image.
 *
 * <p>One monitor orders the two: a writer copies under it before it writes, and a reader reads under it.
 * So a reader that finds a block not copied reads it before any writer can change it, and a reader that
 * finds it copied reads the copy. Only blocks in {@code wanted} are copied: the others the snapshot never reads.
 */
final class Freeze {
    private final FileChannel image;
    private final long size;
    private final BitSet wanted;
    private final BitSet copied = new BitSet();
    private final Path sideFile;
    private final FileChannel side;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(ChangeMap.BLOCK_SIZE);

    Freeze(FileChannel image, long size, BitSet wanted, Path sideFile) throws IOException {
        this.image = image;
        this.size = size;
        this.wanted = wanted;
        this.sideFile = sideFile;
        Files.createDirectories(sideFile.getParent());
        Files.deleteIfExists(sideFile); // a leftover of a server that stopped during a snapshot
        this.side = FileChannel.open(
                sideFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /** Called before bytes in [position, position + length) change: saves the blocks the snapshot still needs. */
    synchronized void beforeChange(long position, long length) throws IOException {
        int first = (int) (position / ChangeMap.BLOCK_SIZE);
        int last = (int) ((position + length - 1) / ChangeMap.BLOCK_SIZE);
        for (int block = wanted.nextSetBit(first); block >= 0 && block <= last; block = wanted.nextSetBit(block + 1)) {
            if (!copied.get(block)) {
                long at = (long) block * ChangeMap.BLOCK_SIZE;
                buffer.clear().limit((int) Math.min(ChangeMap.BLOCK_SIZE, size - at));
                fill(image, buffer, at);
                buffer.flip();
                while (buffer.hasRemaining()) {
                    side.write(buffer, at + buffer.position());
                }
                copied.set(block);
            }
        }
    }

    /** Reads the image as it was when the freeze began; {@code dst} must not cross a block boundary. */
    synchronized void read(ByteBuffer dst, long position) throws IOException {
        int block = (int) (position / ChangeMap.BLOCK_SIZE);
        if ((position + dst.remaining() - 1) / ChangeMap.BLOCK_SIZE != block) {
            throw new IllegalArgumentException("a frozen read crosses a block: " + position + "+" + dst.remaining());
        }
        fill(copied.get(block) ? side : image, dst, position);
    }

    /** How many blocks writers had to copy. */
    synchronized int copiedBlocks() {
        return copied.cardinality();
    }

    void end() throws IOException {
        try {
            side.close();
        } finally {
            Files.deleteIfExists(sideFile);
        }
    }

    private static void fill(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                while (dst.hasRemaining()) {
                    dst.put((byte) 0);
                }
                return;
            }
            pos += n;
        }
    }
}
