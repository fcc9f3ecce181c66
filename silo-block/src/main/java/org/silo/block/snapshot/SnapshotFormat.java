package org.silo.block.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The snapshot file as it is stored in the archive (docs/block.md, "The snapshot file"). Big-endian:
 *
 * <pre>
 * header, 96 bytes
 * 0   magic "SILOSNP1"
 * 8   version u16 = 1
 * 10  flags u16: bit 0 = incremental (bytes no extent covers are the parent's)
 * 12  block size u32 (65536)
 * 16  image size u64
 * 24  taken u64: the point in time, epoch milliseconds
 * 32  uid, 16 bytes
 * 48  parent uid, 16 bytes (all zero in a full snapshot)
 * 64  extent count u32
 * 68  reserved u32, 0
 * 72  table offset u64 (the table follows the data)
 * 80  data bytes u64 (the sum of the DATA extents' lengths)
 * 88  reserved u64, 0
 * data, from byte 96: the bytes of the DATA extents, in table order
 * table, at the table offset: one entry of 24 bytes per extent, sorted by image offset, none overlapping
 * 0   image offset u64
 * 8   length u64
 * 16  file offset u64 of its bytes, or 0xFFFFFFFFFFFFFFFF: ZERO, the range reads as zeros (trimmed or
 *     zeroed since the parent) and stores nothing
 * </pre>
 *
 * <p>In a full snapshot every byte no DATA extent covers is zero (it has no ZERO extents). In an incremental
 * one a byte no extent covers is the parent's. The table is last so that the file is written in one pass;
 * the archive's checksum covers the whole file, so the format carries none of its own.
 */
public final class SnapshotFormat {
    public static final byte[] MAGIC = "SILOSNP1".getBytes(StandardCharsets.US_ASCII);
    public static final int VERSION = 1;
    public static final int HEADER_SIZE = 96;
    public static final int ENTRY_SIZE = 24;
    public static final int FLAG_INCREMENTAL = 1;
    /** The file offset of a ZERO extent. */
    public static final long ZERO = -1L;

    private SnapshotFormat() {}

    /** The fixed header. {@code parent} is null in a full snapshot. */
    public record Header(
            int blockSize,
            long imageSize,
            long takenMillis,
            UUID uid,
            UUID parent,
            int extentCount,
            long tableOffset,
            long dataBytes) {
        public boolean incremental() {
            return parent != null;
        }
    }

    /** One table entry; {@code fileOffset} is {@link #ZERO} for a range that reads as zeros. */
    public record Entry(long offset, long length, long fileOffset) {
        public boolean zero() {
            return fileOffset == ZERO;
        }

        public long end() {
            return offset + length;
        }
    }

    public static ByteBuffer encode(Header h) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE);
        b.put(MAGIC).putShort((short) VERSION).putShort((short) (h.incremental() ? FLAG_INCREMENTAL : 0));
        b.putInt(h.blockSize()).putLong(h.imageSize()).putLong(h.takenMillis());
        putUuid(b, h.uid());
        putUuid(b, h.parent());
        b.putInt(h.extentCount())
                .putInt(0)
                .putLong(h.tableOffset())
                .putLong(h.dataBytes())
                .putLong(0);
        return b.flip();
    }

    /** Decodes and checks a header read from a file of {@code fileSize} bytes. */
    public static Header decode(ByteBuffer b, long fileSize) throws IOException {
        if (b.remaining() < HEADER_SIZE) {
            throw new IOException("not a snapshot: " + b.remaining() + " bytes, a header is " + HEADER_SIZE);
        }
        byte[] magic = new byte[MAGIC.length];
        b.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IOException("not a snapshot: no SILOSNP1 magic");
        }
        int version = Short.toUnsignedInt(b.getShort());
        if (version != VERSION) {
            throw new IOException("snapshot version " + version + " is newer than this server reads (" + VERSION + ")");
        }
        int flags = Short.toUnsignedInt(b.getShort());
        int blockSize = b.getInt();
        long imageSize = b.getLong();
        long taken = b.getLong();
        UUID uid = getUuid(b);
        UUID parent = getUuid(b);
        int count = b.getInt();
        b.getInt();
        long table = b.getLong();
        long data = b.getLong();
        b.getLong();
        boolean incremental = (flags & FLAG_INCREMENTAL) != 0;
        if (uid == null
                || incremental != (parent != null)
                || blockSize != ChangeBlocks.SIZE
                || imageSize <= 0
                || count < 0
                || (long) count * ENTRY_SIZE > Integer.MAX_VALUE - 8
                || table < HEADER_SIZE
                || table + (long) count * ENTRY_SIZE != fileSize
                || data != table - HEADER_SIZE) {
            throw new IOException(
                    "snapshot header is inconsistent with itself or with the file's " + fileSize + " bytes");
        }
        return new Header(blockSize, imageSize, taken, uid, parent, count, table, data);
    }

    /** Reads a whole header and table at {@code base} in a channel (a snapshot may be a member of a container). */
    public static Parsed read(FileChannel ch, long base, long fileSize) throws IOException {
        ByteBuffer hb = ByteBuffer.allocate(HEADER_SIZE);
        readFully(ch, hb, base);
        Header h = decode(hb.flip(), fileSize);
        ByteBuffer tb = ByteBuffer.allocate(h.extentCount() * ENTRY_SIZE);
        readFully(ch, tb, base + h.tableOffset());
        tb.flip();
        List<Entry> entries = new ArrayList<>(h.extentCount());
        long end = 0;
        long nextData = HEADER_SIZE;
        for (int i = 0; i < h.extentCount(); i++) {
            Entry e = new Entry(tb.getLong(), tb.getLong(), tb.getLong());
            if (e.offset() < end || e.length() <= 0 || e.length() > h.imageSize() - e.offset()) {
                throw new IOException("snapshot extent " + i + " (" + e.offset() + "+" + e.length()
                        + ") overlaps the one before it or lies outside the image");
            }
            if (e.zero() ? !h.incremental() : e.fileOffset() != nextData) {
                throw new IOException("snapshot extent " + i + " points at the wrong bytes");
            }
            if (!e.zero()) {
                nextData += e.length();
            }
            end = e.end();
            entries.add(e);
        }
        if (nextData != h.tableOffset()) {
            throw new IOException("snapshot extents hold " + (nextData - HEADER_SIZE)
                    + " bytes of data, its header says " + h.dataBytes());
        }
        return new Parsed(h, List.copyOf(entries));
    }

    /** A header with its table. */
    public record Parsed(Header header, List<Entry> entries) {}

    static ByteBuffer encode(Entry e) {
        return ByteBuffer.allocate(ENTRY_SIZE)
                .putLong(e.offset())
                .putLong(e.length())
                .putLong(e.fileOffset())
                .flip();
    }

    static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                throw new IOException("snapshot file ends early, at byte " + pos);
            }
            pos += n;
        }
    }

    private static void putUuid(ByteBuffer b, UUID u) {
        b.putLong(u == null ? 0 : u.getMostSignificantBits()).putLong(u == null ? 0 : u.getLeastSignificantBits());
    }

    private static UUID getUuid(ByteBuffer b) {
        long hi = b.getLong();
        long lo = b.getLong();
        return hi == 0 && lo == 0 ? null : new UUID(hi, lo);
    }
}
