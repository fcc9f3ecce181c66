package org.silo.archive.transfer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Writes a large file's bytes on a thread of its own while the caller reads and checksums the next
 * ones: a get's receiving thread was CPU-bound with both jobs on it, the kernel's copy into the page
 * cache being most of it (docs/benchmarks.md, "Where the time goes"). Buffers go round between the
 * two threads: {@link #buffer} hands the reader an empty one, {@link #write} passes it on full,
 * and the writer gives it back once written, so at most {@link #BUFFERS} are in use. A write error is
 * kept and reported by {@link #finish}; the writer then only recycles buffers, so that the reader can
 * go on to the end of the frame (the stream must be read to its end, kept or not).
 */
final class WriteBehind implements AutoCloseable {
    /** Files this long and longer are written behind; a smaller one costs a thread for nothing. */
    static final long MIN_SIZE = 8L << 20;

    private static final int BUFFERS = 3;
    private static final ByteBuffer END = ByteBuffer.allocate(0);

    private final FileChannel ch;
    private final BlockingQueue<ByteBuffer> empty = new ArrayBlockingQueue<>(BUFFERS);
    private final BlockingQueue<ByteBuffer> full = new ArrayBlockingQueue<>(BUFFERS + 1);
    private final Thread writer;
    private volatile IOException failed;
    private boolean ended;

    WriteBehind(FileChannel ch, int bufferSize) {
        this.ch = ch;
        for (int i = 0; i < BUFFERS; i++) {
            empty.add(ByteBuffer.allocate(bufferSize));
        }
        this.writer = Thread.ofPlatform().name("silo-write-behind").daemon().start(this::run);
    }

    /** An empty buffer to read into (waits for the writer to give one back). */
    ByteBuffer buffer() throws IOException {
        try {
            return empty.take().clear();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Hands {@code b}, filled from 0 to its position, to the writer. */
    void write(ByteBuffer b) throws IOException {
        try {
            full.put(b.flip());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Waits for every byte handed over to be written; the first write error, if any. */
    IOException finish() {
        end();
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new IOException("interrupted", e);
        }
        return failed;
    }

    private void end() {
        if (!ended) {
            ended = true;
            full.add(END); // room for it: the full queue holds every buffer and this
        }
    }

    private void run() {
        try {
            for (ByteBuffer b = full.take(); b != END; b = full.take()) {
                if (failed == null) {
                    try {
                        while (b.hasRemaining()) {
                            ch.write(b);
                        }
                    } catch (IOException e) {
                        failed = e;
                    } catch (
                            RuntimeException
                                    e) { // NonWritableChannelException and the like: still an answer, never a stuck
                        // reader
                        failed = new IOException(e.toString(), e);
                    }
                }
                empty.add(b);
            }
        } catch (InterruptedException e) {
            failed = new IOException("interrupted", e);
        }
    }

    /** Ends the writer if {@link #finish} was not reached (the reader failed). */
    @Override
    public void close() {
        end();
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
