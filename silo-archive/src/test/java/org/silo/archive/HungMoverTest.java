package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.lm.LibraryManager;
import org.silo.archive.lm.LibrarySettings;
import org.silo.archive.mover.Mover;
import org.silo.archive.mover.MoverLink;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.VolumeMessages.AddVol;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.archive.transfer.LibraryClient;
import org.silo.archive.transfer.TransferClient;
import org.silo.archive.transfer.TransferClient.Result;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.Backends;
import org.silo.archive.volume.VolumeState;
import org.silo.wire.SiloException;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.WireServer;
import org.silo.wire.server.WireServerConfig;

/**
 * Seed 000's set_hung and inquire_vol from movers (docs/archive.md, "Hung drives"). A hung drive is a volume backend whose
 * write never returns: its mover goes on reporting progress with no byte moving, the library manager's
 * watchdog marks the volume hung with the reason and hands the job to another mover, once. No test here
 * waits for archive.hung-after: it is an hour, and the watchdog is run as if that hour had passed
 * ({@link LibraryManager#findHungMovers}) once the backend says the write is stuck.
 */
class HungMoverTest {
    @TempDir
    Path data;

    @TempDir
    Path local;

    static final Duration PATIENCE = Duration.ofMinutes(5);
    static final LibrarySettings SETTINGS =
            new LibrarySettings(3_600_000, 1, 1_000_001, 3_600_000, 200).withHungAfter(3_600_000);
    static final long LATER = SETTINGS.hungAfterMs() + 1;

    ArchiveService archive;
    WireServer server;
    SiloClient client;
    final List<Mover> movers = new ArrayList<>();
    /** The backends that hang, by their directory's name. */
    final Map<String, Stuck> stuck = new ConcurrentHashMap<>();

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

    @AfterEach
    void stop() {
        movers.forEach(Mover::kill); // a mover stuck in a write is interrupted out of it, and says nothing more
        stuck.values().forEach(s -> s.release.countDown());
        client.close();
        server.close();
        archive.close();
    }

    /** A volume of library tiny in {@code data/DIR}; with {@code hangs}, every write to it blocks until the test ends. */
    VolumeInfo volume(String label, boolean hangs) throws SiloException {
        String dir = label.toLowerCase();
        if (hangs) {
            stuck.put(dir, new Stuck());
        }
        return archive.volumes()
                .addvol(new AddVol(label, "tiny", "disk", "1G", "dir:" + data.resolve(dir), null, null), "test");
    }

    Mover mover(String name) throws SiloException {
        Mover m = new Mover(
                new Mover.Config(data.resolve(name), name, "tiny", List.of("disk"), "h", 0),
                MoverLink.local(archive.library()),
                new Backends(data, b -> {
                    Stuck s = stuck.get(
                            Path.of(b.uri().substring(4)).getFileName().toString());
                    return s == null ? b : s.around(b);
                }));
        movers.add(m);
        return m.start();
    }

    CompletableFuture<Result> put(Path src, String dest) {
        return CompletableFuture.supplyAsync(() -> {
            try (TransferClient t = new TransferClient(
                    LibraryClient.over(client),
                    TransferClient.Options.defaults()
                            .withPlacement("tiny", null, null)
                            .withParallel(1)
                            .withWait(PATIENCE))) {
                return t.putOne(src, dest);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    Path file(String name, int size) throws IOException {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return Files.write(local.resolve(name), b);
    }

    List<JobInfo> jobs(String path) throws SiloException {
        return archive.library().list(true, 1000).stream()
                .filter(j -> j.path().equals(path))
                .toList();
    }

    void assertComesBackByteForByte(Path src, String path) throws IOException {
        Path back = local.resolve("back-" + src.getFileName());
        try (TransferClient t = new TransferClient(
                LibraryClient.over(client),
                TransferClient.Options.defaults()
                        .withPlacement("tiny", null, null)
                        .withParallel(1)
                        .withWait(PATIENCE))) {
            assertThat(t.getOne(path, back).error()).isNull();
        }
        assertThat(Files.mismatch(src, back)).isEqualTo(-1L);
    }

    /** Stuck until the watchdog, run as if hung-after had passed, finds one mover hung. */
    void findHung(Stuck s) {
        await().atMost(PATIENCE).until(() -> s.entered.getCount() == 0);
        // the mover reports progress for its job every half second; once it has, with no byte moving, it is hung
        await().atMost(PATIENCE).until(() -> archive.library().findHungMovers(LATER) == 1);
    }

    @Test
    void aMoverWhoseWriteStopsMovingIsHungItsVolumeSetHungAndTheJobDoneByAnotherMover() throws Exception {
        volume("HANG01", true); // chosen first: blank volumes are taken in label order
        volume("WELL02", false);
        mover("first");
        Path src = file("f", 3 << 20);
        CompletableFuture<Result> put = put(src, "/t/f");
        findHung(stuck.get("hang01"));

        VolumeInfo v = archive.volumes().inquire("HANG01");
        assertThat(v.state()).isEqualTo("hung");
        assertThat(v.stateBy()).isEqualTo("first");
        assertThat(v.stateReason())
                .startsWith("mover first hung: no byte moved for 3600 s on volume HANG01")
                .contains("write of /t/f");
        assertThat(v.writing()).as("its write mark went with the job").isNull();
        assertThat(archive.library().mover("first").state()).isEqualTo("hung");
        assertThat(jobs("/t/f")).singleElement().satisfies(j -> {
            assertThat(j.state()).isEqualTo("queued");
            assertThat(j.error())
                    .startsWith(LibraryMessages.REQUEUED + "mover first hung")
                    .endsWith("handed to another mover");
        });

        mover("second");
        Result r = put.get();
        assertThat(r.error()).isNull();
        assertThat(r.volume()).isEqualTo("WELL02");
        assertThat(r.attempts())
                .as("the same request, handed on: not one of the client's retries")
                .isEqualTo(1);
        assertThat(jobs("/t/f")).singleElement().satisfies(j -> {
            assertThat(j.state()).isEqualTo("done");
            assertThat(j.moverName()).isEqualTo("second");
        });
        assertThat(archive.library().mover("first").errors()).isEqualTo(1);
        List<String> history = archive.volumes().history("HANG01");
        assertThat(history.get(history.size() - 1)).startsWith("ok -> hung by first: mover first hung");
        assertComesBackByteForByte(src, "/t/f");
        assertThat(archive.files().fsck().problems()).isEmpty();
        // the hung volume is not chosen again, nor read: an operator sets it ok once the drive is seen to
        assertThat(VolumeState.parse(archive.volumes().inquire("HANG01").state())
                        .readable())
                .isFalse();
    }

    @Test
    void aJobThatHangsASecondMoverFailsWithTheReasonInsteadOfBeingHandedOnAgain() throws Exception {
        volume("HANG01", true);
        volume("HANG02", true);
        volume("WELL03", false);
        mover("first");
        Path src = file("f", 3 << 20);
        CompletableFuture<Result> put = put(src, "/t/f");
        findHung(stuck.get("hang01"));
        mover("second");
        findHung(stuck.get("hang02"));

        List<JobInfo> first = jobs("/t/f");
        assertThat(first).hasSize(1);
        JobInfo failed = await().atMost(PATIENCE)
                .until(
                        () -> archive.library().info(first.get(0).id()),
                        j -> !j.state().equals("active"));
        assertThat(failed.state()).isEqualTo("failed");
        assertThat(failed.error())
                .startsWith("mover second hung: no byte moved")
                .contains("on volume HANG02")
                .endsWith("the job hung 1 time(s) before, so it is not handed on again");
        assertThat(archive.volumes().inquire("HANG01").state()).isEqualTo("hung");
        assertThat(archive.volumes().inquire("HANG02").state()).isEqualTo("hung");

        // the client's own retry is a new request, which a third mover writes to the volume that is left
        mover("third");
        Result r = put.get();
        assertThat(r.error()).isNull();
        assertThat(r.volume()).isEqualTo("WELL03");
        assertThat(r.attempts()).isEqualTo(2);
        assertComesBackByteForByte(src, "/t/f");
    }

    /**
     * inquire_vol before a write: a volume set readonly while its mover waits for an operator to mount it
     * is not written; the request goes to another volume as it stands (its client never contacted), and
     * the volume that took it counts its remaining bytes down in the group commit's own transaction
     * (what seed 000's set_remaining_bytes after a write would say).
     */
    @Test
    void aVolumeSetReadonlyAfterTheJobWasBoundIsNotWrittenAndTheFileGoesToAnotherVolume() throws Exception {
        volume("TAPE01", false);
        volume("TAPE02", false);
        archive.library().setChanger("tiny", "manual");
        mover("drive1");
        Path src = file("f", 3 << 20);
        CompletableFuture<Result> put = put(src, "/t/f");
        await().atMost(PATIENCE).until(() -> waiting("TAPE01"));
        archive.volumes().setState("TAPE01", VolumeState.READONLY, "operator", "label torn");
        archive.library().answerMount("TAPE01", true, "mounted", "operator");
        await().atMost(PATIENCE).until(() -> waiting("TAPE02"));
        archive.library().answerMount("TAPE02", true, "mounted", "operator");

        Result r = put.get();
        assertThat(r.error()).isNull();
        assertThat(r.volume()).isEqualTo("TAPE02");
        assertThat(r.attempts()).isEqualTo(1);
        assertThat(jobs("/t/f"))
                .singleElement()
                .satisfies(j -> assertThat(j.state()).isEqualTo("done"));
        VolumeInfo v1 = archive.volumes().inquire("TAPE01");
        assertThat(v1.state()).as("as the operator left it").isEqualTo("readonly");
        assertThat(v1.writing()).isNull();
        assertThat(v1.writeErrors()).isZero();
        assertThat(v1.files()).isZero();
        assertThat(onDisk("tape01")).as("nothing written to it").isZero();
        VolumeInfo v2 = archive.volumes().inquire("TAPE02");
        assertThat(v2.remaining()).isEqualTo(v2.capacity() - onDisk("tape02")).isLessThan(v2.capacity());
        archive.library().setChanger("tiny", "none"); // the get needs no operator
        assertComesBackByteForByte(src, "/t/f");
    }

    boolean waiting(String volume) {
        return archive.library().mountRequests().stream()
                .anyMatch(m -> m.volume().equals(volume) && m.state().equals(LibraryMessages.MOUNT_WAITING));
    }

    /** The bytes of the files in the volume's directory (none if it was never made). */
    long onDisk(String dir) throws IOException {
        Path p = data.resolve(dir);
        if (!Files.isDirectory(p)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(p)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }

    /** A drive that hangs: every write to a new file of the volume blocks until the test releases it (or interrupts its mover). */
    static final class Stuck {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        Backend around(Backend b) {
            return new ForwardingBackend(b) {
                @Override
                public NewFile create() throws SiloException {
                    return writingTo(b.create(), new OutputStream() {
                        @Override
                        public void write(int x) throws IOException {
                            write(new byte[] {(byte) x}, 0, 1);
                        }

                        @Override
                        public void write(byte[] buf, int off, int len) throws IOException {
                            entered.countDown();
                            try {
                                release.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            throw new IOException("the drive was released by the test");
                        }
                    });
                }
            };
        }
    }
}
