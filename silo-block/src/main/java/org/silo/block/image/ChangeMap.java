package org.silo.block.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.UUID;

/**
 * The blocks of one image written since its last snapshot (docs/block.md, "The change map"), kept on
 * disk so that a restart does not force a full snapshot.
 *
 * <p>Its file, {@code <images>/..changes/<image>}, is big-endian:
 *
 * <pre>
 * 0   magic "SILOCHG1"
 * 8   state u8: 0 = saved, 1 = in use (set, and fsynced, before the first write after a save)
 * 9   3 bytes reserved, 0
 * 12  block size u32 ({@link #BLOCK_SIZE})
 * 16  image size u64
 * 24  base: the uid of the snapshot the map counts from, 16 bytes (all zero: none)
 * 40  bitmap: ceil(blocks / 8) bytes; block i is bit (i mod 8) of byte (i div 8), least significant first
 * </pre>
 *
 * <p>The state byte is QEMU's "in use" flag for persistent dirty bitmaps: a map found in use was not
 * saved after its last writes (the server stopped without closing the image), so the blocks written
 * then may be missing from it. Such a map is not {@link #trusted()}, and the next snapshot is full.
 * Every write marks its blocks here before it is made, so a saved map never misses an answered write.
 */
final class ChangeMap {
    /** The unit of change: a write of one byte makes the next incremental snapshot store 64 KiB. */
    static final int BLOCK_SIZE = 64 << 10;

    private static final byte[] MAGIC = "SILOCHG1".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = 40;
    private static final int STATE_OFFSET = 8;

    private final Path file;
    private final long imageSize;
    private BitSet changed;
    private UUID base;
    /** Why the map cannot say what changed since its base; null when it can. */
    private String untrusted;
    /** Whether the file says "in use" now (then marking needs no more disk writes). */
    private boolean inUseOnDisk;

    private ChangeMap(Path file, long imageSize, BitSet changed, UUID base, String untrusted, boolean inUseOnDisk) {
        this.file = file;
        this.imageSize = imageSize;
        this.changed = changed;
        this.base = base;
        this.untrusted = untrusted;
        this.inUseOnDisk = inUseOnDisk;
    }

    /** Reads the map of an image of {@code imageSize} bytes; a missing or unusable file gives an untrusted one. */
    static ChangeMap load(Path file, long imageSize) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new ChangeMap(file, imageSize, new BitSet(), null, "no snapshot was taken of it here yet", false);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long blocks = blocks(imageSize);
        if (bytes.length < HEADER
                || !java.util.Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)
                || b.getInt(12) != BLOCK_SIZE
                || bytes.length != HEADER + (blocks + 7) / 8) {
            return new ChangeMap(file, imageSize, new BitSet(), null, "its change map is unreadable", false);
        }
        UUID base = uuid(b.getLong(24), b.getLong(32));
        if (b.getLong(16) != imageSize) {
            return new ChangeMap(file, imageSize, new BitSet(), base, "it was resized since its last snapshot", false);
        }
        boolean inUse = bytes[STATE_OFFSET] != 0;
        BitSet changed = BitSet.valueOf(ByteBuffer.wrap(bytes, HEADER, bytes.length - HEADER));
        return new ChangeMap(
                file,
                imageSize,
                changed,
                base,
                inUse ? "the server stopped without saving its change map (a crash?)" : null,
                inUse);
    }

    static long blocks(long imageSize) {
        return (imageSize + BLOCK_SIZE - 1) / BLOCK_SIZE;
    }

    /**
     * Marks the blocks of a range as changed; the first mark after a save first sets the file's state
     * to "in use" and fsyncs it, so a crash after the write cannot leave a map that looks complete.
     */
    synchronized void mark(long position, long length) throws IOException {
        if (length <= 0) {
            return;
        }
        if (!inUseOnDisk) {
            setInUse();
        }
        setBlocks(changed, position, length);
    }

    /** Sets in {@code blocks} every block that bytes [position, position + length) touch. */
    static void setBlocks(BitSet blocks, long position, long length) {
        blocks.set((int) (position / BLOCK_SIZE), (int) ((position + length - 1) / BLOCK_SIZE) + 1);
    }

    private void setInUse() throws IOException {
        if (Files.exists(file)) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {1}), STATE_OFFSET);
                ch.force(false);
            }
        } else {
            write(true);
        }
        inUseOnDisk = true;
    }

    /** The base, or null when none (no snapshot, or the map cannot be trusted). */
    synchronized UUID base() {
        return base;
    }

    /** Null when the map says exactly which blocks changed since {@link #base()}, else why it cannot. */
    synchronized String untrusted() {
        return base == null && untrusted == null ? "no snapshot was taken of it here yet" : untrusted;
    }

    /**
     * Starts counting from a new snapshot (taken now, its uid not yet known): returns the changes so far
     * and empties the map. {@link #rebase} names the snapshot once it is stored; {@link #restore} undoes
     * this if it fails.
     */
    synchronized Taken take() throws IOException {
        Taken t = new Taken(changed, base, untrusted());
        changed = new BitSet();
        base = null;
        untrusted = "a snapshot of it was being taken";
        write(true);
        inUseOnDisk = true;
        return t;
    }

    /** What {@link #take()} took: the changed blocks since {@code base}, trusted when {@code untrusted} is null. */
    record Taken(BitSet changed, UUID base, String untrusted) {}

    /** The snapshot taken is stored as {@code uid}: changes count from it from now on. */
    synchronized void rebase(UUID uid) throws IOException {
        base = uid;
        untrusted = null;
        persist();
    }

    /** The snapshot failed: the changes it took count again, from the base they had. */
    synchronized void restore(Taken t) throws IOException {
        changed.or(t.changed());
        base = t.base();
        untrusted = t.untrusted();
        persist();
    }

    /**
     * A snapshot was removed: when the map counts from {@code removed}, it counts from {@code parent}
     * instead, with the blocks {@code removed} held marked too (null parent: nothing to count from, so
     * the next snapshot is full).
     */
    synchronized void unbase(UUID removed, UUID parent, BitSet heldByRemoved) throws IOException {
        if (removed.equals(base)) {
            changed.or(heldByRemoved);
            base = parent;
            if (parent == null) {
                untrusted = "its last snapshot was removed and it had no parent";
            }
            persist();
        }
    }

    /** Writes the map with state "saved" if writes marked it since it was (the image closes, the server stops). */
    synchronized void save() throws IOException {
        if (inUseOnDisk) {
            persist();
        }
    }

    private void persist() throws IOException {
        write(false);
        inUseOnDisk = false;
    }

    private void write(boolean inUse) throws IOException {
        long blocks = blocks(imageSize);
        ByteBuffer b = ByteBuffer.allocate(HEADER + (int) ((blocks + 7) / 8));
        b.put(MAGIC)
                .put((byte) (inUse ? 1 : 0))
                .put(new byte[3])
                .putInt(BLOCK_SIZE)
                .putLong(imageSize);
        UUID u = untrusted == null ? base : null;
        b.putLong(u == null ? 0 : u.getMostSignificantBits()).putLong(u == null ? 0 : u.getLeastSignificantBits());
        b.put(changed.toByteArray());
        Files.createDirectories(file.getParent());
        // a name with ".." is never an image's, and the image's own name may already be 255 bytes long
        Path tmp = Files.createTempFile(file.getParent(), "..", ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            b.rewind(); // the whole bitmap, with the zero bytes after the last set bit
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(false);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static UUID uuid(long hi, long lo) {
        return hi == 0 && lo == 0 ? null : new UUID(hi, lo);
    }
}
