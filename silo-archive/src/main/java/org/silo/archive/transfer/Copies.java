package org.silo.archive.transfer;

import java.util.List;
import java.util.function.BiConsumer;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.transfer.TransferClient.Result;
import org.silo.wire.SiloException;

/**
 * A put with {@code --copies N}: the library manager queued the extra copies of each file (of each
 * container, for small files) when it recorded it; the put reports each file once its copies have landed,
 * with their volumes, or names those that did not.
 */
final class Copies {
    private Copies() {}

    static void awaitAndReport(
            LibraryClient lm,
            long job,
            TransferClient.Options options,
            List<PutItem> stored,
            BiConsumer<PutItem, Result> report) {
        long deadline = System.nanoTime() + options.waitForMover().toNanos();
        try {
            List<JobInfo> copies;
            while (true) {
                copies = lm.children(job);
                List<JobInfo> all = copies;
                boolean settled = stored.stream().allMatch(it -> mine(all, it).size() >= options.copies() - 1)
                        && copies.stream()
                                .noneMatch(c ->
                                        c.state().equals("queued") || c.state().equals("active"));
                if (settled || System.nanoTime() > deadline) {
                    break;
                }
                Thread.sleep(100);
            }
            for (PutItem it : stored) {
                Result r = it.stored;
                List<JobInfo> mine = mine(copies, it);
                List<String> vols = mine.stream()
                        .filter(c -> c.state().equals("done"))
                        .map(JobInfo::target)
                        .toList();
                List<String> bad = mine.stream()
                        .filter(c -> !c.state().equals("done"))
                        .map(c -> "copy job " + c.id() + " " + c.state() + (c.error() == null ? "" : ": " + c.error()))
                        .toList();
                int missing = options.copies() - 1 - vols.size() - bad.size();
                String error = bad.isEmpty() && missing <= 0
                        ? null
                        : "stored on " + r.volume() + " (" + r.bfid() + "), but "
                                + (bad.size() + Math.max(0, missing)) + " of " + (options.copies() - 1)
                                + " copies did not land"
                                + (bad.isEmpty() ? "" : ": " + String.join("; ", bad));
                report.accept(it, with(r, vols, error));
            }
        } catch (SiloException e) {
            stored.forEach(it -> report.accept(
                    it,
                    with(
                            it.stored,
                            List.of(),
                            "stored on " + it.stored.volume() + " (" + it.stored.bfid()
                                    + "), but its copies cannot be followed: " + e.getMessage())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stored.forEach(it -> report.accept(it, with(it.stored, List.of(), "interrupted while waiting for copies")));
        }
    }

    /**
     * The copy jobs of one stored file: those of its bfid, or, for a member of a container, those of its
     * container (a container is copied whole, one job for all its members).
     */
    private static List<JobInfo> mine(List<JobInfo> copies, PutItem it) {
        String cookie = it.cookie;
        return copies.stream()
                .filter(c -> it.stored.bfid().equals(c.bfid())
                        || (c.bfid() == null
                                && c.cookie() != null
                                && cookie != null
                                && cookie.startsWith(c.cookie() + "+")
                                && it.stored.volume().equals(c.volume())))
                .toList();
    }

    private static Result with(Result r, List<String> copies, String error) {
        return new Result(
                r.source(),
                r.dest(),
                r.size(),
                r.volume(),
                r.bfid(),
                r.adler32(),
                r.mbPerSecond(),
                r.attempts(),
                r.mover(),
                error,
                r.hash(),
                copies);
    }
}
