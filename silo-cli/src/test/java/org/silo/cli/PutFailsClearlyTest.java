package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.Tmpfs;
import org.silo.archive.mover.Mover;
import org.silo.archive.mover.RemoteMover;
import org.silo.archive.ops.LibraryMessages.MoverInfo;
import org.silo.archive.ops.LibraryOps;
import org.silo.server.SiloServer;
import org.silo.server.TestSilo;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;

/**
 * What {@code silo put} says when it cannot go on as asked (docs/archive.md, "Library manager" and
 * "Full volumes"): a library no mover has ever served is refused at once; a library whose movers are all
 * offline is named on standard error while the put waits; a file no volume has room for fails at once,
 * naming the full volume. Never silence.
 */
class PutFailsClearlyTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;
    private SiloServer server;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        System.setOut(oldOut);
        System.setErr(oldErr);
        if (server != null) {
            server.close();
        }
    }

    void start(String... settings) throws Exception {
        server = SiloServer.start(TestSilo.config(dir.resolve("data"), settings));
    }

    String at() {
        return "--server=127.0.0.1:" + server.wirePort();
    }

    String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    Path file(String name, int size) throws Exception {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return Files.write(dir.resolve(name), b);
    }

    List<MoverInfo> movers() throws Exception {
        try (SiloClient c =
                SiloClient.connect(ClientOptions.to(new InetSocketAddress("127.0.0.1", server.wirePort())))) {
            return c.call(LibraryOps.MOVER_LS, null).movers();
        }
    }

    @Test
    void aPutToALibraryNoMoverHasEverServedIsRefusedAtOnce() throws Exception {
        start("archive.movers", "0");
        assertThat(Main.run("vol", "add", "TINY01", "--library", "tiny", "--capacity", "10M", at()))
                .isZero();
        assertThat(Main.run("mkdir", "/in", at())).isZero();
        // with the default --wait of 24 h: that it returns at all shows it did not wait
        assertThat(Main.run("put", file("data.bin", 1000).toString(), "/in/", "--library", "tiny", at()))
                .isEqualTo(1);
        assertThat(stderr())
                .contains("data.bin -> /in/data.bin failed after 1 attempt: no mover has ever served library tiny: "
                        + "start one for it (silo mover run --library tiny)");
        assertThat(Main.run("job", "ls", "--all", "--json", at())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .as("nothing was queued")
                .doesNotContain("/in/data.bin");
    }

    @Test
    void aPutToALibraryWhoseMoversAreOfflineSaysWhatItWaitsForAndFinishesWhenOneComesBack() throws Exception {
        start("archive.movers", "0", "archive.mover-timeout", "5s");
        assertThat(Main.run("vol", "add", "TINY01", "--library", "tiny", "--capacity", "10M", at()))
                .isZero();
        assertThat(Main.run("mkdir", "/in", at())).isZero();
        Mover gone = RemoteMover.start("127.0.0.1:" + server.wirePort(), dir.resolve("m1"), "tiny", "tinymover", 0);
        await().atMost(Duration.ofMinutes(2))
                .until(() -> movers().stream().anyMatch(m -> m.name().equals("tinymover")));
        gone.kill();
        gone.close();
        await().atMost(Duration.ofMinutes(2))
                .until(() -> movers().stream().allMatch(m -> m.state().equals("offline")));

        Path src = file("data.bin", 100_000);
        CompletableFuture<Integer> put = CompletableFuture.supplyAsync(
                () -> Main.run("put", src.toString(), "/in/", "--library", "tiny", "--wait", "10m", at()));
        await().atMost(Duration.ofMinutes(2))
                .until(() -> stderr().contains("silo: /in/data.bin queued: no mover of library tiny is connected"));
        assertThat(put).as("it keeps waiting").isNotDone();

        Mover back = RemoteMover.start("127.0.0.1:" + server.wirePort(), dir.resolve("m2"), "tiny", "tinymover2", 0);
        try {
            assertThat(put.get(2, TimeUnit.MINUTES)).as(stderr()).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("/in/data.bin", "TINY01", "tinymover2");
        } finally {
            back.kill();
            back.close();
        }
    }

    @Test
    void aPutThatNoVolumeHasRoomForFailsAtOnceNamingTheFullVolume() throws Exception {
        start();
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("small"), "4m")) {
            assertThat(Main.run(
                            "vol",
                            "add",
                            "TMP01",
                            "--library",
                            "default",
                            "--capacity",
                            "1G",
                            "--backend",
                            "dir:" + fs.dir(),
                            at()))
                    .as(stderr())
                    .isZero();
            for (String v : List.of("DEF001", "DEF002")) {
                assertThat(Main.run(
                                "vol",
                                "set",
                                v,
                                "--state",
                                "readonly",
                                "--reason",
                                "only the tmpfs takes writes",
                                at()))
                        .isZero();
            }
            assertThat(Main.run("mkdir", "/in", at())).isZero();
            assertThat(Main.run("put", file("big.bin", 6 << 20).toString(), "/in/", at()))
                    .isEqualTo(1);
            assertThat(stderr())
                    .contains(
                            "big.bin -> /in/big.bin failed after 1 attempt: ",
                            "no space: no volume in library default",
                            "volume TMP01 has room for");
            assertThat(fs.partFiles()).isEmpty();
            // what fits still goes there
            assertThat(Main.run("put", file("small.bin", 1 << 20).toString(), "/in/", at()))
                    .as(stderr())
                    .isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("/in/small.bin", "TMP01");
        }
    }
}
