package org.silo.block.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.silo.block.image.BlockDevice;
import org.silo.block.image.Extent;

/**
 * A small read-only {@link BlockDevice} in memory with data runs and holes, standing in for a snapshot
 * in tests of the NBD layer. It has no {@link #view}, so every READ takes the {@link #read} path.
 */
final class MemoryDevice implements BlockDevice {
    static final int SIZE = 1 << 20;
    /** The layout every instance has: data, hole, data, hole, data. */
    static final List<Extent> LAYOUT = List.of(
            new Extent(0, 64 << 10, false),
            new Extent(64 << 10, 192 << 10, true),
            new Extent(256 << 10, 4 << 10, false),
            new Extent(260 << 10, 508 << 10, true),
            new Extent(768 << 10, 256 << 10, false));

    private final String name;
    private final boolean claimsWritable;
    private final byte[] bytes;
    private final AtomicInteger closes;

    /**
     * @param claimsWritable what {@link #writable} says: the NBD layer must serve it read-only anyway
     * @param closes counts calls to {@link #close}
     */
    MemoryDevice(String name, boolean claimsWritable, AtomicInteger closes) {
        this.name = name;
        this.claimsWritable = claimsWritable;
        this.closes = closes;
        this.bytes = contents();
    }

    /** The bytes of the device: seeded random data, with no zero byte, in the data runs; zeros in the holes. */
    static byte[] contents() {
        byte[] b = new byte[SIZE];
        Random random = new Random(20);
        for (Extent e : LAYOUT) {
            for (long i = e.offset(); !e.hole() && i < e.offset() + e.length(); i++) {
                b[(int) i] = (byte) (1 + random.nextInt(255));
            }
        }
        return b;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long size() {
        return SIZE;
    }

    @Override
    public boolean writable() {
        return claimsWritable;
    }

    @Override
    public boolean sparseAware() {
        return true;
    }

    @Override
    public void read(ByteBuffer dst, long position) {
        dst.put(bytes, (int) position, dst.remaining());
    }

    @Override
    public ByteBuffer view(long position, int length) {
        return null;
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
        throw new IOException("read-only device written");
    }

    @Override
    public void writeZeroes(long position, long length, boolean mayPunch) throws IOException {
        throw new IOException("read-only device zeroed");
    }

    @Override
    public boolean trim(long position, long length) throws IOException {
        throw new IOException("read-only device trimmed");
    }

    @Override
    public void flush() {}

    @Override
    public List<Extent> extents(long position, long length, int max) {
        List<Extent> out = new ArrayList<>();
        long end = position + length;
        for (Extent e : LAYOUT) {
            long from = Math.max(position, e.offset());
            long to = Math.min(end, e.offset() + e.length());
            if (from < to && out.size() < max) {
                out.add(new Extent(from, to - from, e.hole()));
            }
        }
        return out;
    }

    @Override
    public void close() {
        closes.incrementAndGet();
    }
}
