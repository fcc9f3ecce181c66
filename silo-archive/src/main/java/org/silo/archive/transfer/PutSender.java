package org.silo.archive.transfer;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.Adler32;
import org.silo.archive.volume.Checksums;
import org.silo.archive.volume.ContentHash;

/**
 * Sends the files of a write request over its data connection, one FILE frame after another without
 * waiting for answers, then END ({@link DataChannel}, version 2). A file that cannot be read, or that
 * shrinks or grows while it is read, is given up: the frame is completed with zeros (its length was
 * promised) and ends GIVEN_UP, so that the mover keeps nothing of it, and the file fails here with the
 * reason, not tried again (no mover is to blame).
 */
final class PutSender {
    private final CallbackListener.Conn c;
    private final TransferClient t;
    private final String alg;
    private final PutAnswers answers;

    PutSender(CallbackListener.Conn c, TransferClient t, String alg, PutAnswers answers) {
        this.c = c;
        this.t = t;
        this.alg = alg;
        this.answers = answers;
    }

    /** Sends every file still open (by index), then END; stops early when the mover has stopped. */
    void send(Map<Integer, PutItem> open) throws IOException {
        DataOutputStream out = c.out();
        List<Integer> order = new ArrayList<>(open.keySet());
        order.sort(null);
        byte[] buf = new byte[DataChannel.BUFFER];
        for (int index : order) {
            if (answers.finished()) {
                return; // the mover stopped (ABORT) or the connection broke: the caller asks what became of the rest
            }
            PutItem it = open.get(index);
            if (it == null) {
                continue;
            }
            InputStream in;
            try {
                in = Files.newInputStream(it.src);
            } catch (IOException e) {
                answers.givenUp(index, "cannot read " + it.src + ": " + e);
                continue;
            }
            out.writeByte(DataChannel.FILE);
            out.writeInt(index);
            out.writeLong(it.size);
            Adler32 sum = new Adler32();
            MessageDigest md = alg == null ? null : ContentHash.digest(alg);
            long left = it.size;
            String problem = null;
            try (in) {
                while (left > 0) {
                    int r;
                    try {
                        r = in.read(buf, 0, (int) Math.min(buf.length, left));
                    } catch (IOException e) {
                        problem = "cannot read " + it.src + ": " + e;
                        break;
                    }
                    if (r < 0) {
                        problem = it.src + " shrank while it was being sent (" + (it.size - left) + " of " + it.size
                                + " bytes)";
                        break;
                    }
                    sum.update(buf, 0, r);
                    if (md != null) {
                        md.update(buf, 0, r);
                    }
                    out.write(buf, 0, r);
                    left -= r;
                    t.bytesDone.addAndGet(r);
                }
                if (problem == null && grew(in)) {
                    problem = it.src + " grew while it was being sent (more than " + it.size + " bytes)";
                }
            }
            if (problem != null) {
                t.bytesDone.addAndGet(-(it.size - left));
                Arrays.fill(buf, (byte) 0);
                while (left > 0) { // the frame promised size bytes: zeros, then the file is given up
                    int n = (int) Math.min(buf.length, left);
                    out.write(buf, 0, n);
                    left -= n;
                }
                it.localFailure = problem;
                out.writeByte(DataChannel.GIVEN_UP);
                out.writeUTF(problem);
            } else {
                it.adler = Checksums.hex(sum.getValue());
                it.hash = md == null ? null : ContentHash.format(alg, md.digest());
                out.writeByte(DataChannel.WHOLE);
                out.writeInt((int) sum.getValue());
            }
        }
        out.writeByte(DataChannel.END);
        out.flush();
    }

    private static boolean grew(InputStream in) {
        try {
            return in.read() >= 0;
        } catch (IOException e) {
            return false;
        }
    }
}
