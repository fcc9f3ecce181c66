package org.silo.bench.wire;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.silo.wire.SiloException;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;
import org.silo.wire.op.CoreOps;

/**
 * Request/reply load on a silo server: PING calls with W in flight for a fixed time, through the real
 * client (frames, CRC32C, timers, reply cache on the server).
 *
 * <pre>java -cp silo-bench/target/silo-bench.jar org.silo.bench.wire.WireLoad HOST:PORT WINDOW SECONDS [PAYLOAD]</pre>
 */
public final class WireLoad {
    public static void main(String[] args) throws Exception {
        String server = args[0];
        int window = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int payload = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        run(server, window, 2, payload, false); // warm-up: JIT on both sides
        System.out.println(run(server, window, seconds, payload, true).json());
    }

    /**
     * W chains of calls: each answer sends the next from the thread that took it (the client's event loop),
     * as EchoLoad's echoes do, so that both drivers have the same shape and neither pays a hand-over
     * between threads per call.
     */
    static LoadResult run(String server, int window, int seconds, int payload, boolean record) throws Exception {
        long[] latencies = new long[50_000_000];
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        byte[] data = new byte[payload];
        long start;
        long end;
        try (SiloClient c = SiloClient.connect(ClientOptions.to(server).withWindow(window))) {
            CountDownLatch chains = new CountDownLatch(window);
            start = System.nanoTime();
            long stopAt = start + TimeUnit.SECONDS.toNanos(seconds);
            for (int i = 0; i < window; i++) {
                chain(c, data, stopAt, done, failed, latencies, chains);
            }
            chains.await();
            end = System.nanoTime();
        } catch (SiloException e) {
            throw new IllegalStateException("cannot reach " + server + ": " + e.getMessage(), e);
        }
        int n = (int) Math.min(done.get(), latencies.length);
        long[] used = java.util.Arrays.copyOf(latencies, n);
        int datagram = 30 + 1 + 2 + (payload < 128 ? 1 : 3) + payload;
        return new LoadResult("silo", window, datagram, done.get(), failed.get(), (end - start) / 1e9, used);
    }

    private static void chain(
            SiloClient c,
            byte[] data,
            long stopAt,
            AtomicLong done,
            AtomicLong failed,
            long[] latencies,
            CountDownLatch chains) {
        long sent = System.nanoTime();
        if (sent >= stopAt) {
            chains.countDown();
            return;
        }
        c.callAsync(CoreOps.PING, data).whenComplete((r, e) -> {
            long n = done.getAndIncrement();
            if (e != null) {
                failed.incrementAndGet();
            } else if (n < latencies.length) {
                latencies[(int) n] = System.nanoTime() - sent;
            }
            chain(c, data, stopAt, done, failed, latencies, chains);
        });
    }
}
