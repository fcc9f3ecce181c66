package org.silo.block.image;

import com.sun.jna.LastErrorException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A second descriptor on an image file, used only for hole punching and hole finding; data goes
 * through the image's {@link java.nio.channels.FileChannel}. Both descriptors name the same inode,
 * so a punched hole is seen at once by every reader.
 */
final class SparseFile implements Closeable {
    private final int fd;

    private SparseFile(int fd) {
        this.fd = fd;
    }

    /** Opens the file, or returns null when the native calls are not available. */
    static SparseFile open(Path file, boolean writable) throws IOException {
        if (!LinuxFiles.available()) {
            return null;
        }
        int flags = (writable ? LinuxFiles.O_RDWR : LinuxFiles.O_RDONLY) | LinuxFiles.O_NOFOLLOW | LinuxFiles.O_CLOEXEC;
        try {
            return new SparseFile(LinuxFiles.libc().open(file.toString(), flags));
        } catch (LastErrorException e) {
            throw new IOException("open " + file + ": errno " + e.getErrorCode(), e);
        }
    }

    /**
     * Deallocates a range; it then reads as zeros. Returns false when the file system cannot punch
     * holes (EOPNOTSUPP), so the caller can write zeros instead.
     */
    boolean punchHole(long offset, long length) throws IOException {
        try {
            LinuxFiles.libc()
                    .fallocate(fd, LinuxFiles.FALLOC_FL_PUNCH_HOLE | LinuxFiles.FALLOC_FL_KEEP_SIZE, offset, length);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == 95) {
                return false;
            }
            throw new IOException("fallocate(PUNCH_HOLE): errno " + e.getErrorCode(), e);
        }
    }

    /**
     * Splits [offset, offset + length) into data and hole extents, at most {@code max} of them (the
     * last one may then end before the range does).
     */
    List<Extent> extents(long offset, long length, int max) throws IOException {
        List<Extent> out = new ArrayList<>();
        long end = offset + length;
        long pos = offset;
        while (pos < end && out.size() < max) {
            long data = seek(pos, LinuxFiles.SEEK_DATA);
            if (data < 0 || data >= end) {
                out.add(new Extent(pos, end - pos, true));
                break;
            }
            if (data > pos) {
                out.add(new Extent(pos, data - pos, true));
                pos = data;
                continue;
            }
            long hole = seek(pos, LinuxFiles.SEEK_HOLE);
            long stop = hole < 0 ? end : Math.min(hole, end);
            out.add(new Extent(pos, stop - pos, false));
            pos = stop;
        }
        return out;
    }

    /** Bytes backed by data extents in [0, size). */
    long allocatedBytes(long size) throws IOException {
        long total = 0;
        long pos = 0;
        while (pos < size) {
            List<Extent> batch = extents(pos, size - pos, 1024);
            for (Extent e : batch) {
                if (!e.hole()) {
                    total += e.length();
                }
                pos = e.offset() + e.length();
            }
        }
        return total;
    }

    /** lseek that answers -1 for ENXIO (no data or hole at or after the offset). */
    private long seek(long pos, int whence) throws IOException {
        try {
            return LinuxFiles.libc().lseek(fd, pos, whence);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LinuxFiles.ENXIO) {
                return -1;
            }
            throw new IOException("lseek: errno " + e.getErrorCode(), e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            LinuxFiles.libc().close(fd);
        } catch (LastErrorException e) {
            throw new IOException("close: errno " + e.getErrorCode(), e);
        }
    }
}
