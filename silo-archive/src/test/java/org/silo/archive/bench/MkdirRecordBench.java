package org.silo.archive.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.silo.archive.ArchiveService;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.ops.FileMessages.Mkdir;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.WireServer;
import org.silo.wire.server.WireServerConfig;

/**
 * Load driver: mkdir per second over the message layer on loopback, each a mutating call recorded with
 * its outcome (docs/archive.md, "At most once across servers") or, in the slices between, not (the
 * record switched off), with 1 and 8 clients, on SQLite and on PostgreSQL: slices of on and off
 * alternate, so that other load on a shared machine falls on both alike. Not a unit test (the name does
 * not end in Test); run it on purpose:
 *
 * <pre>
 * flock /tmp/mvn.lock mvn -B -q -o -pl silo-archive -am test -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dtest=MkdirRecordBench -Dsilo.bench.seconds=10 -Dsilo.bench.pg=jdbc:postgresql://127.0.0.1:5432/test?user=postgres
 * </pre>
 *
 * Results go to {@code silo-archive/target/bench-mkdir-record.txt}.
 */
class MkdirRecordBench {
    @Test
    void run() throws Exception {
        int seconds = Integer.getInteger("silo.bench.seconds", 10);
        String pg = System.getProperty("silo.bench.pg", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
        List<String> lines = new ArrayList<>();
        lines.add(String.format(
                Locale.ROOT,
                "%-10s %7s %7s %10s %12s %12s",
                "catalog",
                "clients",
                "record",
                "mkdirs",
                "mkdir/s",
                "mean ms"));
        for (String engine : List.of("sqlite", "postgresql")) {
            for (int clients : new int[] {1, 8}) {
                Path data = Files.createTempDirectory("silo-bench");
                String schema = "silo_bench_" + System.nanoTime();
                String setting = engine.equals("sqlite") ? null : pg + "&currentSchema=" + schema;
                try {
                    lines.addAll(alternating(engine, data, setting, clients, seconds));
                } catch (Exception e) {
                    lines.add(engine + " " + clients + ": not run: " + e.getMessage());
                } finally {
                    if (setting != null) {
                        try (Connection c = DriverManager.getConnection(pg);
                                Statement s = c.createStatement()) {
                            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                        } catch (Exception ignored) {
                            // unreachable: nothing was made
                        }
                    }
                }
            }
        }
        Files.write(Path.of("target", "bench-mkdir-record.txt"), lines);
        lines.forEach(System.out::println);
    }

    /**
     * A slice to warm up (not counted), then four of {@code seconds / 4}: on, off, off, on (so that neither
     * has the start or the end to itself); then the sums of each.
     */
    private static List<String> alternating(String engine, Path data, String setting, int clients, int seconds)
            throws Exception {
        try (ArchiveService archive = ArchiveService.open(data, setting)) {
            Dispatcher d = new Dispatcher();
            archive.register(d);
            WireServer server = WireServer.start(
                    InetAddress.getLoopbackAddress(), 0, WireServerConfig.DEFAULTS, d, new SimpleMeterRegistry());
            try {
                slice(server, "warm", clients, Math.max(1, seconds / 4));
                long[][] sums = new long[2][3]; // [on, off] x [calls, nanos of calls, nanos of slices]
                boolean[] order = {true, false, false, true};
                for (int slice = 0; slice < order.length; slice++) {
                    boolean on = order[slice];
                    archive.records().enabled(on);
                    long[] r = slice(server, "s" + slice, clients, Math.max(1, seconds / 4));
                    for (int i = 0; i < 3; i++) {
                        sums[on ? 0 : 1][i] += r[i];
                    }
                }
                List<String> out = new ArrayList<>();
                for (int m = 0; m < 2; m++) {
                    out.add(String.format(
                            Locale.ROOT,
                            "%-10s %7d %7s %10d %12.0f %12.2f",
                            engine,
                            clients,
                            m == 0 ? "on" : "off",
                            sums[m][0],
                            sums[m][0] / (sums[m][2] / 1e9),
                            sums[m][1] / 1e6 / Math.max(1, sums[m][0])));
                }
                out.forEach(System.out::println);
                return out;
            } finally {
                server.close();
            }
        }
    }

    /** Calls made, their summed latency and the slice's length, in nanoseconds. */
    private static long[] slice(WireServer server, String prefix, int clients, int seconds) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicLong nanos = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        CountDownLatch finished = new CountDownLatch(clients);
        List<Throwable> failures = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int id = i;
            Thread.ofPlatform().start(() -> {
                try (SiloClient c = SiloClient.connect(ClientOptions.to(server.address()))) {
                    String dir = "/bench/" + prefix + "c" + id;
                    c.call(FileClerkOps.MKDIR, new Mkdir(dir, true, "bench"));
                    for (long n = 1; System.nanoTime() < end; n++) {
                        long t0 = System.nanoTime();
                        c.call(FileClerkOps.MKDIR, new Mkdir(dir + "/d" + n, false, "bench"));
                        nanos.addAndGet(System.nanoTime() - t0);
                        done.incrementAndGet();
                    }
                } catch (Throwable t) {
                    synchronized (failures) {
                        failures.add(t);
                    }
                } finally {
                    finished.countDown();
                }
            });
        }
        long t0 = System.nanoTime();
        finished.await();
        double secs = (System.nanoTime() - t0) / 1e9;
        if (!failures.isEmpty()) {
            throw new IllegalStateException(failures.get(0).toString(), failures.get(0));
        }
        return new long[] {done.get(), nanos.get(), (long) (secs * 1e9)};
    }
}
