package org.silo.block.image;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three libc calls plain Java 21 lacks for sparse images: {@code fallocate(PUNCH_HOLE)} for NBD
 * TRIM and WRITE_ZEROES, and {@code lseek(SEEK_DATA/SEEK_HOLE)} for NBD BLOCK_STATUS and the
 * allocated size in {@code disk ls}. Loaded through JNA; when the library cannot be loaded (not
 * Linux, no JNA native part) {@link #available()} is false and callers fall back honestly: trim does
 * nothing and every byte is reported as data.
 */
final class LinuxFiles {
    private static final Logger LOG = LoggerFactory.getLogger(LinuxFiles.class);

    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_NOFOLLOW = 0x20000;
    static final int O_CLOEXEC = 0x80000;
    static final int SEEK_DATA = 3;
    static final int SEEK_HOLE = 4;
    static final int FALLOC_FL_KEEP_SIZE = 1;
    static final int FALLOC_FL_PUNCH_HOLE = 2;
    static final int ENXIO = 6;

    /** The libc entry points, mapped by JNA. */
    interface LibC extends Library {
        int open(String path, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        long lseek(int fd, long offset, int whence) throws LastErrorException;

        int fallocate(int fd, int mode, long offset, long len) throws LastErrorException;
    }

    private static final LibC LIBC = load();

    private LinuxFiles() {}

    private static LibC load() {
        if (!System.getProperty("os.name", "")
                .toLowerCase(java.util.Locale.ROOT)
                .contains("linux")) {
            return null;
        }
        try {
            return Native.load("c", LibC.class);
        } catch (Throwable e) {
            LOG.warn(
                    "libc not loadable through JNA; TRIM will not punch holes and BLOCK_STATUS reports"
                            + " all data: {}",
                    e.toString());
            return null;
        }
    }

    static boolean available() {
        return LIBC != null;
    }

    static LibC libc() {
        return LIBC;
    }
}
