package org.silo.archive.transfer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.silo.archive.transfer.TransferClient.Result;

/**
 * One file of a put and what is known of it so far. The sender and the reader of the mover's answers
 * both look at it, hence the volatile fields.
 */
final class PutItem {
    /** Its place in the caller's list. */
    final int at;

    final Path src;
    final String dest;
    /** Its size when the put began; -1 when it could not be read (then {@link #last} says why). */
    final long size;
    /** Tries made, as shown to the user; and those that count against --max-retry. */
    int attempts;

    int counted;
    /** Times sent again because the volume it went to filled up. */
    int resends;

    volatile String last;
    /** Its Adler-32 and content hash as sent whole (null before). */
    volatile String adler;

    volatile String hash;
    /** Why the sender gave it up (it could not be read, or changed while read): no mover is to blame. */
    volatile String localFailure;
    /** Where the mover stored it (a container member's cookie names its container), once STORED. */
    volatile String cookie;
    /** Stored, waiting for its copies before it is reported. */
    volatile Result stored;

    volatile Result result;

    PutItem(int at, Path src, String dest) {
        this.at = at;
        this.src = src;
        this.dest = dest;
        long s;
        try {
            s = Files.size(src);
        } catch (IOException e) {
            s = -1;
            last = "cannot read " + src + ": " + e;
        }
        this.size = s;
    }

    void tried() {
        attempts++;
        counted++;
    }

    /** The try just made does not count (the server restarted, the volume filled up). */
    void untried() {
        attempts--;
        counted--;
    }

    Result failed(String error) {
        return TransferClient.failed(src.toString(), dest, Math.max(0, size), attempts, error);
    }
}
