package org.silo.archive.transfer;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.silo.archive.transfer.TransferClient.Result;
import org.silo.wire.IoThreads;

/**
 * Reads the mover's answers on a write's data connection while the files are still being sent:
 * STORED (durable and recorded), NOT_STORED, DONE and ABORT ({@link DataChannel}, version 2). Each
 * answered file leaves {@code open}: a stored one is reported, one the mover refused for good (its
 * path is taken) fails, and one that may fare better on another try is put in {@code again}.
 */
final class PutAnswers {
    /** Told of each answered file: its result, or null when it is to be tried again. */
    interface Sink {
        void answered(PutItem it, Result r, boolean retry);
    }

    private final CallbackListener.Conn c;
    private final Map<Integer, PutItem> open;
    private final Sink sink;
    private final List<PutItem> again;
    private final long started = System.nanoTime();
    private Thread thread;
    private volatile boolean done;
    private volatile String abort;
    private volatile boolean finished;
    private long bytes;

    PutAnswers(CallbackListener.Conn c, Map<Integer, PutItem> open, Sink sink, List<PutItem> again) {
        this.c = c;
        this.open = open;
        this.sink = sink;
        this.again = again;
    }

    PutAnswers start() {
        thread = IoThreads.start("put-answers", this::run);
        return this;
    }

    /** The mover said DONE: every file it was sent is answered. */
    boolean done() {
        return done;
    }

    /** What the mover said when it stopped (ABORT), or null. */
    String abort() {
        return abort;
    }

    /** No more answers will come: DONE, ABORT, or the connection ended. */
    boolean finished() {
        return finished;
    }

    void join() {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops reading (the caller closes the connection, which ends the read). */
    void stop() {
        finished = true;
    }

    /** The sender could not even open this file: it was not sent, and fails with the reason. */
    void givenUp(int index, String reason) {
        PutItem it = open.remove(index);
        if (it != null) {
            sink.answered(it, it.failed(reason), false);
        }
    }

    private void run() {
        DataInputStream in = c.in();
        try {
            while (true) {
                int frame = in.readUnsignedByte();
                switch (frame) {
                    case DataChannel.STORED ->
                        stored(in.readInt(), in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF());
                    case DataChannel.NOT_STORED -> notStored(in.readInt(), in.readUTF());
                    case DataChannel.DONE -> {
                        done = true;
                        return;
                    }
                    case DataChannel.ABORT -> {
                        abort = in.readUTF();
                        return;
                    }
                    default -> throw new IOException("unknown frame " + frame + " from the mover");
                }
            }
        } catch (IOException e) {
            // the connection ended: the caller asks the catalog what became of the files not answered
        } finally {
            finished = true;
        }
    }

    private void stored(int index, String bfid, String volume, String cookie, String adler32, String hash) {
        PutItem it = open.remove(index);
        if (it == null) {
            return; // answered already (a mover of a restarted server may answer again)
        }
        Result r;
        if (it.localFailure != null) {
            r = it.failed(it.localFailure + " (yet the mover stored it as " + bfid + ")");
        } else if (!adler32.equals(it.adler)) {
            r = it.failed("CRC mismatch at client: " + it.src + " has adler32 " + it.adler + ", the mover recorded "
                    + adler32 + " (bfid " + bfid + ")");
        } else if (it.hash != null && !it.hash.equals(hash)) {
            r = it.failed("hash mismatch: the client computed " + it.hash + ", the mover "
                    + (hash.isEmpty() ? "none" : hash));
        } else {
            it.cookie = cookie;
            bytes += it.size;
            double seconds = (System.nanoTime() - started) / 1e9;
            r = new Result(
                    it.src.toString(),
                    it.dest,
                    it.size,
                    volume,
                    bfid,
                    adler32,
                    seconds <= 0 ? 0 : bytes / 1e6 / seconds,
                    it.attempts,
                    c.hello().mover(),
                    null,
                    hash.isEmpty() ? null : hash,
                    List.of());
        }
        sink.answered(it, r, false);
    }

    private void notStored(int index, String message) {
        PutItem it = open.remove(index);
        if (it == null) {
            return;
        }
        if (it.localFailure != null) {
            sink.answered(it, it.failed(it.localFailure), false);
        } else if (message.contains("already exists")
                || message.contains("no directory")
                || message.contains("is a file, not a directory")) {
            sink.answered(it, it.failed(message), false); // another try would meet the same
        } else {
            it.last = message;
            synchronized (again) {
                again.add(it);
            }
            sink.answered(it, null, true);
        }
    }
}
