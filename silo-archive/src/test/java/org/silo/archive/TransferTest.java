package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.lm.LibrarySettings;
import org.silo.archive.mover.Mover;
import org.silo.archive.mover.MoverLink;
import org.silo.archive.ops.FileMessages.BitFileInfo;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.ListJobs;
import org.silo.archive.ops.LibraryMessages.MountReply;
import org.silo.archive.ops.LibraryMessages.MountRequest;
import org.silo.archive.ops.LibraryMessages.MoverInfo;
import org.silo.archive.ops.LibraryMessages.MoverName;
import org.silo.archive.ops.LibraryOps;
import org.silo.archive.transfer.LibraryClient;
import org.silo.archive.transfer.TransferClient;
import org.silo.archive.transfer.TransferClient.Result;
import org.silo.archive.volume.DirBackend;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.WireServer;
import org.silo.wire.server.WireServerConfig;

/**
 * Transfers end to end: a real server on loopback, the library manager, movers moving bytes over their
 * own TCP connections to a {@link TransferClient}, Adler-32 checked at each end.
 */
class TransferTest {
    @TempDir
    Path data;

    @TempDir
    Path local;

    static final int FIFTY_MB = 50_000_000;

    /**
     * Movers report every 0.5 s and ask every 0.2 s while idle or waiting for an operator, so a 5 s timeout
     * reaps only a mover that is really gone (1.5 s had reaped busy ones on a loaded machine), and the
     * tests that kill one wait at most that long for it to be reaped.
     */
    static final LibrarySettings SETTINGS = new LibrarySettings(3_600_000, 1, 1_000_001, 5_000, 200);
    /** A ceiling for what a busy machine may take; a quick one never waits for it. */
    static final Duration PATIENCE = Duration.ofMinutes(2);
    /** The slow movers' pace: 1 MiB after 2 s, the whole 6 MiB file after 12 s, so it is caught half-way. */
    static final long SLOW_RATE = 1 << 19;

    volatile ArchiveService archive;
    WireServer server;
    SiloClient client;

    @BeforeEach
    void start() throws Exception {
        archive = ArchiveService.open(data, null, SETTINGS);
        Dispatcher d = new Dispatcher();
        archive.register(d);
        server = WireServer.start(
                InetAddress.getLoopbackAddress(), 0, WireServerConfig.DEFAULTS, d, new SimpleMeterRegistry());
        client = SiloClient.connect(ClientOptions.to(server.address()));
        archive.namespace().mkdir("/t", false, "alice");
    }

    Mover extra;

    @AfterEach
    void stop() {
        if (extra != null) {
            extra.kill();
        }
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (archive != null) {
            archive.close();
        }
    }

    TransferClient transfers(int parallel) throws IOException {
        return new TransferClient(
                LibraryClient.over(client),
                TransferClient.Options.defaults().withParallel(parallel).withWait(Duration.ofMinutes(10)));
    }

    Path file(String name, int size, long seed) throws IOException {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Path p = local.resolve(name);
        Files.write(p, b);
        return p;
    }

    @Test
    void twoHundredFilesGoInAndComeBackByteIdenticalAcrossTwoMovers() throws Exception {
        archive.volumes().setFamilyWidth("default", 2);
        archive.startLocalMovers(2, "default");
        Random r = new Random(42);
        List<Path> sources = new ArrayList<>();
        List<String> dests = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            // 0 bytes to 50 MB, spread evenly over the orders of magnitude (log-uniform): most files are
            // small, as in an archive, a few are tens of megabytes; about 0.6 GB in all
            int size =
                    i == 0 ? 0 : i == 1 ? 1 : i == 2 ? FIFTY_MB : (int) Math.exp(r.nextDouble() * Math.log(FIFTY_MB));
            sources.add(file("f" + i, size, i));
            dests.add("/t/f" + i);
        }
        List<Result> put;
        // batches of 25 files, so that eight requests keep both movers busy
        try (TransferClient t = new TransferClient(
                LibraryClient.over(client),
                TransferClient.Options.defaults()
                        .withParallel(8)
                        .withBatch(25, Long.MAX_VALUE)
                        .withWait(Duration.ofMinutes(10)))) {
            put = t.put(sources, dests);
        }
        assertThat(put).allSatisfy(x -> assertThat(x.error()).isNull());
        Set<String> movers = new HashSet<>();
        put.forEach(x -> movers.add(x.mover()));
        assertThat(movers).hasSize(2);
        Path out = Files.createDirectory(local.resolve("out"));
        List<Path> back = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            back.add(out.resolve("f" + i));
        }
        List<Result> got;
        try (TransferClient t = transfers(8)) {
            got = t.get(dests, back);
        }
        assertThat(got).allSatisfy(x -> assertThat(x.error()).isNull());
        for (int i = 0; i < 200; i++) {
            assertThat(Files.mismatch(sources.get(i), back.get(i))).as("f" + i).isEqualTo(-1L);
        }
        assertThat(archive.files().fsck().problems()).isEmpty();
        List<MoverInfo> ms = client.call(LibraryOps.MOVER_LS, null).movers();
        assertThat(ms).hasSize(2);
        assertThat(ms.stream().mapToLong(MoverInfo::files).sum()).isEqualTo(400);
    }

    @Test
    void aMoverKilledHalfWayThroughAWriteIsRetriedOnAnotherAndTheFileLandsOnce() throws Exception {
        Mover slow = new Mover(
                        new Mover.Config(data.resolve("slow"), "slow", "default", List.of("disk"), "h", SLOW_RATE),
                        MoverLink.local(archive.library()),
                        archive.volumes().backends())
                .start();
        extra = slow;
        Path src = file("big", 6 << 20, 7);
        CompletableFuture<Result> put = new CompletableFuture<>();
        TransferClient t = transfers(1);
        Thread.ofVirtual().start(() -> put.complete(t.putOne(src, "/t/big")));
        await().atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(20))
                .until(() -> slow.bytesDone() >= (1 << 20)
                        && archive.library().mover("slow").bytesDone() > 0);
        assertThat(slow.bytesDone()).isBetween(1L << 20, (6L << 20) - 1);
        MoverInfo live = archive.library().mover("slow");
        assertThat(live.bytesDone()).isPositive(); // progress reached the library manager
        assertThat(live.state()).isEqualTo("active");
        slow.kill();
        Mover good = archive.startLocalMovers(1, "default").get(0);
        Result r = put.get();
        t.close();
        assertThat(r.error()).isNull();
        assertThat(r.attempts()).isEqualTo(2);
        assertThat(r.mover()).isEqualTo(good.name());
        assertThat(archive.files().status().get("filesActive")).isEqualTo(1L);
        BitFileInfo b = archive.files().info(archive.namespace().stat("/t/big").bfid());
        assertThat(b.size()).isEqualTo(6 << 20);
        assertThat(archive.files().fsck().problems()).isEmpty();
        assertThat(partFiles()).isEmpty();
        assertThat(archive.library().mover("slow").state()).isEqualTo("offline");
    }

    @Test
    void killingARunningJobStopsItsMoverAndItsClientWithoutRetrying() throws Exception {
        Mover slow = new Mover(
                        new Mover.Config(data.resolve("slow"), "slow", "default", List.of("disk"), "h", SLOW_RATE),
                        MoverLink.local(archive.library()),
                        archive.volumes().backends())
                .start();
        extra = slow;
        Path src = file("killed", 6 << 20, 11);
        CompletableFuture<Result> put = new CompletableFuture<>();
        TransferClient t = transfers(1);
        Thread.ofVirtual().start(() -> put.complete(t.putOne(src, "/t/killed")));
        await().atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(20))
                .until(() -> slow.job() != 0 && slow.bytesDone() >= (1 << 20));
        JobInfo killed = client.call(LibraryOps.KILL_JOB, Long.toString(slow.job()));
        assertThat(killed.state()).isEqualTo("cancelled");
        Result r = put.get();
        t.close();
        assertThat(r.error()).contains("was killed");
        assertThat(r.attempts()).isEqualTo(1);
        assertThat(archive.files().status().get("filesActive")).isEqualTo(0L);
        await().atMost(PATIENCE)
                .untilAsserted(() -> assertThat(archive.volumes().list(null))
                        .allSatisfy(v -> assertThat(v.writing()).isNull()));
        assertThat(partFiles()).isEmpty();
    }

    @Test
    void aCommandMediaChangerMountsAndDismountsAndAFailedMountIsReportedWithItsOutput() throws Exception {
        Path log = data.resolve("changer.log");
        Path broken = data.resolve("broken");
        Path script = data.resolve("changer.sh");
        Files.writeString(
                script,
                "#!/bin/sh\necho \"$1 $2 $3\" >> '" + log + "'\n" + "if [ -e '" + broken
                        + "' ]; then echo 'no drive free'; exit 3; fi\n");
        assertThat(script.toFile().setExecutable(true)).isTrue();
        assertThat(archive.library().setChanger("default", "command:" + script).changer())
                .isEqualTo("command:" + script);
        Mover m = archive.startLocalMovers(1, "default").get(0);
        Result ok;
        try (TransferClient t = transfers(1)) {
            ok = t.putOne(file("c", 1000, 1), "/t/c");
        }
        assertThat(ok.error()).isNull();
        await().atMost(PATIENCE)
                .until(() -> Files.exists(log) && Files.readString(log).contains("dismount"));
        assertThat(Files.readAllLines(log))
                .containsExactly("mount " + ok.volume() + " mover1", "dismount " + ok.volume() + " mover1");
        assertThat(m.lastChanger().exitStatus()).isZero();
        Files.createFile(broken);
        Result failed;
        try (TransferClient t = new TransferClient(
                LibraryClient.over(client),
                new TransferClient.Options(null, null, null, 0, false, 0, 1, null, PATIENCE, null))) {
            failed = t.putOne(file("d", 1000, 2), "/t/d");
        }
        assertThat(failed.error())
                .contains("mount of")
                .contains("exit status 3")
                .contains("no drive free");
        assertThat(m.lastChanger().exitStatus()).isEqualTo(3);
        assertThat(archive.files().status().get("filesActive")).isEqualTo(1L);
    }

    @Test
    void aManualChangerWaitsForTheOperatorWhoConfirmsOrRefusesTheMount() throws Exception {
        archive.library().setChanger("default", "manual");
        Mover m = archive.startLocalMovers(1, "default").get(0);
        CompletableFuture<Result> put;
        try (TransferClient t = transfers(1)) {
            put = CompletableFuture.supplyAsync(() -> t.putOne(uncheckedFile("m", 5000, 3), "/t/m"));
            MountRequest asked = awaitMount();
            assertThat(asked.state()).isEqualTo(LibraryMessages.MOUNT_WAITING);
            assertThat(asked.mover()).isEqualTo("mover1");
            // nothing moves while the operator has not answered: the mover waits and keeps its binding, for
            // longer than the mover timeout (a slower machine only makes the wait longer; each of the mover's
            // asks, every 0.2 s, is its heartbeat)
            Thread.sleep(SETTINGS.moverTimeoutMs() + 1_000);
            archive.library().reapNow();
            assertThat(put).isNotDone();
            assertThat(client.call(LibraryOps.MOVER_LS, null).movers().get(0).state())
                    .isEqualTo("mount_wait");
            assertThatThrownBy(() -> archive.namespace().stat("/t/m")).hasMessageContaining("no such file");
            MountRequest answered = client.call(LibraryOps.MOUNT_REPLY, new MountReply(asked.volume(), true, null));
            assertThat(answered.state()).isEqualTo(LibraryMessages.MOUNT_CONFIRMED);
            Result ok = put.get(PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            assertThat(ok.error()).isNull();
            assertThat(ok.volume()).isEqualTo(asked.volume());
        }
        // the mover's last word with the changer: its mount was the operator's (the put finished only after the
        // reply); once the volume has no more work, the manual changer tells the operator to take it out. The
        // mover gets there when it gets there, so that is awaited rather than caught half-way.
        await().atMost(PATIENCE).until(() -> m.lastChanger().output().contains("may be taken out of drive mover1"));
        assertThat(m.lastChanger().ok()).isTrue();

        // a refusal fails the request with the operator's reason, and nothing is recorded
        try (TransferClient t = new TransferClient(
                LibraryClient.over(client),
                new TransferClient.Options(null, null, null, 0, false, 0, 1, null, PATIENCE, null))) {
            put = CompletableFuture.supplyAsync(() -> t.putOne(uncheckedFile("n", 5000, 4), "/t/n"));
            MountRequest asked = awaitMount();
            client.call(LibraryOps.MOUNT_REPLY, new MountReply(asked.mover(), false, "cartridge cracked"));
            Result refused = put.get(PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            assertThat(refused.error()).contains("refused").contains("cartridge cracked");
        }
        assertThatThrownBy(() -> archive.namespace().stat("/t/n")).hasMessageContaining("no such file");
        assertThatThrownBy(() -> client.call(LibraryOps.MOUNT_REPLY, new MountReply("NOSUCH", true, null)))
                .hasMessageContaining("no mount of NOSUCH");
    }

    private MountRequest awaitMount() {
        return await().atMost(PATIENCE)
                .until(
                        () -> client.call(LibraryOps.MOUNT_LS, null).mounts().stream()
                                .filter(r -> r.state().equals(LibraryMessages.MOUNT_WAITING))
                                .findFirst()
                                .orElse(null),
                        java.util.Objects::nonNull);
    }

    private Path uncheckedFile(String name, int size, long seed) {
        try {
            return file(name, size, seed);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aPutWithTwoCopiesAndAHashLandsOnTwoVolumesAndReadsFallBackToTheCopy() throws Exception {
        archive.startLocalMovers(2, "default");
        Path src = file("k", 300_000, 7);
        String sha = "sha256:"
                + java.util.HexFormat.of()
                        .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(Files.readAllBytes(src)));
        Result r;
        try (TransferClient t = new TransferClient(
                LibraryClient.over(client),
                TransferClient.Options.defaults()
                        .withCopies(2)
                        .withHash("sha256")
                        .withWait(Duration.ofMinutes(10)))) {
            r = t.putOne(src, "/t/k");
        }
        assertThat(r.error()).isNull();
        assertThat(r.hash()).isEqualTo(sha);
        assertThat(r.copies()).hasSize(1).doesNotContain(r.volume());
        String copyVolume = r.copies().get(0);
        assertThat(archive.files().fsck().problems()).isEmpty();
        // one file, and its copy counted apart
        assertThat(archive.files().status()).containsEntry("filesActive", 1L).containsEntry("copiesActive", 1L);
        assertThat(archive.namespace().stat("/t/k").copies())
                .as("stat names every volume, the first written first")
                .containsExactly(r.volume(), copyVolume);

        // a copy of the same file to a volume that holds it is refused, by path or by content hash
        assertThatThrownBy(
                        () -> client.call(LibraryOps.COPY_TO_VOLUME, new LibraryMessages.CopyFile(sha, copyVolume, 0)))
                .hasMessageContaining("already holds");
        assertThatThrownBy(() -> client.call(
                        LibraryOps.COPY_TO_VOLUME, new LibraryMessages.CopyFile("sha256:" + "0".repeat(64), null, 0)))
                .hasMessageContaining("no file has content hash");

        // the original's volume goes away: the get is served from the copy, byte for byte
        archive.volumes().setState(r.volume(), org.silo.archive.volume.VolumeState.NOACCESS, "test", "drive ate it");
        Path back = local.resolve("k.back");
        Result got;
        try (TransferClient t = transfers(1)) {
            got = t.getOne("/t/k", back);
        }
        assertThat(got.error()).isNull();
        assertThat(got.volume()).isEqualTo(copyVolume);
        assertThat(Files.mismatch(src, back)).isEqualTo(-1L);

        // moving the file moves its copy's record; removing it removes both
        archive.namespace().mv("/t/k", "/t/k2");
        assertThat(archive.files().info(got.bfid()).path()).isEqualTo("/t/k2");
        archive.namespace().rm("/t/k2");
        assertThat(archive.files().status().get("filesActive")).isEqualTo(0L);
    }

    @Test
    void verifyingAVolumeReadsEveryFileAndNamesTheBadOne() throws Exception {
        archive.startLocalMovers(1, "default");
        Result a;
        Result b;
        try (TransferClient t = transfers(1)) {
            a = t.putOne(file("va", 70_000, 11), "/t/va");
            b = t.putOne(file("vb", 90_000, 12), "/t/vb");
        }
        assertThat(a.volume()).isEqualTo(b.volume());
        JobInfo good = awaitJob(client.call(LibraryOps.VERIFY_VOLUME, new LibraryMessages.VerifyVolume(a.volume(), 0))
                .id());
        assertThat(good.state()).isEqualTo("done");
        assertThat(good.result()).isEqualTo("2 files, 160000 bytes read: all good");

        BitFileInfo bf = archive.files().info(b.bfid());
        DirBackend vol = (DirBackend) archive.volumes()
                .backends()
                .get(archive.volumes().inquire(bf.volume()).backend());
        try (RandomAccessFile f = new RandomAccessFile(vol.path(bf.cookie()).toFile(), "rw")) {
            f.seek(12_345);
            int v = f.read();
            f.seek(12_345);
            f.write(v ^ 0x40);
        }
        long errorsBefore = archive.volumes().inquire(a.volume()).readErrors();
        JobInfo bad = awaitJob(client.call(LibraryOps.VERIFY_VOLUME, new LibraryMessages.VerifyVolume(a.volume(), 0))
                .id());
        assertThat(bad.state()).isEqualTo("failed");
        assertThat(bad.result()).isEqualTo("2 files, 160000 bytes read: 1 bad");
        assertThat(bad.error()).contains(b.bfid()).contains("adler32").doesNotContain(a.bfid());
        assertThat(archive.volumes().inquire(a.volume()).readErrors()).isEqualTo(errorsBefore + 1);
        assertThatThrownBy(() -> client.call(LibraryOps.VERIFY_VOLUME, new LibraryMessages.VerifyVolume("NOPE", 0)))
                .hasMessageContaining("NOPE");
    }

    @Test
    void clearingTheQueueCancelsWhatIsQueuedAndNothingElse() throws Exception {
        List<Mover> movers = archive.startLocalMovers(1, "default");
        Result r;
        try (TransferClient t = transfers(1)) {
            r = t.putOne(file("q1", 1000, 2), "/t/q1");
        }
        assertThat(r.error()).isNull();
        movers.forEach(Mover::kill); // nothing runs what is queued next
        long v1 = client.call(LibraryOps.VERIFY_VOLUME, new LibraryMessages.VerifyVolume(r.volume(), 0))
                .id();
        long v2 = client.call(LibraryOps.COPY_TO_VOLUME, new LibraryMessages.CopyFile("/t/q1", null, 0))
                .id();
        assertThat(client.call(LibraryOps.CLEAR_QUEUE, null).cancelled()).isEqualTo(2);
        assertThat(client.call(LibraryOps.JOB_INFO, Long.toString(v1)).state()).isEqualTo("cancelled");
        assertThat(client.call(LibraryOps.JOB_INFO, Long.toString(v2)).error()).contains("queue cleared by");
        assertThat(client.call(LibraryOps.CLEAR_QUEUE, null).cancelled()).isZero();
    }

    private JobInfo awaitJob(long id) {
        return await().atMost(PATIENCE)
                .until(
                        () -> client.call(LibraryOps.JOB_INFO, Long.toString(id)),
                        j -> !j.state().equals("queued") && !j.state().equals("active"));
    }

    @Test
    void aFlippedByteOnTheVolumeFailsTheGetAndCountsAgainstTheVolume() throws Exception {
        archive.startLocalMovers(1, "default");
        Path src = file("x", 100_000, 3);
        try (TransferClient t = transfers(1)) {
            assertThat(t.putOne(src, "/t/x").error()).isNull();
        }
        BitFileInfo b = archive.files().info(archive.namespace().stat("/t/x").bfid());
        DirBackend vol = (DirBackend) archive.volumes()
                .backends()
                .get(archive.volumes().inquire(b.volume()).backend());
        try (RandomAccessFile f = new RandomAccessFile(vol.path(b.cookie()).toFile(), "rw")) {
            f.seek(5000);
            int v = f.read();
            f.seek(5000);
            f.write(v ^ 0x01);
        }
        Path dest = local.resolve("x.back");
        Result r;
        try (TransferClient t = new TransferClient(
                LibraryClient.over(client), TransferClient.Options.defaults().withWait(Duration.ofMinutes(10)))) {
            r = t.getOne("/t/x", dest);
        }
        assertThat(r.error()).contains("CRC mismatch at mover");
        assertThat(Files.exists(dest)).isFalse();
        assertThat(archive.volumes().inquire(b.volume()).readErrors()).isGreaterThanOrEqualTo(1);
        assertThat(archive.files().fsck().problems()).hasSize(1);
    }

    @Test
    void verifiedWritesAndMergedReadsFanOutToEveryClient() throws Exception {
        Mover m = archive.startLocalMovers(1, "default").get(0);
        Path src = file("v", 300_000, 5);
        try (TransferClient t = new TransferClient(
                LibraryClient.over(client),
                TransferClient.Options.defaults().withVerify(true).withWait(Duration.ofMinutes(10)))) {
            assertThat(t.putOne(src, "/t/v").error()).isNull();
        }
        m.kill();
        archive.library().reapNow();
        Path a = local.resolve("a");
        Path b = local.resolve("b");
        // two clients ask for the same file while no mover runs: the second read joins the first
        CompletableFuture<Result> getA = new CompletableFuture<>();
        CompletableFuture<Result> getB = new CompletableFuture<>();
        TransferClient ta = transfers(1);
        TransferClient tb = transfers(1);
        Thread.ofVirtual().start(() -> getA.complete(ta.getOne("/t/v", a)));
        await().atMost(PATIENCE)
                .until(() -> archive.library().list(false, 10).stream()
                        .anyMatch(j -> j.kind().equals("read")));
        Thread.ofVirtual().start(() -> getB.complete(tb.getOne("/t/v", b)));
        List<JobInfo> queued = await().atMost(PATIENCE)
                .until(
                        () -> archive.library().list(false, 10).stream()
                                .filter(j -> j.kind().equals("read"))
                                .toList(),
                        l -> l.size() == 2);
        assertThat(queued.get(1).mergedInto()).isEqualTo(queued.get(0).id());
        archive.startLocalMovers(1, "default");
        List<Result> rs = List.of(getA.get(), getB.get());
        ta.close();
        tb.close();
        assertThat(rs).allSatisfy(x -> assertThat(x.error()).isNull());
        assertThat(Files.mismatch(src, a)).isEqualTo(-1L);
        assertThat(Files.mismatch(src, b)).isEqualTo(-1L);
    }

    @Test
    void requestsQueuedWhenTheServerRestartsCompleteAfterIt() throws Exception {
        List<Path> srcs = List.of(file("r1", 10_000, 1), file("r2", 20_000, 2), file("r3", 0, 3));
        // a mover has served the library before (so the requests are taken), but none runs until after the restart
        archive.library()
                .announce(new LibraryMessages.MoverHello(
                        "earlier-id", "earlier", "default", List.of("disk"), "h", "idle", null));
        CompletableFuture<List<Result>> put = new CompletableFuture<>();
        TransferClient t = new TransferClient(
                LibraryClient.local(() -> archive.library(), "alice"),
                TransferClient.Options.defaults()
                        .withParallel(3)
                        .withBatch(1, Long.MAX_VALUE)
                        .withWait(Duration.ofMinutes(10)));
        Thread.ofVirtual().start(() -> put.complete(t.put(srcs, List.of("/t/r1", "/t/r2", "/t/r3"))));
        await().atMost(PATIENCE).until(() -> archive.library().list(false, 10).size() >= 3);
        assertThat(archive.library().list(false, 10))
                .hasSize(3)
                .allSatisfy(j -> assertThat(j.state()).isEqualTo("queued"));
        archive.close();
        archive = ArchiveService.open(data, null, SETTINGS);
        assertThat(archive.library().list(false, 10)).hasSize(3);
        archive.startLocalMovers(2, "default");
        List<Result> rs = put.get();
        t.close();
        assertThat(rs).allSatisfy(x -> assertThat(x.error()).isNull());
        assertThat(archive.namespace().stat("/t/r2").size()).isEqualTo(20_000);
        assertThat(archive.files().fsck().problems()).isEmpty();
    }

    @Test
    void aRemoteMoverInASecondProcessServesARequest() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path home = data.resolve("remote-mover");
        Process p = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        "org.silo.archive.mover.RemoteMover",
                        "--server",
                        "127.0.0.1:" + server.address().getPort(),
                        "--home",
                        home.toString(),
                        "--name",
                        "faraway")
                .redirectErrorStream(true)
                .redirectOutput(data.resolve("remote-mover.log").toFile())
                .start();
        try {
            // the library counts as served once the mover has first spoken (a put before that is refused at once)
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> client.call(LibraryOps.MOVER_LS, null).movers().stream()
                            .anyMatch(m -> m.name().equals("faraway")));
            Path src = file("remote", 500_000, 9);
            Result put;
            Result got;
            try (TransferClient t = transfers(1)) {
                put = t.putOne(src, "/t/remote");
                got = t.getOne("/t/remote", local.resolve("remote.back"));
            }
            assertThat(put.error())
                    .as(Files.readString(data.resolve("remote-mover.log")))
                    .isNull();
            assertThat(put.mover()).isEqualTo("faraway");
            assertThat(got.error()).isNull();
            assertThat(Files.mismatch(src, local.resolve("remote.back"))).isEqualTo(-1L);
            assertThat(archive.library().mover("faraway").id())
                    .isEqualTo(Files.readString(home.resolve("mover.id")).trim());
            // the admin commands over the wire: name a mover, list movers and jobs
            MoverInfo renamed = client.call(LibraryOps.MOVER_NAME, new MoverName("faraway", "far-2"));
            assertThat(renamed.name()).isEqualTo("far-2");
            assertThat(client.call(LibraryOps.MOVER_LS, null).movers())
                    .extracting(MoverInfo::name)
                    .containsExactly("far-2");
            assertThat(client.call(LibraryOps.JOB_LS, new ListJobs(true, 10)).jobs())
                    .extracting(JobInfo::state)
                    .containsExactly("done", "done");
            // the server restarts on the same port: the remote mover opens a new session and serves again
            int port = server.address().getPort();
            client.close();
            server.close();
            Dispatcher d = new Dispatcher();
            archive.register(d);
            server = WireServer.start(
                    InetAddress.getLoopbackAddress(), port, WireServerConfig.DEFAULTS, d, new SimpleMeterRegistry());
            client = SiloClient.connect(ClientOptions.to(server.address()));
            Result after;
            try (TransferClient t = new TransferClient(
                    LibraryClient.over(client),
                    TransferClient.Options.defaults().withWait(Duration.ofMinutes(10)))) {
                after = t.putOne(src, "/t/remote-after-restart");
            }
            assertThat(after.error())
                    .as(Files.readString(data.resolve("remote-mover.log")))
                    .isNull();
            assertThat(after.mover()).isEqualTo("far-2");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    private List<Path> partFiles() throws IOException {
        try (Stream<Path> s = Files.walk(data.resolve("volumes"))) {
            return s.filter(x -> x.getFileName().toString().endsWith(".part")).toList();
        }
    }
}
