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
 * same seven (or more) digits. A member of a container adds its range: {@link #memberCookie}, and
 * {@link #open} of such a cookie reads only that range (a positioned read, a ranged GET).
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

    /**
     * A new file of the volume, written by the caller as a stream (a container of small files, whose
     * length is not known in advance): its file number is reserved now; its bytes count only once
     * {@link #commit} has returned; closing it uncommitted removes them.
     */
    interface NewFile extends AutoCloseable {
        /** Where the bytes go (buffered). */
        java.io.OutputStream out();

        /** The cookie the file has once committed. */
        String cookie();

        /**
         * Cuts what was written back to its first {@code position} bytes, and goes on writing there (a
         * container member the client gave up, or whose checksum was wrong, is taken out again).
         */
        void rewind(long position) throws java.io.IOException;

        /**
         * Makes every byte written durable (fsync, or the store's acknowledgement), runs {@code check},
         * then gives the file its name; a failure leaves no file.
         */
        void commit(BeforeCommit check) throws SiloException;

        /** Removes the bytes unless committed. */
        @Override
        void close();
    }

    /**
     * A writer was bound to the volume in the catalog: the files it writes take numbers from {@code nextFile}
     * on at least (the catalog's {@code next_file}, raised with each file recorded by any server), so that
     * a count this process kept from an earlier writing of the volume does not fall below files another
     * server's mover wrote since. 0: not known.
     */
    default void startWriter(long nextFile) {}

    /** Starts a new file (see {@link NewFile}). */
    NewFile create() throws SiloException;

    /** Opens the file at {@code cookie} (only its range, for a member's cookie); NOT_FOUND if there is none. */
    InputStream open(String cookie) throws SiloException;

    /**
     * Removes the bytes of the file at {@code cookie} for good (a container a repack emptied): an empty
     * file takes its place, so that its number is never given to another file (the next number is the
     * highest on the volume plus one, also after a restart). A file that is not there is not an error.
     * Durable when it returns; a reader that has the file open still reads the old bytes (dir: the empty
     * file is renamed over it).
     */
    default void delete(String cookie) throws SiloException {
        throw SiloException.of(org.silo.wire.ErrorCode.IO, uri() + " cannot remove files");
    }

    /**
     * What unfinished writes left on the volume: bytes of a file a writer started and never named, because
     * it stopped (killed, its host down) between starting the file and committing it. They are never a file
     * of the archive (only a named file can be recorded); fsck warns of them and a writer binding the volume
     * removes them ({@link #removeLeftovers}). A backend whose files appear whole or not at all (S3: one
     * PutObject) has none.
     */
    default java.util.List<Leftover> leftovers() throws SiloException {
        return java.util.List.of();
    }

    /**
     * Removes the {@link #leftovers} but those this process is writing now, and returns them. Called where
     * the catalog has made the caller the volume's only writer, so any other writer that left them has
     * stopped, or has lost the volume and can no longer name a file on it: removing its bytes makes its
     * commit fail, which is what a writer that lost its volume must see.
     */
    default java.util.List<Leftover> removeLeftovers() throws SiloException {
        return java.util.List.of();
    }

    /** Bytes an unfinished write left: their name on the volume and their size. */
    record Leftover(String name, long bytes) {}

    /** The numbers of the files the volume holds (named ones: not those still being written), for fsck. */
    default java.util.List<Long> fileNumbers() throws SiloException {
        throw SiloException.of(org.silo.wire.ErrorCode.IO, uri() + " cannot list its files");
    }

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

    /**
     * The cookie of a container's member: the container's cookie, {@code +}, the offset of the member's
     * first data byte, {@code +}, its length ({@code 0000_000000000_0000042+1536+4096}), so that the
     * cookie alone still says where to read (docs/archive.md, "Containers").
     */
    static String memberCookie(String container, long offset, long length) {
        return container + "+" + offset + "+" + length;
    }

    /** Where a cookie points: a whole file ({@code length} -1) or a range of one (a container's member). */
    record Location(long fileNumber, long offset, long length) {
        public boolean whole() {
            return length < 0;
        }

        /** The cookie of the whole file the location is in (the container's, for a member). */
        public String fileCookie() {
            return cookie(fileNumber);
        }
    }

    static Location location(String cookie) throws SiloException {
        if (cookie == null || !cookie.matches("0000_000000000_[0-9]{7,18}(\\+[0-9]{1,18}\\+[0-9]{1,18})?")) {
            throw SiloException.invalid(
                    "bad location cookie '" + cookie + "': expected 0000_000000000_NNNNNNN[+OFFSET+LENGTH]");
        }
        String[] p = cookie.split("\\+");
        long n = Long.parseLong(p[0].substring(15));
        return p.length == 1 ? new Location(n, 0, -1) : new Location(n, Long.parseLong(p[1]), Long.parseLong(p[2]));
    }

    /** The file number of a cookie (a member's: its container's). */
    static long fileNumber(String cookie) throws SiloException {
        return location(cookie).fileNumber();
    }

    /**
     * An I/O failure as a SiloException: {@code NO_SPACE} if the storage is full (ENOSPC, "No space left
     * on device", or EDQUOT, "Disk quota exceeded", anywhere in the cause chain), so that the mover marks
     * the volume full instead of counting an error against it; {@code IO} otherwise.
     */
    static SiloException io(String what, IOException e) {
        if (isNoSpace(e)) {
            return SiloException.of(org.silo.wire.ErrorCode.NO_SPACE, what + ": " + e.getMessage(), e);
        }
        return SiloException.of(org.silo.wire.ErrorCode.IO, what + ": " + e, e);
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
