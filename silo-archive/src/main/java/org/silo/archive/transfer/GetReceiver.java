package org.silo.archive.transfer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.zip.Adler32;
import org.silo.archive.transfer.BatchGet.GetItem;
import org.silo.archive.transfer.TransferClient.Result;
import org.silo.archive.volume.Checksums;

/**
 * Receives the files of one read request over its data connection ({@link DataChannel}, version 2):
 * each FILE goes into {@code .NAME.silo-part} beside its destination and is checked against the
 * catalog's Adler-32 as it arrives. At END the mover is told which files did not arrive whole, so it can
 * end the request and take its next while the client makes the others durable together
 * ({@link DurableFiles}: one {@code syncfs} per file system for a large batch, rather than one journal
 * commit per file), renames them into place and fsyncs their directories; only then is each reported.
 */
final class GetReceiver {
    private final CallbackListener.Conn c;
    private final TransferClient t;
    private final Map<Integer, GetItem> open;
    private final BiConsumer<GetItem, Result> finish;
    private final List<GetItem> again;
    private final long started = System.nanoTime();

    GetReceiver(
            CallbackListener.Conn c,
            TransferClient t,
            Map<Integer, GetItem> open,
            BiConsumer<GetItem, Result> finish,
            List<GetItem> again) {
        this.c = c;
        this.t = t;
        this.open = open;
        this.finish = finish;
        this.again = again;
    }

    private record Arrived(int index, GetItem item) {}

    /** Reads to END and answers it (true); an IOException if the connection breaks before. */
    boolean receive() throws IOException {
        DataInputStream in = c.in();
        byte[] buf = new byte[DataChannel.BUFFER];
        List<Arrived> arrived = new ArrayList<>();
        Map<Integer, String> refused = new LinkedHashMap<>();
        while (true) {
            int frame = in.readUnsignedByte();
            switch (frame) {
                case DataChannel.FILE -> {
                    int index = in.readInt();
                    long size = in.readLong();
                    GetItem it = open.get(index);
                    String problem = file(in, index, it, size, buf);
                    if (it == null) {
                        continue; // not one this transfer waits for (answered already): its bytes are skipped
                    }
                    if (problem == null) {
                        arrived.add(new Arrived(index, it));
                    } else {
                        refused.put(index, problem);
                    }
                }
                case DataChannel.NOT_STORED -> {
                    int index = in.readInt();
                    String why = in.readUTF();
                    GetItem it = open.remove(index);
                    if (it != null) {
                        it.last = why;
                        again.add(it); // the mover could not read it: perhaps another copy, another time
                    }
                }
                case DataChannel.END -> {
                    // the mover hears first, so that it can end this request and take the next while the
                    // files are flushed; the user hears of each file only once it is durable and in place
                    answer(refused);
                    durable(arrived);
                    awaitClose(in);
                    return true;
                }
                default -> throw new IOException("unknown frame " + frame + " from the mover");
            }
        }
    }

    /**
     * Takes one FILE's bytes and end into the item's part file; returns why it cannot be kept (null: it
     * arrived whole and checked). A local failure (the part cannot be written) fails the item for good;
     * a mismatch puts it in {@link #again}. The frame is always read to its end, kept or not.
     */
    private String file(DataInputStream in, int index, GetItem it, long size, byte[] buf) throws IOException {
        String mismatch = it != null && size != it.size
                ? "size mismatch at client: the mover sends " + size + " bytes of " + it.src + ", the catalog says "
                        + it.size
                : null;
        String local = null;
        FileChannel ch = null;
        if (it != null && mismatch == null) {
            try {
                ch = FileChannel.open(
                        it.part(),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
            } catch (IOException e) {
                local = "cannot write " + it.part() + ": " + e;
            }
        }
        Adler32 sum = new Adler32();
        long left = size;
        try {
            if (ch != null && local == null && size >= WriteBehind.MIN_SIZE) {
                local = writeBehind(in, it, size, ch, sum, buf.length);
                left = 0;
            }
            while (left > 0) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) {
                    throw new IOException("the mover's stream ended " + left + " bytes early");
                }
                sum.update(buf, 0, r);
                if (ch != null && local == null) {
                    try {
                        ByteBuffer bb = ByteBuffer.wrap(buf, 0, r);
                        while (bb.hasRemaining()) {
                            ch.write(bb);
                        }
                    } catch (IOException e) {
                        local = "cannot write " + it.part() + ": " + e;
                    }
                }
                left -= r;
                t.bytesDone.addAndGet(r);
            }
        } finally {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException e) {
                    local = local == null ? "cannot write " + it.part() + ": " + e : local;
                }
            }
        }
        int end = in.readUnsignedByte();
        String theirs = in.readUTF(); // WHOLE: the mover's Adler-32; GIVEN_UP: why the bytes are not the file's
        if (it == null) {
            return "not expected";
        }
        String ours = Checksums.hex(sum.getValue());
        String problem = null;
        if (local != null) {
            open.remove(index);
            finish.accept(it, it.failed(local)); // no mover is to blame, and another try would not help
            problem = local;
        } else if (mismatch != null || end != DataChannel.WHOLE || !ours.equals(it.adler32)) {
            problem = mismatch != null
                    ? mismatch
                    : end != DataChannel.WHOLE
                            ? theirs
                            : "CRC mismatch at client: " + it.src + " arrived with adler32 " + ours
                                    + ", the catalog has " + it.adler32;
            open.remove(index);
            it.last = problem;
            again.add(it);
        }
        if (problem != null) {
            t.bytesDone.addAndGet(-size);
            deleteQuietly(it.part());
        }
        return problem;
    }

    /**
     * A large file's bytes: read and checksummed here while {@link WriteBehind} writes the ones before;
     * null, or why the part file could not be written (the frame is read to its end either way).
     */
    private String writeBehind(DataInputStream in, GetItem it, long size, FileChannel ch, Adler32 sum, int bufferSize)
            throws IOException {
        long left = size;
        try (WriteBehind wb = new WriteBehind(ch, bufferSize)) {
            while (left > 0) {
                ByteBuffer b = wb.buffer();
                int want = (int) Math.min(b.capacity(), left);
                int r = in.readNBytes(b.array(), 0, want);
                if (r < want) {
                    throw new IOException("the mover's stream ended " + (left - r) + " bytes early");
                }
                sum.update(b.array(), 0, r);
                b.position(r);
                wb.write(b);
                left -= r;
                t.bytesDone.addAndGet(r);
            }
            IOException e = wb.finish();
            return e == null ? null : "cannot write " + it.part() + ": " + e;
        }
    }

    /**
     * Makes every arrived file durable ({@link DurableFiles}), renames each into place, fsyncs the
     * directories, then reports them. Runs after the mover has been answered: the mover's outcome is
     * whether the bytes arrived whole, and a local failure here is the user's to hear, not the mover's.
     */
    private void durable(List<Arrived> arrived) {
        List<String> errors =
                DurableFiles.sync(arrived.stream().map(a -> a.item().part()).toList());
        Set<Path> dirs = new LinkedHashSet<>();
        for (int i = 0; i < arrived.size(); i++) {
            GetItem it = arrived.get(i).item();
            if (errors.get(i) == null) {
                errors.set(i, rename(it.part(), it.dest));
                dirs.add(it.dest.toAbsolutePath().getParent());
            }
        }
        for (Path d : dirs) {
            try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
                ch.force(true);
            } catch (IOException ignored) {
                // some file systems cannot sync a directory; the renames are ordered after the data anyway
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long bytes = arrived.stream().mapToLong(a -> a.item().size).sum();
        for (int i = 0; i < arrived.size(); i++) {
            Arrived a = arrived.get(i);
            GetItem it = a.item();
            open.remove(a.index());
            if (errors.get(i) != null) {
                deleteQuietly(it.part());
                finish.accept(it, it.failed(errors.get(i)));
            } else {
                finish.accept(
                        it,
                        new Result(
                                it.src,
                                it.dest.toString(),
                                it.size,
                                it.volume,
                                it.bfid,
                                it.adler32,
                                seconds <= 0 ? 0 : bytes / 1e6 / seconds,
                                it.attempts,
                                c.hello().mover(),
                                null));
            }
        }
    }

    private void answer(Map<Integer, String> refused) {
        try {
            DataOutputStream out = c.out();
            out.writeInt(refused.size());
            for (Map.Entry<Integer, String> e : refused.entrySet()) {
                out.writeInt(e.getKey());
                out.writeUTF(e.getValue().length() > 16_000 ? e.getValue().substring(0, 16_000) : e.getValue());
            }
            out.flush();
        } catch (IOException gone) {
            // the files are in place and checked; the mover just does not hear so
        }
    }

    /**
     * Waits for the mover to close the connection, which it does once the request has ended in the
     * catalog; so a get that returns leaves no request running behind it.
     */
    private static void awaitClose(DataInputStream in) {
        try {
            while (in.read() >= 0) {
                // nothing more is sent after END; anything is ignored
            }
        } catch (IOException ignored) {
            // closed, or cut: the files are in place either way
        }
    }

    private static String rename(Path part, Path dest) {
        try {
            try {
                Files.move(part, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, dest, StandardCopyOption.REPLACE_EXISTING);
            }
            return null;
        } catch (IOException e) {
            return "cannot rename " + part + " to " + dest + ": " + e;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a dot file left behind; the next get of it truncates it
        }
    }
}
