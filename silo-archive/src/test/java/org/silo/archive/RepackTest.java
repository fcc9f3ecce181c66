package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.silo.archive.catalog.Sql;
import org.silo.archive.mover.Mover;
import org.silo.archive.mover.MoverLink;
import org.silo.archive.ops.FileMessages.BitFileInfo;
import org.silo.archive.ops.FileMessages.FsckReport;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryOps;
import org.silo.archive.ops.VolumeMessages.AddVol;
import org.silo.archive.ops.VolumeMessages.EditVol;
import org.silo.archive.transfer.LibraryClient;
import org.silo.archive.transfer.TransferClient;
import org.silo.archive.transfer.TransferClient.Result;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.Backends;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.WireServer;
import org.silo.wire.server.WireServerConfig;

/**
 * Issue 13, repack: after small files are removed, repack copies the live members of a volume's
 * containers into new containers on another volume through a mover, every file keeping its bfid and path
 * and reading back byte for byte (also while the repack runs), and the old containers are freed. A member
 * whose bytes are damaged is named by verify (each container read once), fsck and repack, fails its get
 * with the CRC error, and stays where it is while its neighbours move. On SQLite and PostgreSQL, dir and S3.
 */
class RepackTest {
    static S3Fixture s3;
    static final Duration PATIENCE = Duration.ofMinutes(5);

    @TempDir
    Path data;

    @TempDir
    Path local;

    TestCatalogs catalogs;
    ArchiveService archive;
    WireServer server;
    SiloClient client;
    Mover mover;
    String kind;
    String prefix;
    /** A volume (part of its backend's URI) whose storage fills up after 64 KiB of a new file; null: none. */
    volatile String fillsUp;
    /** Opens by the mover, per file of the volume SMALL01. */
    final Map<Long, Integer> opens = new ConcurrentHashMap<>();

    @BeforeAll
    static void s3() throws Exception {
        s3 = new S3Fixture();
    }

    @AfterAll
    static void noS3() throws Exception {
        s3.close();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("sqlite", "dir"),
                Arguments.of("sqlite", "s3"),
                Arguments.of("pg", "dir"),
                Arguments.of("pg", "s3"));
    }

    void start(String catalog, String backend) throws Exception {
        kind = backend;
        catalogs = new TestCatalogs(catalog);
        archive = ArchiveService.open(data, catalogs.setting, AggregationTest.SETTINGS);
        Dispatcher d = new Dispatcher();
        archive.register(d);
        server = WireServer.start(
                InetAddress.getLoopbackAddress(), 0, WireServerConfig.DEFAULTS, d, new SimpleMeterRegistry());
        client = SiloClient.connect(ClientOptions.to(server.address()));
        prefix = "repack-" + System.nanoTime();
        archive.volumes().addvol(new AddVol("SMALL01", "small", "disk", "10G", backend(1), "sg", "ff"), "test");
        archive.namespace().mkdir("/s", false, "alice");
        mover = new Mover(
                        new Mover.Config(data.resolve("m"), "m", "small", List.of("disk"), "h", 0),
                        MoverLink.local(archive.library()),
                        new Backends(data, b -> new Opens(b)))
                .start();
    }

    String backend(int n) {
        return kind.equals("dir") ? "dir:smallvol" + n : s3.uri(prefix + "/v" + n);
    }

    @AfterEach
    void stop() throws Exception {
        if (mover != null) {
            mover.kill();
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
        if (catalogs != null) {
            catalogs.close();
        }
    }

    TransferClient transfers() throws IOException {
        return new TransferClient(
                LibraryClient.over(client),
                TransferClient.Options.defaults()
                        .withPlacement("small", "sg", "ff")
                        .withParallel(2)
                        .withWait(PATIENCE));
    }

    /** Puts n small files /s/f0.. (sizes up to 16 KiB, some empty): their local sources. */
    List<Path> put(int n) throws Exception {
        List<Path> sources = new ArrayList<>();
        List<String> dests = new ArrayList<>();
        Random r = new Random(n);
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[i % 17 == 0 ? 0 : r.nextInt(16 << 10)];
            r.nextBytes(b);
            Path p = local.resolve("in/f" + i);
            Files.createDirectories(p.getParent());
            Files.write(p, b);
            sources.add(p);
            dests.add("/s/f" + i);
        }
        try (TransferClient t = transfers()) {
            assertThat(t.put(sources, dests))
                    .allSatisfy(x -> assertThat(x.error()).isNull());
        }
        return sources;
    }

    JobInfo repack(String volume, String to) throws SiloException {
        return client.call(LibraryOps.REPACK_VOLUME, new LibraryMessages.RepackVolume(volume, to, 0));
    }

    JobInfo finished(long id) {
        return await().atMost(PATIENCE)
                .until(
                        () -> archive.library().info(id),
                        j -> !j.state().equals("queued") && !j.state().equals("active"));
    }

    long count(String sql, Object... args) throws SiloException {
        return archive.catalog().tx(c -> Sql.count(c, sql, args));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void repackMovesTheLiveFilesKeepsTheirBfidsAndFreesTheOldContainers(String catalog, String backend)
            throws Exception {
        start(catalog, backend);
        List<Path> sources = put(60);
        long oldContainers = count("SELECT COUNT(*) FROM container WHERE volume = 'SMALL01' AND state = 'active'");
        assertThat(oldContainers)
                .as("60 files of up to 16 KiB in containers of 1 MiB")
                .isGreaterThanOrEqualTo(1);
        long removed = 0;
        for (int i = 0; i < 60; i += 3) {
            removed += Files.size(sources.get(i));
            archive.namespace().rm("/s/f" + i);
        }
        assertThat(archive.volumes().inquire("SMALL01").deadBytes())
                .as("what rm left behind")
                .isGreaterThanOrEqualTo(removed);
        archive.volumes().addvol(new AddVol("SMALL02", "small", "disk", "10G", backend(2), "sg", "ff"), "test");

        Map<String, BitFileInfo> before = new HashMap<>();
        List<String> live = new ArrayList<>();
        List<Path> back = new ArrayList<>();
        for (int i = 1; i < 60; i++) {
            if (i % 3 != 0) {
                live.add("/s/f" + i);
                back.add(local.resolve("during/f" + i));
                before.put(
                        "/s/f" + i,
                        archive.files()
                                .info(archive.namespace().stat("/s/f" + i).bfid()));
            }
        }
        Files.createDirectories(local.resolve("during"));
        // reads go on while the repack runs: whichever comes first, every file reads back
        CompletableFuture<List<Result>> during = CompletableFuture.supplyAsync(() -> {
            try (TransferClient t = transfers()) {
                return t.get(live, back);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        JobInfo queued = repack("SMALL01", null);
        assertThat(queued.kind()).isEqualTo("repack");
        JobInfo done = finished(queued.id());
        assertThat(done.state()).as(String.valueOf(done.error())).isEqualTo("done");
        assertThat(done.result()).startsWith("repacked 40 files").contains("on SMALL02");
        assertThat(during.get()).allSatisfy(x -> assertThat(x.error()).isNull());
        long kept = count("SELECT COUNT(*) FROM container WHERE volume = 'SMALL01' AND state = 'active'");
        if (kept == 0) {
            assertThat(done.result()).contains("freed " + oldContainers + " containers");
        } else { // the get was queued before the switch and read the old containers: they waited for it, and go now
            assertThat(done.result())
                    .contains("freed " + (oldContainers - kept) + " containers")
                    .contains("kept " + kept);
            JobInfo again = finished(repack("SMALL01", null).id());
            assertThat(again.state()).isEqualTo("done");
            assertThat(again.result()).startsWith("repacked 0 files").contains("freed " + kept + " containers");
        }

        for (int k = 0; k < live.size(); k++) {
            String p = live.get(k);
            BitFileInfo now = archive.files().info(archive.namespace().stat(p).bfid());
            assertThat(now.bfid())
                    .as(p + " keeps its bfid")
                    .isEqualTo(before.get(p).bfid());
            assertThat(now.path()).isEqualTo(p);
            assertThat(now.volume()).isEqualTo("SMALL02");
            assertThat(now.adler32()).isEqualTo(before.get(p).adler32());
            assertThat(now.cookie()).matches("0000_000000000_[0-9]{7}\\+[0-9]+\\+[0-9]+");
            int i = Integer.parseInt(p.substring(4));
            assertThat(Files.mismatch(sources.get(i), back.get(k)))
                    .as(p + " read during the repack")
                    .isEqualTo(-1L);
        }
        List<Path> after =
                live.stream().map(p -> local.resolve("after" + p.substring(2))).toList();
        Files.createDirectories(local.resolve("after"));
        try (TransferClient t = transfers()) {
            assertThat(t.get(live, after)).allSatisfy(x -> assertThat(x.error()).isNull());
        }
        for (int k = 0; k < live.size(); k++) {
            int i = Integer.parseInt(live.get(k).substring(4));
            assertThat(Files.mismatch(sources.get(i), after.get(k)))
                    .as(live.get(k) + " read after the repack")
                    .isEqualTo(-1L);
        }

        // the old containers are gone: freed in the catalog, their bytes removed from the volume
        List<String> old = archive.catalog()
                .tx(c -> Sql.list(c, "SELECT cookie FROM container WHERE volume = 'SMALL01'", rs -> rs.getString(1)));
        assertThat(old).hasSize((int) oldContainers);
        assertThat(count("SELECT COUNT(*) FROM container WHERE volume = 'SMALL01' AND state = 'freed'"))
                .isEqualTo(oldContainers);
        Backend b1 = archive.volumes()
                .backends()
                .get(archive.volumes().inquire("SMALL01").backend());
        for (String cookie : old) {
            try (InputStream in = b1.open(cookie)) {
                assertThat(in.readAllBytes())
                        .as("container " + cookie + " freed")
                        .isEmpty();
            }
        }
        assertThat(archive.volumes().inquire("SMALL01").deadBytes()).isZero();
        assertThat(archive.volumes().inquire("SMALL01").containers()).isZero();
        assertThat(archive.volumes().inquire("SMALL02").deadBytes()).isZero();
        assertThat(archive.volumes().inquire("SMALL02").writing()).isNull();
        FsckReport f = archive.files().fsck();
        assertThat(f.checked()).isEqualTo(40);
        assertThat(f.problems()).isEmpty();
        assertThat(f.warnings()).isEmpty();

        // nothing left to repack; an unknown volume; no other volume to go to
        assertThat(refused(() -> repack("SMALL01", null), ErrorCode.INVALID))
                .contains("nothing to repack")
                .contains("SMALL01");
        assertThat(refused(() -> repack("NOPE01", null), ErrorCode.NOT_FOUND)).contains("no volume NOPE01");
        assertThat(refused(() -> repack("SMALL02", "SMALL02"), ErrorCode.INVALID))
                .contains("onto itself");
        archive.volumes().edit(new EditVol("SMALL01", "readonly", "test", "test", null, null, null));
        assertThat(refused(() -> repack("SMALL02", null), ErrorCode.NO_SPACE))
                .contains("no other volume to repack SMALL02");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void aDamagedMemberIsNamedByVerifyFsckAndRepackAndStaysWhileItsNeighboursMove(String catalog, String backend)
            throws Exception {
        start(catalog, backend);
        List<Path> sources = put(12);
        BitFileInfo hurt =
                archive.files().info(archive.namespace().stat("/s/f5").bfid());
        Backend.Location at = Backend.location(hurt.cookie());
        Backend b1 = archive.volumes()
                .backends()
                .get(archive.volumes().inquire("SMALL01").backend());
        byte[] whole;
        try (InputStream in = b1.open(at.fileCookie())) {
            whole = in.readAllBytes();
        }
        whole[(int) at.offset() + 3] ^= 0x21;
        String name = at.fileCookie().substring(15);
        if (backend.equals("dir")) {
            Files.write(data.resolve("smallvol1").resolve(name), whole);
        } else {
            s3.putObject(prefix + "/v1/" + name, whole);
        }

        opens.clear();
        JobInfo verify = client.call(LibraryOps.VERIFY_VOLUME, new LibraryMessages.VerifyVolume("SMALL01", 0));
        JobInfo verified = finished(verify.id());
        assertThat(verified.state()).isEqualTo("failed");
        assertThat(verified.error()).contains(hurt.bfid()).contains("1 of 12 files bad");
        assertThat(opens)
                .as("verify reads each container once")
                .containsOnlyKeys(at.fileNumber())
                .containsValue(1);

        assertThat(archive.files().fsck().problems())
                .singleElement()
                .satisfies(p -> assertThat(p.bfid()).isEqualTo(hurt.bfid()));
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            all.add("/s/f" + i);
        }
        List<Path> got =
                all.stream().map(p -> local.resolve("got" + p.substring(2))).toList();
        Files.createDirectories(local.resolve("got"));
        try (TransferClient t = transfers()) {
            List<Result> r = t.get(all, got);
            assertThat(r.get(5).error()).contains("CRC mismatch at mover");
            for (int i = 0; i < 12; i++) {
                if (i != 5) {
                    assertThat(r.get(i).error()).as(all.get(i)).isNull();
                    assertThat(Files.mismatch(sources.get(i), got.get(i))).isEqualTo(-1L);
                }
            }
        }

        archive.volumes().addvol(new AddVol("SMALL02", "small", "disk", "10G", backend(2), "sg", "ff"), "test");
        JobInfo repacked = finished(repack("SMALL01", "SMALL02").id());
        assertThat(repacked.state()).isEqualTo("failed");
        assertThat(repacked.error()).contains(hurt.bfid()).contains("not repacked");
        assertThat(repacked.result()).startsWith("repacked 11 files");
        assertThat(archive.files().info(hurt.bfid()).volume())
                .as("the bad one stays where it was")
                .isEqualTo("SMALL01");
        assertThat(count("SELECT COUNT(*) FROM container WHERE volume = 'SMALL01' AND state = 'active'"))
                .as("its container is not freed")
                .isEqualTo(1);
        for (int i = 0; i < 12; i++) {
            if (i != 5) {
                assertThat(archive.files()
                                .info(archive.namespace().stat("/s/f" + i).bfid())
                                .volume())
                        .isEqualTo("SMALL02");
                assertThat(archive.files().read("/s/f" + i)).isEqualTo(Files.readAllBytes(sources.get(i)));
            }
        }
        assertThat(archive.files().fsck().problems())
                .singleElement()
                .satisfies(p -> assertThat(p.bfid()).isEqualTo(hurt.bfid()));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void copiesOfSmallFilesCopyWholeContainersAndVerifyReadsEachOnce(String catalog, String backend) throws Exception {
        start(catalog, backend);
        archive.volumes().addvol(new AddVol("SMALL02", "small", "disk", "10G", backend(2), "sg", "ff"), "test");
        List<Path> sources = new ArrayList<>();
        List<String> dests = new ArrayList<>();
        Random r = new Random(3);
        for (int i = 0; i < 30; i++) {
            byte[] b = new byte[1 + r.nextInt(48 << 10)];
            r.nextBytes(b);
            sources.add(Files.write(local.resolve("c" + i), b));
            dests.add("/s/c" + i);
        }
        opens.clear();
        try (TransferClient t = new TransferClient(
                LibraryClient.over(client),
                TransferClient.Options.defaults()
                        .withPlacement("small", "sg", "ff")
                        .withCopies(2)
                        .withVerify(true)
                        .withWait(PATIENCE))) {
            assertThat(t.put(sources, dests)).allSatisfy(x -> {
                assertThat(x.error()).isNull();
                assertThat(x.volume()).isEqualTo("SMALL01");
                assertThat(x.copies()).containsExactly("SMALL02");
            });
        }
        long containers = count("SELECT COUNT(*) FROM container WHERE volume = 'SMALL01'");
        assertThat(containers)
                .as("about 720 KiB in containers of 1 MiB, closed at each batch's end")
                .isGreaterThanOrEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM request WHERE kind = 'copy'"))
                .as("one copy per container, not per file")
                .isEqualTo(containers);
        assertThat(count("SELECT COUNT(*) FROM container WHERE volume = 'SMALL02'"))
                .isEqualTo(containers);
        assertThat(
                        count(
                                "SELECT COUNT(*) FROM bit_file WHERE volume = 'SMALL02' AND original IS NOT NULL AND container IS NOT NULL"))
                .isEqualTo(30);
        assertThat(archive.volumes().inquire("SMALL02").files())
                .as("a file per member copied, as a group commit counts them")
                .isEqualTo(30);
        assertThat(opens.values())
                .as("each container read once by --verify and once by its copy")
                .allMatch(n -> n == 2);
        assertThat(opens).hasSize((int) containers);

        // the original's volume unreadable: every file is read from its container's copy
        archive.volumes().edit(new EditVol("SMALL01", "noaccess", "test", "test", null, null, null));
        List<Path> got =
                dests.stream().map(d -> local.resolve("got-" + d.substring(3))).toList();
        try (TransferClient t = transfers()) {
            assertThat(t.get(dests, got)).allSatisfy(x -> assertThat(x.error()).isNull());
        }
        for (int i = 0; i < 30; i++) {
            assertThat(Files.mismatch(sources.get(i), got.get(i))).isEqualTo(-1L);
        }
        archive.volumes().edit(new EditVol("SMALL01", "ok", "test", "test", null, null, null));
        FsckReport f = archive.files().fsck();
        assertThat(f.checked()).as("30 files and their 30 copies").isEqualTo(60);
        assertThat(f.problems()).isEmpty();

        // a copy follows its original through rm: both containers count the member as dead
        archive.namespace().rm("/s/c0");
        assertThat(archive.volumes().inquire("SMALL01").deadBytes()).isGreaterThanOrEqualTo(Files.size(sources.get(0)));
        assertThat(archive.volumes().inquire("SMALL02").deadBytes())
                .isEqualTo(archive.volumes().inquire("SMALL01").deadBytes());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void theFilesOfAContainerCutShortFailEachWithTheReasonAndNoneIsLeftUnanswered(String catalog, String backend)
            throws Exception {
        start(catalog, backend);
        put(12);
        Backend.Location at = Backend.location(
                archive.files().info(archive.namespace().stat("/s/f1").bfid()).cookie());
        String name = at.fileCookie().substring(15);
        if (backend.equals("dir")) { // as a container freed under a read that did not hold it would be
            Files.write(data.resolve("smallvol1").resolve(name), new byte[0]);
        } else {
            s3.putObject(prefix + "/v1/" + name, new byte[0]);
        }
        List<String> all = new ArrayList<>();
        for (int i = 1; i < 12; i++) {
            all.add("/s/f" + i);
        }
        Files.createDirectories(local.resolve("short"));
        try (TransferClient t = transfers()) {
            List<Result> r = t.get(
                    all,
                    all.stream()
                            .map(p -> local.resolve("short" + p.substring(2)))
                            .toList());
            assertThat(r)
                    .as("every file answered")
                    .doesNotContainNull()
                    .allSatisfy(x -> assertThat(x.error()).containsAnyOf("size mismatch at mover", "cannot read"));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void aTargetThatFillsUpIsMarkedFullAndTheNextRepackGoesElsewhere(String catalog, String backend) throws Exception {
        start(catalog, backend);
        List<Path> sources = put(40);
        archive.namespace().rm("/s/f1");
        archive.volumes().addvol(new AddVol("SMALL02", "small", "disk", "10G", backend(2), "sg", "ff"), "test");
        fillsUp = backend.equals("dir") ? "smallvol2" : prefix + "/v2";
        JobInfo first = finished(repack("SMALL01", "SMALL02").id());
        assertThat(first.state()).isEqualTo("failed");
        assertThat(first.error()).contains("no space left on SMALL02");
        var full = archive.volumes().inquire("SMALL02");
        assertThat(full.state()).as("full, as a write's volume would be").isEqualTo("full");
        assertThat(full.writeErrors()).as("a full volume is not a bad one").isZero();
        assertThat(full.writing()).isNull();
        assertThat(full.containers()).isZero();
        assertThat(archive.files().fsck().warnings())
                .as("no half container left on SMALL02")
                .isEmpty();
        for (int i = 0; i < 40; i++) {
            if (i != 1) {
                assertThat(archive.files()
                                .info(archive.namespace().stat("/s/f" + i).bfid())
                                .volume())
                        .isEqualTo("SMALL01");
                assertThat(archive.files().read("/s/f" + i)).isEqualTo(Files.readAllBytes(sources.get(i)));
            }
        }
        archive.volumes().addvol(new AddVol("SMALL03", "small", "disk", "10G", backend(3), "sg", "ff"), "test");
        JobInfo again = finished(repack("SMALL01", null).id());
        assertThat(again.state()).as(String.valueOf(again.error())).isEqualTo("done");
        assertThat(again.result()).startsWith("repacked 39 files").contains("on SMALL03");
    }

    static String refused(ThrowingCall call, ErrorCode code) {
        SiloException[] caught = new SiloException[1];
        assertThatThrownBy(call::run).isInstanceOfSatisfying(SiloException.class, e -> {
            assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
            caught[0] = e;
        });
        return caught[0].getMessage();
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    /** A backend that counts the mover's opens of SMALL01's files. */
    final class Opens extends ForwardingBackend {
        Opens(Backend b) {
            super(b);
        }

        @Override
        public InputStream open(String cookie) throws SiloException {
            if (b.uri().contains(kind.equals("dir") ? "smallvol1" : prefix + "/v1")) {
                opens.merge(Backend.location(cookie).fileNumber(), 1, Integer::sum);
            }
            return b.open(cookie);
        }

        @Override
        public NewFile create() throws SiloException {
            NewFile f = b.create();
            if (fillsUp == null || !b.uri().contains(fillsUp)) {
                return f;
            }
            // its storage holds 64 KiB, then answers as a full disk does
            return writingTo(f, new java.io.FilterOutputStream(f.out()) {
                long n;

                @Override
                public void write(byte[] buf, int off, int len) throws IOException {
                    if ((n += len) > 64 << 10) {
                        throw new IOException("No space left on device");
                    }
                    out.write(buf, off, len);
                }

                @Override
                public void write(int x) throws IOException {
                    write(new byte[] {(byte) x}, 0, 1);
                }
            });
        }
    }
}
