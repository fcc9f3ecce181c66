package org.silo.archive.volume;

import java.io.IOException;
import java.io.InputStream;
import org.silo.wire.SiloException;

/**
 * Where a volume's bytes live. Files are appended in order; each gets a location cookie, and the cookie
 * with the volume's backend is all that is needed to read it back. A file counts only once
 * {@link #append} has returned: its bytes are then durable (fsynced, or acknowledged by the store).
 *
 * <p>Cookie format (both backends): {@code 0000_000000000_NNNNNNN}, Enstore's
 * partition_block_file layout, where the file number {@code NNNNNNN} starts at 1 and grows by one
 * with each append. The backend stores file number {@code n} as the object or file named by the
 * same seven (or more) digits.
 */
public interface Backend extends AutoCloseable {

    /** Appends {@code data} as the next file of the volume and returns its cookie once it is durable. */
    String append(byte[] data) throws SiloException;

    /** Called once every byte of a streamed append is durable, before the file becomes visible. */
    @FunctionalInterface
    interface BeforeCommit {
        /** Throwing aborts the append: the file does not appear and the bytes are removed. */
        void check() throws SiloException;
    }

    /**
     * Appends exactly {@code size} bytes read from {@code in} as the next file of the volume and returns its
     * cookie once it is durable. {@code beforeCommit} runs after the bytes are on stable storage and
     * before the file takes its name (dir) or is kept (S3); an end of stream before {@code size} bytes, an
     * I/O error or a refusal by {@code beforeCommit} leaves no file.
     */
    String append(InputStream in, long size, BeforeCommit beforeCommit) throws SiloException;

    /** Opens the file at {@code cookie}; NOT_FOUND if there is none. */
    InputStream open(String cookie) throws SiloException;

    /** Whether the backend can be written and read now (a removable disk may be absent). */
    void check() throws SiloException;

    /** The backend's URI as written in the catalog. */
    String uri();

    /**
     * The bytes the volume's storage can take now (a dir volume: its file system's usable space), or -1
     * if the backend cannot tell (S3). A mover compares it with a file's size before it asks the client
     * for the bytes, and reports it as the volume's real remaining bytes when the volume fills up.
     */
    default long freeBytes() {
        return -1;
    }

    @Override
    default void close() {}

    static String cookie(long fileNumber) {
        return String.format("0000_000000000_%07d", fileNumber);
    }

    static long fileNumber(String cookie) throws SiloException {
        if (cookie == null || !cookie.matches("0000_000000000_[0-9]{7,18}")) {
            throw SiloException.invalid("bad location cookie '" + cookie + "': expected 0000_000000000_NNNNNNN");
        }
        return Long.parseLong(cookie.substring(15));
    }

    /**
     * An I/O failure as a SiloException: {@code NO_SPACE} if the storage is full (ENOSPC, "No space left
     * on device", or EDQUOT, "Disk quota exceeded", anywhere in the cause chain), so that the mover marks
     * the volume full instead of counting an error against it; {@code IO} otherwise.
     */
    static SiloException io(String what, IOException e) {
        if (isNoSpace(e)) {
            return new SiloException(org.silo.wire.ErrorCode.NO_SPACE, what + ": " + e.getMessage(), e);
        }
        return new SiloException(org.silo.wire.ErrorCode.IO, what + ": " + e, e);
    }

    /** Whether the failure is the storage being full (the JDK gives ENOSPC and EDQUOT as their strerror texts). */
    static boolean isNoSpace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage(); // a FileSystemException's says "file: reason"
            if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }
}
