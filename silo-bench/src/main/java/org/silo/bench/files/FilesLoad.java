package org.silo.bench.files;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.silo.files.FilesOps;
import org.silo.files.FilesOps.Handle;
import org.silo.files.FilesOps.Name;
import org.silo.files.client.FilesClient;
import org.silo.files.client.OobReader;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.Reply;
import org.silo.wire.client.SiloClient;
import org.silo.wire.codec.Result;

/**
 * Load on the file access service (docs/benchmarks.md, "File access service"):
 *
 * <pre>
 * FilesLoad setup HOST:PORT COUNT SIZE WWW      write COUNT files of SIZE random bytes as /bench/fN through the
 *                                               file service (archived by movers), and the same bytes to WWW/fN
 * FilesLoad small HOST:PORT CLIENTS SECONDS COUNT   CLIENTS threads, each its own session, each reading random
 *                                               /bench/fN by open+read+close in one message (over TCP: a 4 KiB
 *                                               answer does not fit a datagram); files/s and latency
 * FilesLoad oob HOST:PORT PATH ROUNDS           open PATH with OOB-XFER and read it whole over the data port; MB/s
 * </pre>
 */
public final class FilesLoad {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "setup" -> setup(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Path.of(args[4]));
            case "small" ->
                small(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "oob" -> oob(args[1], args[2], Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("setup, small or oob, not " + args[0]);
        }
    }

    static void setup(String server, int count, int size, Path www) throws Exception {
        Files.createDirectories(www);
        List<Thread> threads = new ArrayList<>();
        AtomicLong next = new AtomicLong();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try (SiloClient c = SiloClient.connect(ClientOptions.to(server))) {
                    FilesClient files = new FilesClient(c, Duration.ofMinutes(10));
                    for (long i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        byte[] b = new byte[size];
                        new SplittableRandom(i).nextBytes(b);
                        Files.write(www.resolve("f" + i), b);
                        FilesOps.Opened o = files.open(
                                FilesOps.WRITE | FilesOps.CREATE, FilesOps.CAPABILITY, Name.path("/bench/f" + i));
                        c.call(FilesOps.WRITE_OP, new FilesOps.Write(o.handle(), 0, b));
                        files.close(o.handle());
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        System.out.println("{\"setup\":" + count + ",\"size\":" + size + "}");
    }

    static void small(String server, int clients, int seconds, int count) throws Exception {
        run(server, clients, 2, count, 4096); // warm-up
        long[][] lat = new long[clients][];
        long[] done = new long[clients];
        long[] failed = new long[clients];
        double secs = run(server, clients, seconds, count, 4096, lat, done, failed);
        long total = Arrays.stream(done).sum();
        long[] all = Arrays.stream(lat)
                .flatMapToLong(l -> Arrays.stream(l))
                .filter(x -> x > 0)
                .sorted()
                .toArray();
        System.out.printf(
                Locale.ROOT,
                "{\"target\":\"silo open+read+close\",\"clients\":%d,\"files\":%d,\"failed\":%d,\"seconds\":%.2f,"
                        + "\"filesPerSecond\":%.0f,\"p50us\":%.1f,\"p99us\":%.1f}%n",
                clients,
                total,
                Arrays.stream(failed).sum(),
                secs,
                total / secs,
                pct(all, 50) / 1e3,
                pct(all, 99) / 1e3);
    }

    private static void run(String server, int clients, int seconds, int count, int size) throws Exception {
        run(server, clients, seconds, count, size, new long[clients][], new long[clients], new long[clients]);
    }

    private static double run(
            String server, int clients, int seconds, int count, int size, long[][] lat, long[] done, long[] failed)
            throws Exception {
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        long stopAt = start + TimeUnit.SECONDS.toNanos(seconds);
        for (int t = 0; t < clients; t++) {
            int me = t;
            lat[me] = new long[2_000_000];
            threads.add(Thread.ofPlatform().start(() -> {
                SplittableRandom r = new SplittableRandom(me);
                try (SiloClient c = SiloClient.connect(ClientOptions.to(server))) {
                    while (System.nanoTime() < stopAt) {
                        Name n = Name.path("/bench/f" + r.nextInt(count));
                        long sent = System.nanoTime();
                        Reply reply = SiloClient.await(c.send(
                                c.compound()
                                        .add(
                                                FilesOps.OPEN,
                                                new FilesOps.Open(FilesOps.READ, FilesOps.CAPABILITY, List.of(n)))
                                        .add(FilesOps.READ_OP, new FilesOps.Read(Handle.SAME, 0, size))
                                        .add(FilesOps.CLOSE, Handle.SAME)
                                        .envelope(),
                                true));
                        boolean ok = reply.results().size() == 3
                                && reply.results().get(1) instanceof Result.Success s
                                && s.data().length == size;
                        if (ok) {
                            if (done[me] < lat[me].length) {
                                lat[me][(int) done[me]] = System.nanoTime() - sent;
                            }
                            done[me]++;
                        } else {
                            failed[me]++;
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    static void oob(String server, String path, int rounds) throws Exception {
        try (SiloClient c = SiloClient.connect(ClientOptions.to(server))) {
            for (int i = 0; i < rounds; i++) {
                long t0 = System.nanoTime();
                FilesOps.Opened o = c.call(
                        FilesOps.OPEN,
                        new FilesOps.Open(
                                FilesOps.READ | FilesOps.OOB_XFER, FilesOps.CAPABILITY, List.of(Name.path(path))));
                long n = OobReader.copy(o, OutputStream.nullOutputStream());
                c.call(FilesOps.CLOSE, o.handle());
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf(
                        Locale.ROOT,
                        "{\"target\":\"silo oob-xfer\",\"bytes\":%d,\"seconds\":%.2f,\"MBps\":%.0f}%n",
                        n,
                        s,
                        n / 1e6 / s);
            }
        }
    }

    static long pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.clamp((int) Math.ceil(p / 100.0 * sorted.length) - 1, 0, sorted.length - 1)];
    }
}
