package org.silo.files.server;

import java.nio.file.Path;
import org.silo.wire.SiloException;

/**
 * What the file service needs of the archive for FILESYSTEM names: where a file's bytes are, a copy of
 * one made by a mover (staging), and a new file archived by a mover. {@link ArchiveGateway} is the real
 * one, over the server's archive.
 */
public interface ArchivePaths {

    /**
     * An archived file. {@code localFile} is the file holding its bytes when its volume is a directory on
     * this host (read in place), or null when it must be staged.
     */
    record Located(
            String path,
            String bfid,
            long size,
            String adler32,
            String volume,
            long modifiedMs,
            Path localFile,
            long localOffset,
            String otherCopy) {
        /** Where the file's first byte is in {@code localFile}: 0 for a file of its own, the member's offset in a container. */
        public Located(
                String path, String bfid, long size, String adler32, String volume, long modifiedMs, Path localFile) {
            this(path, bfid, size, adler32, volume, modifiedMs, localFile, 0);
        }

        public Located(
                String path,
                String bfid,
                long size,
                String adler32,
                String volume,
                long modifiedMs,
                Path localFile,
                long localOffset) {
            this(path, bfid, size, adler32, volume, modifiedMs, localFile, localOffset, null);
        }

        /**
         * This is a copy's location, used because the file's first volume could not be read: {@code why} says
         * which and what was wrong (the warning OTHER_COPY of docs/files.md).
         */
        public Located fromCopy(String why) {
            return new Located(path, bfid, size, adler32, volume, modifiedMs, localFile, localOffset, why);
        }
    }

    /** A file archived on close: its bit file id, size and Adler-32 as the catalog recorded them. */
    record Stored(String path, String bfid, long size, String adler32) {}

    /** The canonical form of an archive path (rights are checked on it); INVALID if it is not one. */
    String canonical(String path) throws SiloException;

    /**
     * The file at {@code path}: NOT_FOUND if there is none, INVALID for a directory; PERMISSION for an
     * unreadable volume (IO for bytes missing from a directory volume) that holds no readable copy either.
     */
    Located locate(String path) throws SiloException;

    /** Whether anything (file or directory) is at {@code path}. */
    boolean exists(String path) throws SiloException;

    /** Makes directory {@code dir} and its parents if missing. */
    void mkdirs(String dir, String owner) throws SiloException;

    /** Copies the file at {@code path} into {@code dest} through a mover (checked against its Adler-32). */
    void stage(String path, Path dest) throws SiloException;

    /** Archives {@code src} as {@code path} through a mover; returns once it is stored. */
    Stored store(Path src, String path, String owner) throws SiloException;
}
