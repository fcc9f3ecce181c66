package org.silo.archive.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.silo.archive.ArchiveService;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.transfer.LibraryClient;
import org.silo.archive.transfer.TransferClient;
import org.silo.archive.transfer.TransferClient.Result;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.WireServer;
import org.silo.wire.server.WireServerConfig;

/**
 * Transfers through the library manager and the movers, on loopback, next to {@code dd} on the same disk
 * in the same run. Not a unit test (the name does not end in Test); run it on purpose:
 *
 * <pre>
 * flock /tmp/silo-mvn.lock mvn -B -q -o -pl silo-archive -am test -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dtest=TransferBench [-Dsilo.bench.big=1G] [-Dsilo.bench.small=10000] [-Dsilo.bench.dir=/some/disk]
 * </pre>
 *
 * Results go to {@code silo-archive/target/bench-transfer.txt}.
 */
class TransferBench {
    @Test
    @org.junit.jupiter.api.Timeout(value = 30, unit = java.util.concurrent.TimeUnit.MINUTES)
    void run() throws Exception {
        long big = org.silo.wire.Sizes.parse(System.getProperty("silo.bench.big", "1G"));
        int small = Integer.getInteger("silo.bench.small", 10_000);
        Path root = Files.createDirectories(Path.of(System.getProperty("silo.bench.dir", "target/bench-transfer"))
                .toAbsolutePath());
        List<String> lines = new Lines();
        Path work = Files.createTempDirectory(root, "run");
        try {
            Path data = Files.createDirectories(work.resolve("data"));
            Path src = work.resolve("big.src");
            write(src, big);
            // dd on the same disk, same run: the yardstick (before and after silo, the better of the two)
            double ddMbps = dd(src, work, big, lines);

            ArchiveService archive = ArchiveService.open(data, null);
            Dispatcher d = new Dispatcher();
            archive.register(d);
            WireServer server = WireServer.start(
                    InetAddress.getLoopbackAddress(), 0, WireServerConfig.DEFAULTS, d, new SimpleMeterRegistry());
            try (SiloClient client = SiloClient.connect(ClientOptions.to(server.address()))) {
                archive.volumes().setFamilyWidth("default", 2);
                archive.startLocalMovers(2, "default");
                archive.namespace().mkdir("/bench", false, "bench");
                TransferClient.Options o = TransferClient.Options.defaults().withWait(Duration.ofMinutes(10));
                try (TransferClient t = new TransferClient(LibraryClient.over(client), o.withParallel(1))) {
                    Result put = t.putOne(src, "/bench/big");
                    lines.add(line("put 1 file (fsync, recorded)", put, ddMbps));
                    Path back = work.resolve("big.back");
                    Result get = t.getOne("/bench/big", back);
                    lines.add(line("get 1 file (checked, fsync)", get, ddMbps));
                    if (Files.mismatch(src, back) != -1) {
                        lines.add("get: the file came back different!");
                    }
                    Files.delete(back);
                }
                sync(work);
                try (TransferClient t = new TransferClient(
                        LibraryClient.over(client), o.withVerify(true).withParallel(1))) {
                    Result put = t.putOne(src, "/bench/big-verified");
                    lines.add(line("put --verify (read back from the volume)", put, ddMbps));
                }
                ddMbps = Math.max(ddMbps, dd(src, work, big, lines));
                Files.delete(src);

                Path dir = Files.createDirectories(work.resolve("small"));
                byte[] four = new byte[4096];
                Random r = new Random(1);
                List<Path> files = new ArrayList<>();
                List<String> dests = new ArrayList<>();
                for (int i = 0; i < small; i++) {
                    r.nextBytes(four);
                    Path p = dir.resolve("s" + i);
                    Files.write(p, four);
                    files.add(p);
                    dests.add("/bench/small/s" + i);
                }
                archive.namespace().mkdir("/bench/small", false, "bench");
                for (int parallel : new int[] {16}) {
                    try (TransferClient t = new TransferClient(LibraryClient.over(client), o.withParallel(parallel))) {
                        long s0 = System.nanoTime();
                        List<Result> rs = t.put(files, dests);
                        double s = (System.nanoTime() - s0) / 1e9;
                        long failed = rs.stream().filter(x -> !x.ok()).count();
                        lines.add(String.format(
                                Locale.ROOT,
                                "put %d x 4 KiB, %d at once, 2 movers: %.1f s, %.0f files/s, %d failed",
                                small,
                                parallel,
                                s,
                                small / s,
                                failed));
                    }
                }
                long l0 = System.nanoTime();
                int listed = client.call(FileClerkOps.LS, new org.silo.archive.ops.FileMessages.Ls("/bench/small"))
                        .entries()
                        .size();
                double ls = (System.nanoTime() - l0) / 1e9;
                lines.add(String.format(Locale.ROOT, "ls /bench/small: %d entries in %.2f s", listed, ls));
            } finally {
                server.close();
                archive.close();
            }
        } finally {
            try (Stream<Path> s = Files.walk(work)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.write(Path.of("target/bench-transfer.txt"), lines);
        lines.forEach(System.out::println);
    }

    /** Printed as they come, so a long run shows where it is. */
    private static final class Lines extends ArrayList<String> {
        @Override
        public boolean add(String s) {
            System.out.println("bench: " + s);
            System.out.flush();
            return super.add(s);
        }
    }

    private static String line(String what, Result r, double ddMbps) {
        return String.format(
                Locale.ROOT,
                "%-42s %d bytes, %.1f MB/s = %.0f%% of dd, mover %s%s",
                what,
                r.size(),
                r.mbPerSecond(),
                100 * r.mbPerSecond() / ddMbps,
                r.mover(),
                r.ok() ? "" : " FAILED: " + r.error());
    }

    /** Waits for the write-back of the previous step (the get's file, the volume's file) before the next. */
    private static void sync(Path work) throws Exception {
        new ProcessBuilder("sync").start().waitFor();
    }

    private static double dd(Path src, Path work, long big, List<String> lines) throws Exception {
        Path ddOut = work.resolve("big.dd");
        long t0 = System.nanoTime();
        Process dd = new ProcessBuilder("dd", "if=" + src, "of=" + ddOut, "bs=1M", "conv=fsync")
                .redirectErrorStream(true)
                .start();
        String ddSays = new String(dd.getInputStream().readAllBytes()).trim().replace('\n', ' ');
        dd.waitFor();
        double mbps = big / 1e6 / ((System.nanoTime() - t0) / 1e9);
        Files.delete(ddOut);
        lines.add(String.format(
                Locale.ROOT,
                "dd if=big.src of=big.dd bs=1M conv=fsync: %d bytes, %.1f MB/s (dd: %s)",
                big,
                mbps,
                ddSays));
        return mbps;
    }

    private static void write(Path p, long size) throws Exception {
        byte[] block = new byte[1 << 20];
        Random r = new Random(7);
        try (OutputStream out = Files.newOutputStream(p)) {
            for (long left = size; left > 0; left -= block.length) {
                r.nextBytes(block);
                out.write(block, 0, (int) Math.min(block.length, left));
            }
        }
        try (java.nio.channels.FileChannel ch =
                java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true); // its write-back must not run during dd or the put
        }
    }
}
