package org.silo.archive.ops;

import java.util.List;

/** Request and reply records of the file clerk and the namespace (CBOR on the wire). */
public final class FileMessages {
    private FileMessages() {}

    /**
     * new_bit_file: a file the mover has written. {@code clientRequest} names the client's request: a
     * repeat with the same name returns the first bfid instead of making another (idempotent).
     */
    public record NewBitFile(
            String clientRequest,
            String volume,
            String cookie,
            long size,
            String adler32,
            String path,
            String owner,
            String hash) {
        /** A file put without a content hash. */
        public NewBitFile(
                String clientRequest,
                String volume,
                String cookie,
                long size,
                String adler32,
                String path,
                String owner) {
            this(clientRequest, volume, cookie, size, adler32, path, owner, null);
        }
    }

    /** A bit file record. {@code state} is active or deleted. */
    public record BitFileInfo(
            String bfid,
            String volume,
            String cookie,
            long size,
            String adler32,
            String path,
            String owner,
            String state,
            long createdMs,
            long updatedMs) {}

    public record BitFileList(List<BitFileInfo> files) {}

    public record DelBfid(String bfid, String by) {}

    /** edit_bfid: every non-null field is changed. */
    public record EditBfid(String bfid, String owner, String state) {}

    /** write_file: the server writes the bytes to a volume (as a mover would) and records them. */
    public record WriteFile(
            String clientRequest,
            String path,
            byte[] data,
            String library,
            String storageGroup,
            String fileFamily,
            String owner) {}

    public record FsckProblem(String bfid, String path, String volume, String cookie, String problem) {}

    /**
     * fsck: bit files checked (every copy of every file), one line per bit file whose bytes are missing or
     * differ, warnings: files on a volume that no record names (an orphan container), which are not
     * counted, good or bad; and {@code files}: how many files those copies are of ("9 files
     * checked" had counted the copies as files).
     */
    public record FsckReport(long checked, long bytes, List<FsckProblem> problems, List<String> warnings, long files) {
        public FsckReport(long checked, long bytes, List<FsckProblem> problems) {
            this(checked, bytes, problems, List.of(), checked);
        }
    }

    /**
     * reclaim: what was freed on volumes no writer holds ({@code freed}: one line per part file removed or
     * orphan emptied, with its bytes), how many bytes in all, and the volumes left alone because a writer
     * holds them ({@code skipped}, with why).
     */
    public record ReclaimReport(List<String> freed, long bytes, List<String> skipped) {}

    /**
     * A namespace entry; the bit file fields are set for files only. {@code copies}: every volume that
     * holds the file, {@code volume} (the first written) first, then each copy's (put --copies, job copy);
     * stat fills it, ls leaves it out (null, not in the JSON or CBOR) to list a directory in one query.
     */
    public record NsEntry(
            String path,
            String name,
            String kind,
            String owner,
            long createdMs,
            long modifiedMs,
            String bfid,
            long size,
            String adler32,
            String volume,

            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            List<String> copies) {
        public NsEntry(
                String path,
                String name,
                String kind,
                String owner,
                long createdMs,
                long modifiedMs,
                String bfid,
                long size,
                String adler32,
                String volume) {
            this(path, name, kind, owner, createdMs, modifiedMs, bfid, size, adler32, volume, null);
        }
    }

    /**
     * ls's reply. {@code next} is the cursor for the following page (the last name of this one) when the
     * directory holds more after it, else null; null is left out of the CBOR, so a whole listing is
     * encoded exactly as before paging existed.
     */
    public record NsList(
            String path,
            List<NsEntry> entries,

            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            String next) {
        public NsList(String path, List<NsEntry> entries) {
            this(path, entries, null);
        }
    }

    /**
     * ls's request: the entries of directory {@code path} whose names come after {@code after} (null:
     * from the first) in the catalog's order of names, at most {@code limit} of them (0: all; the server
     * caps a page at {@link #MAX_PAGE}).
     */
    public record Ls(String path, String after, int limit) {
        /** The whole directory (what a request of the path alone asks). */
        public Ls(String path) {
            this(path, null, 0);
        }
    }

    /** The most entries one ls page holds; a client asking for more gets this many and a cursor. */
    public static final int MAX_PAGE = 10_000;

    public record Mkdir(String path, boolean parents, String owner) {}

    public record Mv(String from, String to) {}

    public record Rm(String path, String by) {}
}
