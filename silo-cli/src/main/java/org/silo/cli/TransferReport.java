package org.silo.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.PrintStream;
import org.silo.archive.transfer.TransferClient.Result;

/**
 * What put and get print: one line per file as soon as the file is done, flushed, so that a command that
 * is killed has said what it finished; a failure on standard error as it happens; and a summary at the
 * end, with the exit status (0 when every file was stored or skipped, 1 otherwise).
 *
 * <pre>
 *         SIZE  VOLUME    BFID                 ADLER32       MB/S  MOVER     PATH
 *         5000  DEF001    B177081938412300001  8c3a01f2     120.3  mover1    a.dat -> /exp/a.dat
 * skipped  b.dat -> /exp/b.dat: stored already with the same size and Adler-32 (6000 bytes, adler32 ..., B..., DEF001)
 * </pre>
 *
 * With {@code --json}, each file is one JSON object on a line of its own (JSON Lines).
 */
final class TransferReport {
    private final boolean json;
    private final boolean extra;
    private final boolean rows;
    private final PrintStream out;
    private final PrintStream err;
    private final SizeOption sizes;
    private boolean header;
    private int total;
    private int failed;
    private int skipped;
    private int existing;

    /**
     * @param extra with the COPIES and HASH columns
     * @param rows  print the files that worked (false for a get to standard output, where only the bytes go)
     */
    TransferReport(boolean json, boolean extra, boolean rows, SizeOption sizes) {
        this.sizes = sizes;
        this.json = json;
        this.extra = extra;
        this.rows = rows;
        this.out = System.out;
        this.err = System.err;
    }

    /** One file's outcome, printed at once; called from the transfers' threads. */
    synchronized void accept(Result r) {
        total++;
        if (!r.ok()) {
            failed++;
            if (r.error().endsWith(" already exists")) {
                existing++;
            }
            String tries =
                    r.attempts() == 0 ? "" : " after " + r.attempts() + " attempt" + (r.attempts() == 1 ? "" : "s");
            err.printf("silo: %s -> %s failed%s: %s%n", r.source(), r.dest(), tries, r.error());
            err.flush();
        } else if (r.skipped()) {
            skipped++;
        }
        if (json) {
            if (rows || !r.ok()) {
                try {
                    out.println(Json.line(r));
                } catch (JsonProcessingException e) {
                    err.println("silo: cannot print " + r.dest() + " as JSON: " + e.getMessage());
                }
                out.flush();
            }
            return;
        }
        if (!rows || !r.ok()) {
            return;
        }
        if (r.skipped()) {
            out.printf(
                    "skipped  %s -> %s: stored already with the same size and Adler-32 (%s, adler32 %s, %s, %s)%n",
                    r.source(),
                    r.dest(),
                    sizes.bytes ? r.size() + " bytes" : sizes.show(r.size()),
                    r.adler32(),
                    r.bfid(),
                    r.volume());
            out.flush();
            return;
        }
        if (!header) {
            header = true;
            out.println(
                    extra
                            ? String.format(
                                    "%12s  %-8s  %-19s  %-8s  %8s  %-8s  %-17s  %-8s  %s",
                                    "SIZE", "VOLUME", "BFID", "ADLER32", "MB/S", "MOVER", "COPIES", "HASH", "PATH")
                            : String.format(
                                    "%12s  %-8s  %-19s  %-8s  %8s  %-8s  %s",
                                    "SIZE", "VOLUME", "BFID", "ADLER32", "MB/S", "MOVER", "PATH"));
        }
        String path = r.source() + " -> " + r.dest();
        String rate = String.format("%.1f", r.mbPerSecond());
        out.println(
                extra
                        ? String.format(
                                "%12s  %-8s  %-19s  %-8s  %8s  %-8s  %-17s  %-8s  %s",
                                sizes.show(r.size()),
                                r.volume(),
                                r.bfid(),
                                r.adler32(),
                                rate,
                                r.mover(),
                                r.copies().isEmpty() ? "-" : String.join(",", r.copies()),
                                r.hash() == null ? "-" : r.hash(),
                                path)
                        : String.format(
                                "%12s  %-8s  %-19s  %-8s  %8s  %-8s  %s",
                                sizes.show(r.size()), r.volume(), r.bfid(), r.adler32(), rate, r.mover(), path));
        out.flush();
    }

    /** Says how it went on standard error (when anything was skipped or failed) and returns the exit status. */
    synchronized int finish(boolean canSkip) {
        if (skipped > 0) {
            err.printf(
                    "silo: %d of %d files stored already with the same size and Adler-32: skipped%n", skipped, total);
        }
        if (failed == 0) {
            return 0;
        }
        err.printf("silo: %d of %d files failed%n", failed, total);
        if (existing > 0 && canSkip) {
            err.printf(
                    "silo: %d of them exist already in the archive; run the same command with --skip-existing to skip those"
                            + " stored with the same size and Adler-32%n",
                    existing);
        }
        return Failures.FAILED;
    }
}
