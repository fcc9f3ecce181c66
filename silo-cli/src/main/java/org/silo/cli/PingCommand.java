package org.silo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.silo.wire.client.Reply;
import org.silo.wire.client.SiloClient;
import org.silo.wire.codec.Result;
import org.silo.wire.op.CoreOps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "ping",
        mixinStandardHelpOptions = true,
        description = {
            "Measure round trips to the server.",
            "It prints latency percentiles, the rate and retransmissions."
        },
        footer = {
            "",
            "Examples:",
            "  silo ping                                 10 pings, one at a time, each shown",
            "  silo ping --count 100000 --window 64      throughput with 64 calls in flight",
            "  silo ping --count 1000 --json             the summary as JSON"
        })
final class PingCommand implements Callable<Integer> {
    @Mixin
    ClientMixin client;

    @Option(
            names = {"-c", "--count"},
            paramLabel = "N",
            defaultValue = "10",
            description = "Calls to make (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(
            names = {"-w", "--window"},
            paramLabel = "W",
            defaultValue = "1",
            description = "Calls in flight at once (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(
            names = {"-s", "--size"},
            paramLabel = "BYTES",
            defaultValue = "32",
            description = "Payload bytes per ping (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--json", description = "Print only a JSON summary.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (count < 1 || window < 1 || window > 4096 || size < 8 || size > 1 << 24) {
            throw new IllegalArgumentException("need --count >= 1, --window 1..4096, --size 8..16M");
        }
        Pings pings = new Pings();
        long elapsed;
        try (SiloClient c = SiloClient.connect(client.options().withWindow(window))) {
            pings.client = c;
            long start = System.nanoTime();
            Thread progress = !json && !pings.verbose && Main.stderrIsTerminal() ? progress(pings.done, start) : null;
            for (int i = 0; i < Math.min(window, count); i++) {
                pings.next();
            }
            pings.done.await();
            elapsed = System.nanoTime() - start;
            if (progress != null) {
                progress.interrupt();
                progress.join(1000);
            }
        }
        report(pings.latencies, pings.failed.get(), pings.retransmissions.get(), elapsed);
        return pings.failed.get() == 0 ? 0 : Failures.FAILED;
    }

    /**
     * The calls, as {@code window} chains: each answer sends the next call from the thread that took the
     * answer (the client's event loop), so that a call costs no hand-over between threads; a loop on the
     * main thread that waited for a free slot in the window woke once per call and ran at a third of the
     * rate (docs/benchmarks.md, "Where the time goes").
     */
    private final class Pings {
        final long[] latencies = new long[count];
        final AtomicInteger failed = new AtomicInteger();
        final AtomicLong retransmissions = new AtomicLong();
        final AtomicInteger sent = new AtomicInteger();
        final CountDownLatch done = new CountDownLatch(count);
        final boolean verbose = !json && window == 1 && count <= 100;
        SiloClient client;

        void next() {
            int seq = sent.getAndIncrement();
            if (seq >= count) {
                return;
            }
            byte[] payload = new byte[size];
            ByteBuffer.wrap(payload).putLong(seq);
            CompletableFuture<Reply> call;
            try {
                call = client.send(client.compound().add(CoreOps.PING, payload).envelope(), false);
            } catch (RuntimeException e) { // the client closed under us: count it, and the chain goes on to the end
                call = CompletableFuture.failedFuture(e);
            }
            call.whenComplete((r, err) -> {
                try {
                    record(seq, payload, r, err);
                } finally {
                    done.countDown();
                }
                next();
            });
        }

        private void record(int seq, byte[] payload, Reply r, Throwable err) {
            if (err != null || !echoed(r, payload)) {
                failed.incrementAndGet();
                latencies[seq] = -1;
                if (!json) {
                    System.err.println("silo: ping " + seq + " failed: "
                            + (err == null
                                    ? "wrong echo"
                                    : Failures.describe(err.getCause() == null ? err : err.getCause())));
                }
                return;
            }
            latencies[seq] = r.elapsedNanos();
            retransmissions.addAndGet(r.transmissions() - 1);
            if (verbose) {
                System.out.printf(
                        Locale.ROOT,
                        "%d bytes from %s: seq=%d time=%.3f ms%s%n",
                        size,
                        PingCommand.this.client.serverAddress(),
                        seq,
                        r.elapsedNanos() / 1e6,
                        r.transmissions() > 1 ? " (sent " + r.transmissions() + " times)" : "");
            }
        }
    }

    /**
     * Progress on standard error, twice a second, while many pings run (100,000 pings would
     * otherwise be silent for seconds); only on a terminal, never with --json, and the line is wiped before the summary.
     */
    private Thread progress(CountDownLatch done, long start) {
        return Thread.ofVirtual().start(() -> {
            do { // at least once: a run too quick to see still shows that progress goes here
                System.err.print("\r" + progressLine(count - done.getCount(), count, System.nanoTime() - start));
                System.err.flush();
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    break;
                }
            } while (!Thread.currentThread().isInterrupted() && done.getCount() > 0);
            System.err.print("\r" + " ".repeat(78) + "\r");
            System.err.flush();
        });
    }

    /** "ping: 41230 of 100000 answered (41%), 9855 calls/s". */
    static String progressLine(long answered, long count, long elapsedNanos) {
        double s = elapsedNanos / 1e9;
        return String.format(
                Locale.ROOT,
                "ping: %d of %d answered (%d%%), %.0f calls/s ",
                answered,
                count,
                100 * answered / count,
                s <= 0 ? 0.0 : answered / s);
    }

    private static boolean echoed(Reply r, byte[] payload) {
        return r.results().size() == 1
                && r.results().get(0) instanceof Result.Success s
                && Arrays.equals(s.data(), payload);
    }

    private void report(long[] latencies, int failed, long retransmissions, long elapsedNanos) throws Exception {
        long[] ok = Arrays.stream(latencies).filter(l -> l >= 0).sorted().toArray();
        double seconds = elapsedNanos / 1e9;
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("server", client.serverAddress());
        summary.put("calls", count);
        summary.put("answered", ok.length);
        summary.put("failed", failed);
        summary.put("window", window);
        summary.put("payloadBytes", size);
        summary.put("seconds", round(seconds));
        summary.put("callsPerSecond", round(ok.length / seconds));
        summary.put("retransmissions", retransmissions);
        Map<String, Object> ms = new LinkedHashMap<>();
        if (ok.length > 0) {
            ms.put("min", round(ok[0] / 1e6));
            ms.put("p50", round(percentile(ok, 50) / 1e6));
            ms.put("p90", round(percentile(ok, 90) / 1e6));
            ms.put("p99", round(percentile(ok, 99) / 1e6));
            ms.put("max", round(ok[ok.length - 1] / 1e6));
        }
        summary.put("latencyMs", ms);
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(summary));
            return;
        }
        System.out.printf(Locale.ROOT, "--- %s ping ---%n", client.serverAddress());
        System.out.printf(
                Locale.ROOT,
                "%d calls, %d answered, %d failed in %.3f s: %.0f calls/s with %d in flight%n",
                count,
                ok.length,
                failed,
                seconds,
                ok.length / seconds,
                window);
        if (ok.length > 0) {
            System.out.printf(
                    Locale.ROOT,
                    "latency ms: min %s  p50 %s  p90 %s  p99 %s  max %s; retransmissions %d%n",
                    ms.get("min"),
                    ms.get("p50"),
                    ms.get("p90"),
                    ms.get("p99"),
                    ms.get("max"),
                    retransmissions);
        }
    }

    static long percentile(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.clamp(i, 0, sorted.length - 1)];
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
