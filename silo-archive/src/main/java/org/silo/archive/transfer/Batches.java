package org.silo.archive.transfer;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import org.silo.wire.IoThreads;

/**
 * Cuts the files of a put or get into batches as they are needed (never holding more than the
 * batches under way: a tree is streamed, not listed first), at most {@link TransferClient.Options#batchFiles}
 * files or {@link TransferClient.Options#batchBytes} bytes each, and runs {@code parallel} of them at a time.
 */
final class Batches<S, T> {
    private final Iterator<S> source;
    private final BiFunction<Integer, S, T> make;
    private final ToLongFunction<T> bytes;
    private final int maxFiles;
    private final long maxBytes;
    private int next;

    Batches(
            Iterator<S> source,
            BiFunction<Integer, S, T> make,
            ToLongFunction<T> bytes,
            TransferClient.Options options) {
        this.source = source;
        this.make = make;
        this.bytes = bytes;
        this.maxFiles = Math.max(1, options.batchFiles());
        this.maxBytes = Math.max(1, options.batchBytes());
    }

    /** The next batch (empty at the end); numbers each file by its place in the iteration. */
    private synchronized List<T> take() {
        List<T> batch = new ArrayList<>();
        long total = 0;
        while (batch.size() < maxFiles && source.hasNext()) {
            T item = make.apply(next++, source.next());
            batch.add(item);
            total += bytes.applyAsLong(item);
            if (total >= maxBytes) {
                break;
            }
        }
        return batch;
    }

    /** Runs every batch through {@code runner}, {@code parallel} at a time, until the source is done. */
    void run(int parallel, Consumer<List<T>> runner) {
        ExecutorService pool = IoThreads.perTask("transfer-batch");
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < Math.max(1, parallel); i++) {
                workers.add(pool.submit(() -> {
                    for (List<T> batch = take(); !batch.isEmpty(); batch = take()) {
                        runner.accept(batch);
                    }
                }));
            }
            for (Future<?> w : workers) {
                try {
                    w.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
