package org.silo.archive.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.zip.Adler32;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.FileSpec;
import org.silo.archive.ops.LibraryMessages.FileState;
import org.silo.archive.ops.LibraryMessages.FilesQueued;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.Refused;
import org.silo.archive.ops.LibraryMessages.WriteFiles;
import org.silo.archive.transfer.TransferClient.Result;
import org.silo.archive.volume.Checksums;
import org.silo.archive.volume.ContentHash;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * One batch of a put: its files queued as one write_files request, sent over the one data connection
 * the mover that takes it opens (pipelined: the next file goes while the last is being stored), and
 * reported one by one as the mover answers that each is durable and recorded (docs/archive.md,
 * "Batches"). What fails is tried again in a new request, up to {@code --max-retry} times per file,
 * avoiding the movers that failed it; a server that restarts is waited for on the same request; a
 * file whose record exists though its answer was lost is reported from the record once the local file
 * is found equal to it.
 */
final class BatchPut {
    private final TransferClient t;
    private final LibraryClient lm;
    private final TransferClient.Options options;
    private final CallbackListener listener;
    private final java.util.function.ObjIntConsumer<Result> each;

    BatchPut(TransferClient t, java.util.function.ObjIntConsumer<Result> each) {
        this.t = t;
        this.lm = t.lm();
        this.options = t.options();
        this.listener = t.listener();
        this.each = each;
    }

    /** Puts every item, telling {@code each} of each file's result as soon as it is known. */
    void run(List<PutItem> items) {
        String alg;
        try {
            alg = ContentHash.algorithm(options.hash());
        } catch (SiloException e) {
            items.forEach(it -> finish(it, it.failed(e.getMessage())));
            return;
        }
        List<PutItem> pending = new ArrayList<>();
        for (PutItem it : items) {
            if (it.size < 0) {
                finish(it, it.failed(it.last));
            } else {
                t.bytesTotal.addAndGet(it.size);
                pending.add(it);
            }
        }
        List<String> avoid = new ArrayList<>();
        while (!pending.isEmpty()) {
            pending.forEach(PutItem::tried);
            List<PutItem> again = new ArrayList<>();
            for (PutItem it : attempt(pending, alg, avoid)) {
                if (it.counted > options.maxRetry()) {
                    finish(it, it.failed(it.last));
                } else {
                    again.add(it);
                }
            }
            pending = again;
        }
    }

    /** One write_files request for {@code batch}; returns the files to try again in another. */
    private List<PutItem> attempt(List<PutItem> batch, String alg, List<String> avoid) {
        CallbackListener.Expected e = listener.expect();
        List<FileSpec> specs =
                batch.stream().map(it -> new FileSpec(it.dest, it.size)).toList();
        FilesQueued q;
        try {
            q = lm.writeFiles(new WriteFiles(
                    options.library(),
                    options.storageGroup(),
                    options.fileFamily(),
                    options.priority(),
                    options.verify(),
                    listener.callback(),
                    e.token(),
                    options.owner(),
                    List.copyOf(avoid),
                    Math.max(1, options.copies()),
                    alg,
                    specs));
        } catch (SiloException x) {
            listener.forget(e);
            batch.forEach(it -> finish(it, it.failed(x.getMessage())));
            return List.of();
        }
        Map<Integer, PutItem> open = new ConcurrentHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            open.put(i, batch.get(i));
        }
        for (Refused r : q.refused()) {
            PutItem it = open.remove(r.index());
            if (it != null) {
                finish(it, refused(it, r));
            }
        }
        if (q.jobs().isEmpty() || open.isEmpty()) {
            listener.forget(e);
            return List.of();
        }
        return stream(e, q.jobs().get(0), open, alg, avoid);
    }

    /** A file the request did not take: stored already (then perhaps skipped), or refused for good. */
    private Result refused(PutItem it, Refused r) {
        if (options.skipExisting() && ErrorCode.EXISTS.name().equals(r.code())) {
            Result stored = StoredCheck.stored(lm, it.src, it.dest, it.size, t);
            if (stored != null) {
                return stored;
            }
        }
        return it.failed(r.error());
    }

    /**
     * Sends the open files to the mover of {@code job} and takes its answers; on a broken connection
     * asks the catalog what became of each file not answered. Returns the files to try again.
     */
    private List<PutItem> stream(
            CallbackListener.Expected expected,
            JobInfo job,
            Map<Integer, PutItem> open,
            String alg,
            List<String> avoid) {
        CallbackListener.Expected e = expected;
        long session = lm.session();
        List<PutItem> again = new ArrayList<>();
        Map<Integer, PutItem> all = new HashMap<>(open);
        while (true) {
            CallbackListener.Conn c = null;
            PutAnswers answers = null;
            String why;
            try {
                c = listener.await(e, job.id(), options.waitForMover(), lm, t.notes());
                answers = new PutAnswers(c, open, this::answered, again).start();
                new PutSender(c, t, alg, answers).send(open);
                answers.join();
                if (answers.done() && open.isEmpty()) {
                    listener.forget(e);
                    afterWrite(job, all);
                    return again;
                }
                why = answers.abort() != null
                        ? answers.abort()
                        : "the mover " + c.hello().mover() + " ended the connection";
            } catch (SiloException | IOException | TimeoutException x) {
                why = x instanceof IOException && c != null
                        ? "data connection with mover " + c.hello().mover() + " failed: " + x.getMessage()
                        : x.getMessage();
            } finally {
                if (c != null) {
                    c.close(); // ends the answers' read, if it still waits
                }
                if (answers != null) {
                    answers.join();
                }
            }
            if (answers != null && answers.abort() != null) {
                why = answers.abort(); // the mover said why it stopped: that, not the broken pipe it left
            }
            // the connection broke, or the mover stopped: what does the catalog say of the files not answered?
            if (c != null) {
                e = e.again(job.id()); // a mover of a restarted server may bring the same request again
            }
            JobInfo now = t.settle(job.id());
            landed(job, open, now);
            if (open.isEmpty()) {
                listener.forget(e);
                afterWrite(job, all);
                return again;
            }
            if (TransferClient.stopped(now)) {
                listener.forget(e);
                String stop = "job " + job.id() + " was " + ("killed".equals(now.error()) ? "killed" : now.error())
                        + " (" + why + ")";
                open.values().forEach(it -> finish(it, it.failed(stop)));
                return again;
            }
            if (c != null && TransferClient.handedOn(now, c.hello().mover())) {
                continue; // the library manager gave the request to another mover (this one hung): it comes to the same
                // token
            }
            boolean restarted = lm.session() != session;
            if (restarted && c != null && TransferClient.live(now)) {
                session = lm.session(); // the restarted server holds the request: wait for its mover, on the same token
                continue;
            }
            String failure = now != null && now.state().equals("failed") ? now.error() : null;
            if (failure != null && failure.startsWith(LibraryMessages.NO_SPACE)) {
                t.giveUp(e, job.id());
                open.values().forEach(it -> finish(it, it.failed("job " + job.id() + " failed: " + failure)));
                return again;
            }
            boolean resend = failure != null && failure.startsWith(LibraryMessages.RESEND);
            if (resend) {
                // the volume filled up under the files and is full now: they go to another volume, no one is to blame
                open.values().forEach(it -> t.notes().accept(it.dest + " " + failure));
            } else if (c != null
                    && !restarted
                    && (failure == null || !failure.startsWith(LibraryMessages.VOLUME_FAULT))) {
                avoid.add(c.hello().mover()); // a volume's fault is not its mover's: that volume is readonly now
            }
            t.giveUp(e, job.id());
            for (PutItem it : open.values()) {
                it.last = resend ? failure : why;
                if (restarted || (resend && it.resends++ < TransferClient.MAX_RESENDS)) {
                    it.untried(); // costs no retry: the server restarted, or the volume filled up
                }
                again.add(it);
            }
            return again;
        }
    }

    /** A file the mover answered for: stored, or not (then it is finished, or tried again). */
    private void answered(PutItem it, Result r, boolean retry) {
        if (r != null) {
            if (r.ok() && options.copies() > 1) {
                it.stored = r; // reported once its copies have landed (afterWrite)
            } else {
                finish(it, r);
            }
        }
    }

    /** Files of the request recorded though their answers were lost: reported from the record, once checked here. */
    private void landed(JobInfo job, Map<Integer, PutItem> open, JobInfo now) {
        if (now == null || open.isEmpty()) {
            return;
        }
        List<FileState> states;
        try {
            states = lm.jobFiles(job.id());
        } catch (SiloException x) {
            return;
        }
        for (FileState s : states) {
            PutItem it = s.state().equals("done") ? open.remove(s.index()) : null;
            if (it != null) {
                Result r = StoredCheck.landed(it, s, t);
                answered(it, r, false);
            }
        }
    }

    /** With copies: each stored file is reported once the copies of the request have landed (or failed). */
    private void afterWrite(JobInfo job, Map<Integer, PutItem> items) {
        if (options.copies() <= 1) {
            return;
        }
        List<PutItem> stored = items.values().stream()
                .filter(it -> it.stored != null)
                .sorted(Comparator.comparingInt(it -> it.at))
                .toList();
        if (stored.isEmpty()) {
            return;
        }
        Copies.awaitAndReport(lm, job.id(), options, stored, this::finish);
    }

    private void finish(PutItem it, Result r) {
        it.result = r;
        each.accept(r, it.at);
    }

    /** The local file's Adler-32 and content hash, read again (a record whose answer was lost is checked against it). */
    static String[] sums(Path src, String alg) throws IOException {
        Adler32 sum = new Adler32();
        MessageDigest md = alg == null ? null : ContentHash.digest(alg);
        try (InputStream in = Files.newInputStream(src)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) >= 0; ) {
                sum.update(buf, 0, r);
                if (md != null) {
                    md.update(buf, 0, r);
                }
            }
        }
        return new String[] {Checksums.hex(sum.getValue()), md == null ? null : ContentHash.format(alg, md.digest())};
    }
}
