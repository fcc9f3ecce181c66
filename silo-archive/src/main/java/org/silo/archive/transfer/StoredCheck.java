package org.silo.archive.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.silo.archive.ops.FileMessages.NsEntry;
import org.silo.archive.ops.LibraryMessages.FileState;
import org.silo.archive.transfer.TransferClient.Result;
import org.silo.archive.volume.Checksums;
import org.silo.wire.NotFoundException;
import org.silo.wire.SiloException;

/** Comparing a local file with what the archive holds: for {@code --skip-existing}, and for a record whose answer was lost. */
final class StoredCheck {
    private StoredCheck() {}

    /**
     * {@code --skip-existing}: null if nothing is stored at {@code dest}; otherwise the file is skipped
     * when the stored one has the same size and Adler-32, and fails naming the difference when not.
     */
    static Result stored(LibraryClient lm, Path src, String dest, long size, TransferClient t) {
        String source = src.toString();
        NsEntry e;
        try {
            e = lm.stat(dest);
        } catch (NotFoundException x) {
            return null;
        } catch (SiloException x) {
            return TransferClient.failed(source, dest, size, 0, x.getMessage());
        }
        if (!"file".equals(e.kind())) {
            return TransferClient.failed(source, dest, size, 0, dest + " already exists and is a directory");
        }
        if (e.size() != size) {
            return TransferClient.failed(
                    source,
                    dest,
                    size,
                    0,
                    dest + " already exists and differs: " + e.size() + " bytes in the archive, " + size + " in "
                            + src);
        }
        String ours;
        try (InputStream in = Files.newInputStream(src)) {
            ours = Checksums.adler32(in, new long[1]);
        } catch (IOException x) {
            return TransferClient.failed(source, dest, size, 0, "cannot read " + src + ": " + x.getMessage());
        }
        if (!ours.equals(e.adler32())) {
            return TransferClient.failed(
                    source,
                    dest,
                    size,
                    0,
                    dest + " already exists and differs: adler32 " + e.adler32() + " in the archive, " + ours + " in "
                            + src + " (both " + size + " bytes)");
        }
        t.bytesDone.addAndGet(size);
        return new Result(source, dest, size, e.volume(), e.bfid(), ours, 0, 0, null, null, null, List.of(), true);
    }

    /**
     * A file recorded though its answer never came (the server or the mover went away between recording it
     * and telling this client): reported from the record once the local file's size and Adler-32 (and
     * hash) are found equal to it.
     */
    static Result landed(PutItem it, FileState s, TransferClient t) {
        String[] sums;
        try {
            sums = BatchPut.sums(it.src, hashAlg(t));
        } catch (IOException e) {
            return it.failed(
                    "stored as " + s.bfid() + ", but " + it.src + " cannot be read to check it: " + e.getMessage());
        }
        if (s.size() != it.size || !sums[0].equals(s.adler32())) {
            return it.failed("CRC mismatch at client: " + it.src + " has " + it.size + " bytes with adler32 " + sums[0]
                    + ", the record has " + s.size() + " with " + s.adler32() + " (" + s.bfid() + ")");
        }
        return new Result(
                it.src.toString(),
                it.dest,
                it.size,
                s.volume(),
                s.bfid(),
                sums[0],
                0,
                it.attempts,
                null,
                null,
                sums[1],
                List.of());
    }

    private static String hashAlg(TransferClient t) {
        try {
            return org.silo.archive.volume.ContentHash.algorithm(t.options().hash());
        } catch (SiloException e) {
            return null;
        }
    }
}
