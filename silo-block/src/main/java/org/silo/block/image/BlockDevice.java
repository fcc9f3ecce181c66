package org.silo.block.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * What a block protocol serves: an image's lease ({@link ImageLease}) or a read-only snapshot of one
 * ({@code org.silo.block.snapshot.SnapshotDevice}). Positional I/O only, safe from many threads at once.
 * Callers check bounds and {@link #writable()} first and turn failures into their protocol's errors.
 */
public interface BlockDevice extends AutoCloseable {
    /** The name clients know it by (an image name, or {@code IMAGE@SNAP}). */
    String name();

    /** The size in bytes, fixed while the device is open. */
    long size();

    boolean writable();

    /** True when TRIM really deallocates and {@link #extents} reports real holes. */
    boolean sparseAware();

    /** Fills {@code dst} from {@code position}. */
    void read(ByteBuffer dst, long position) throws IOException;

    /**
     * A read-only view of {@code length} bytes at {@code position} that costs no system call to read, or
     * null when there is none for that range (the caller then uses {@link #read}).
     */
    ByteBuffer view(long position, int length) throws IOException;

    /** Writes all of {@code src} at {@code position}. */
    void write(ByteBuffer src, long position) throws IOException;

    /** Makes a range read as zeros, punching a hole when allowed and possible. */
    void writeZeroes(long position, long length, boolean mayPunch) throws IOException;

    /** Deallocates a range (NBD TRIM); returns false when holes cannot be punched here. */
    boolean trim(long position, long length) throws IOException;

    /** Forces every write to stable storage. */
    void flush() throws IOException;

    /** Data and hole extents of a range, at most {@code max}; all data when holes cannot be detected. */
    List<Extent> extents(long position, long length, int max) throws IOException;

    @Override
    void close();
}
