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
import org.silo.archive.ops.FileMessages.NewBitFile;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.WireServer;
import org.silo.wire.server.WireServerConfig;

/**
 * Load driver: new_bit_file (a bit file record and its namespace entry, one transaction) per second over
 * the message layer on loopback, with 1 and 16 clients, on SQLite and on PostgreSQL. Not a unit test
 * (the name does not end in Test); run it on purpose:
 *
 * <pre>
 * flock /tmp/silo-mvn.lock mvn -B -q -o -pl silo-archive -am test -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dtest=NewBitFileBench -Dsilo.bench.seconds=10 -Dsilo.bench.pg=jdbc:postgresql://127.0.0.1:5432/test?user=postgres
 * </pre>
 *
 * Results go to {@code silo-archive/target/bench-new-bit-file.txt}.
 */
class NewBitFileBench {
    @Test
    void run() throws Exception {
        int seconds = Integer.getInteger("silo.bench.seconds", 10);
        String pg = System.getProperty("silo.bench.pg", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
        List<String> lines = new ArrayList<>();
        lines.add(String.format(
                Locale.ROOT, "%-10s %7s %10s %12s %12s", "catalog", "clients", "files", "files/s", "mean ms"));
        for (String engine : List.of("sqlite", "postgresql")) {
            for (int clients : new int[] {1, 16}) {
                Path data = Files.createTempDirectory("silo-bench");
                String schema = "silo_bench_" + System.nanoTime();
                String setting = engine.equals("sqlite") ? null : pg + "&currentSchema=" + schema;
                try {
                    lines.add(one(engine, data, setting, clients, seconds));
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
                System.out.println(lines.get(lines.size() - 1));
            }
        }
        Files.write(Path.of("target", "bench-new-bit-file.txt"), lines);
        lines.forEach(System.out::println);
    }

    private static String one(String engine, Path data, String setting, int clients, int seconds) throws Exception {
        try (ArchiveService archive = ArchiveService.open(data, setting)) {
            Dispatcher d = new Dispatcher();
            archive.register(d);
            WireServer server = WireServer.start(
                    InetAddress.getLoopbackAddress(), 0, WireServerConfig.DEFAULTS, d, new SimpleMeterRegistry());
            try {
                AtomicLong done = new AtomicLong();
                AtomicLong nanos = new AtomicLong();
                long end = System.nanoTime() + seconds * 1_000_000_000L;
                CountDownLatch finished = new CountDownLatch(clients);
                List<Throwable> failures = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    int id = i;
                    Thread.ofPlatform().start(() -> {
                        try (SiloClient c = SiloClient.connect(ClientOptions.to(server.address()))) {
                            c.call(FileClerkOps.MKDIR, new Mkdir("/bench/c" + id, true, "bench"));
                            for (long n = 1; System.nanoTime() < end; n++) {
                                long t0 = System.nanoTime();
                                c.call(
                                        FileClerkOps.NEW_BIT_FILE,
                                        new NewBitFile(
                                                "c" + id + "-" + n,
                                                id % 2 == 0 ? "DEF001" : "DEF002",
                                                String.format("0000_000000000_%07d", id * 10_000_000L + n),
                                                1024,
                                                "00000001",
                                                "/bench/c" + id + "/f" + n,
                                                "bench"));
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
                return String.format(
                        Locale.ROOT,
                        "%-10s %7d %10d %12.0f %12.2f",
                        engine,
                        clients,
                        done.get(),
                        done.get() / secs,
                        nanos.get() / 1e6 / Math.max(1, done.get()));
            } finally {
                server.close();
            }
        }
    }
}
