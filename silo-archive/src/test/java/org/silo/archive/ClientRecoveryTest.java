package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.lm.LibrarySettings;
import org.silo.archive.ops.LibraryMessages.ListJobs;
import org.silo.archive.ops.LibraryOps;
import org.silo.archive.transfer.LibraryClient;
import org.silo.archive.transfer.TransferClient;
import org.silo.archive.transfer.TransferClient.Result;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.WireServer;
import org.silo.wire.server.WireServerConfig;

/**
 * A put or get that meets a server restart carries on by itself; a get into a directory that does not
 * exist queues nothing; a put run again after a partial failure skips what is stored already.
 */
class ClientRecoveryTest {
    @TempDir
    Path data;

    @TempDir
    Path local;

    static final LibrarySettings SETTINGS = new LibrarySettings(3_600_000, 1, 1_000_001, 5_000, 200);

    ArchiveService archive;
    WireServer server;
    SiloClient client;

    @BeforeEach
    void start() throws Exception {
        archive = ArchiveService.open(data, null, SETTINGS);
        server = serve(0);
        client = SiloClient.connect(ClientOptions.to(server.address()));
        archive.namespace().mkdir("/t", false, "alice");
    }

    WireServer serve(int port) throws Exception {
        Dispatcher d = new Dispatcher();
        archive.register(d);
        return WireServer.start(
                InetAddress.getLoopbackAddress(), port, WireServerConfig.DEFAULTS, d, new SimpleMeterRegistry());
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
        archive.close();
    }

    TransferClient transfers() throws Exception {
        return new TransferClient(
                LibraryClient.over(client),
                TransferClient.Options.defaults()
                        .withParallel(4)
                        .withWait(Duration.ofMinutes(5))
                        .withServerTimeout(Duration.ofMinutes(5)));
    }

    Path file(String name, int size, long seed) throws Exception {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return Files.write(local.resolve(name), b);
    }

    @Test
    void aPutAndAGetThatMeetAServerRestartFinishByThemselvesEachFileStoredOnce() throws Exception {
        // movers slowed to 2 MB/s, so that files of 256 KiB are on their way when the server goes
        archive.startLocalMovers(2, "default", 2 << 20);
        archive.volumes().setFamilyWidth("default", 2);
        int n = 40;
        List<Path> sources = new ArrayList<>();
        List<String> dests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sources.add(file("f" + i, 256 << 10, i));
            dests.add("/t/f" + i);
        }
        CountDownLatch someDone = new CountDownLatch(8);
        CompletableFuture<List<Result>> put = new CompletableFuture<>();
        try (TransferClient t = transfers()) {
            Thread.ofVirtual().start(() -> put.complete(t.put(sources, dests, r -> someDone.countDown())));
            assertThat(someDone.await(5, TimeUnit.MINUTES)).isTrue();
            restart(); // as a crash: movers killed with their connections, sessions gone

            List<Result> results = put.get(10, TimeUnit.MINUTES);
            assertThat(results)
                    .allSatisfy(r -> assertThat(r.error()).as(r.source()).isNull());
        }
        assertThat(archive.namespace().ls("/t")).hasSize(n);
        assertThat(archive.files().status().get("filesActive"))
                .as("each file once in the catalog")
                .isEqualTo((long) n);
        assertThat(archive.files().fsck().problems()).isEmpty();

        // and back, with a restart in the middle too
        Path out = Files.createDirectory(local.resolve("out"));
        List<Path> back = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            back.add(out.resolve("f" + i));
        }
        CountDownLatch someBack = new CountDownLatch(8);
        CompletableFuture<List<Result>> get = new CompletableFuture<>();
        try (TransferClient t = transfers()) {
            Thread.ofVirtual().start(() -> get.complete(t.get(dests, back, r -> someBack.countDown())));
            assertThat(someBack.await(5, TimeUnit.MINUTES)).isTrue();
            restart();
            assertThat(get.get(10, TimeUnit.MINUTES))
                    .allSatisfy(r -> assertThat(r.error()).as(r.source()).isNull());
        }
        for (int i = 0; i < n; i++) {
            assertThat(Files.mismatch(sources.get(i), back.get(i))).as("f" + i).isEqualTo(-1L);
        }
    }

    /** The server dies (its movers with it, sessions forgotten) and starts again on the same data and port. */
    void restart() throws Exception {
        int port = server.port();
        server.close();
        archive.close();
        archive = ArchiveService.open(data, null, SETTINGS);
        server = serve(port);
        archive.volumes().setFamilyWidth("default", 2);
        archive.startLocalMovers(2, "default", 2 << 20);
    }

    @Test
    void aGetIntoADirectoryThatDoesNotExistQueuesNothing() throws Exception {
        archive.startLocalMovers(1, "default");
        Path src = file("a", 1000, 1);
        try (TransferClient t = transfers()) {
            assertThat(t.putOne(src, "/t/a").error()).isNull();
            Path nowhere = local.resolve("nodir").resolve("a");
            Result r = t.getOne("/t/a", nowhere);
            assertThat(r.error()).isEqualTo("cannot create regular file '" + nowhere + "': No such file or directory");
            assertThat(r.attempts()).isZero();
            Result onAFile = t.getOne("/t/a", src.resolve("x"));
            assertThat(onAFile.error()).endsWith(": Not a directory");
            Result onADirectory = t.getOne("/t/a", local);
            assertThat(onADirectory.error()).startsWith("cannot overwrite directory");
            // nothing was queued, so nothing blocks the next get of the file
            assertThat(client.call(LibraryOps.JOB_LS, new ListJobs(true, 10)).jobs())
                    .hasSize(1);
            assertThat(t.getOne("/t/a", local.resolve("a.back")).error()).isNull();
        }
        assertThat(Files.mismatch(src, local.resolve("a.back"))).isEqualTo(-1L);
    }

    @Test
    void aPutRunAgainWithSkipExistingSkipsWhatIsStoredAndNamesWhatDiffers() throws Exception {
        archive.startLocalMovers(1, "default");
        Path a = file("a", 5000, 1);
        Path b = file("b", 6000, 2);
        try (TransferClient t = transfers()) {
            assertThat(t.putOne(a, "/t/a").error()).isNull();
        }
        TransferClient.Options skip = TransferClient.Options.defaults()
                .withWait(Duration.ofMinutes(5))
                .withSkipExisting(true);
        List<Result> again;
        try (TransferClient t = new TransferClient(LibraryClient.over(client), skip)) {
            again = t.put(List.of(a, b), List.of("/t/a", "/t/b"));
        }
        assertThat(again.get(0).skipped()).isTrue();
        assertThat(again.get(0).error()).isNull();
        assertThat(again.get(0).bfid())
                .isEqualTo(archive.namespace().stat("/t/a").bfid());
        assertThat(again.get(1).skipped()).isFalse();
        assertThat(again.get(1).error()).isNull();
        assertThat(archive.files().status().get("filesActive")).isEqualTo(2L);

        Files.write(a, new byte[5000]); // same size, other bytes
        Result differs;
        try (TransferClient t = new TransferClient(LibraryClient.over(client), skip)) {
            differs = t.putOne(a, "/t/a");
        }
        assertThat(differs.error())
                .startsWith("/t/a already exists and differs: adler32 ")
                .contains(" in the archive, ")
                .endsWith("(both 5000 bytes)");
        Files.write(a, new byte[10]);
        try (TransferClient t = new TransferClient(LibraryClient.over(client), skip)) {
            differs = t.putOne(a, "/t/a");
        }
        assertThat(differs.error()).isEqualTo("/t/a already exists and differs: 5000 bytes in the archive, 10 in " + a);
        Result plain;
        try (TransferClient t = transfers()) {
            plain = t.putOne(b, "/t/b");
        }
        assertThat(plain.error())
                .as("without --skip-existing a stored file is an error")
                .contains("already exists");
    }
}
