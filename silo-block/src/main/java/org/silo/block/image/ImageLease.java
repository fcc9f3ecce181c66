package org.silo.block.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * An open image, held by one protocol session; {@link #close()} releases it (and the writer slot).
 * Positional I/O only, safe from many threads at once. Callers check bounds and {@link #writable()}
 * first and turn failures into their protocol's errors; the checks here only guard against bugs.
 */
public final class ImageLease implements BlockDevice {
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20).asReadOnlyBuffer();

    private final ImageStore store;
    private final OpenImage image;
    private final Access access;
    private final String holder;
    private volatile boolean closed;

    ImageLease(ImageStore store, OpenImage image, Access access, String holder) {
        this.store = store;
        this.image = image;
        this.access = access;
        this.holder = holder;
    }

    OpenImage image() {
        return image;
    }

    @Override
    public String name() {
        return image.name;
    }

    /** The image size, fixed while any lease is open (resize refuses open images). */
    @Override
    public long size() {
        return image.size;
    }

    @Override
    public boolean writable() {
        return access == Access.WRITE;
    }

    public String holder() {
        return holder;
    }

    /** True when TRIM really deallocates and extents report real holes. */
    @Override
    public boolean sparseAware() {
        return image.sparse != null;
    }

    /** Fills {@code dst} from {@code position}; bytes past the end of the file read as zeros. */
    @Override
    public void read(ByteBuffer dst, long position) throws IOException {
        check(position, dst.remaining());
        long pos = position;
        while (dst.hasRemaining()) {
            int n = image.channel.read(dst, pos);
            if (n < 0) {
                while (dst.hasRemaining()) {
                    dst.put((byte) 0);
                }
                return;
            }
            pos += n;
        }
    }

    /**
     * A read-only view of {@code length} bytes at {@code position} through a memory mapping of the
     * image, shared by all its leases; null when the range crosses a 1 GiB mapping chunk (then use
     * {@link #read}). Reading the view makes no system call once the pages are cached, which is what
     * a stream of small reads (Blockhead sectors) pays most for. It sees every answered write. A
     * disk error, or a file truncated behind the store's back, shows as an {@link InternalError}
     * when the view is read: callers catch it as an I/O error.
     */
    @Override
    public ByteBuffer view(long position, int length) throws IOException {
        check(position, length);
        return image.view(position, length);
    }

    /** Writes all of {@code src} at {@code position}. */
    @Override
    public void write(ByteBuffer src, long position) throws IOException {
        checkWrite(position, src.remaining());
        try (OpenImage.Change c = image.change(position, src.remaining())) {
            writeAll(src, position);
        }
    }

    private void writeAll(ByteBuffer src, long position) throws IOException {
        long pos = position;
        while (src.hasRemaining()) {
            pos += image.channel.write(src, pos);
        }
    }

    /** Makes a range read as zeros, punching a hole when allowed and possible. */
    @Override
    public void writeZeroes(long position, long length, boolean mayPunch) throws IOException {
        checkWrite(position, length);
        try (OpenImage.Change c = image.change(position, length)) {
            if (mayPunch && image.sparse != null && image.sparse.punchHole(position, length)) {
                return;
            }
            long pos = position;
            long end = position + length;
            while (pos < end) {
                int n = (int) Math.min(ZEROS.capacity(), end - pos);
                ByteBuffer z = ZEROS.duplicate();
                z.limit(n);
                writeAll(z, pos);
                pos += n;
            }
        }
    }

    /** Deallocates a range (NBD TRIM); returns false when holes cannot be punched here. */
    @Override
    public boolean trim(long position, long length) throws IOException {
        checkWrite(position, length);
        if (image.sparse == null) {
            return false;
        }
        try (OpenImage.Change c = image.change(position, length)) {
            return image.sparse.punchHole(position, length);
        }
    }

    /** Forces every write on this image, from any lease, to stable storage (fsync). */
    @Override
    public void flush() throws IOException {
        image.channel.force(true);
    }

    /** Data and hole extents of a range; all data when holes cannot be detected. */
    @Override
    public List<Extent> extents(long position, long length, int max) throws IOException {
        check(position, length);
        if (image.sparse == null) {
            return List.of(new Extent(position, length, false));
        }
        return image.sparse.extents(position, length, max);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            store.release(this, image);
        }
    }

    private void checkWrite(long position, long length) {
        if (!writable()) {
            throw new IllegalStateException("lease on " + name() + " is read-only");
        }
        check(position, length);
    }

    private void check(long position, long length) {
        if (closed) {
            throw new IllegalStateException("lease on " + name() + " is closed");
        }
        if (position < 0 || length < 0 || position > image.size - length) {
            throw new IllegalArgumentException(
                    "range " + position + "+" + length + " outside image " + name() + " of " + image.size);
        }
    }
}
