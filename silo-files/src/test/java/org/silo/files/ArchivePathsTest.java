package org.silo.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.ArchiveService;
import org.silo.archive.S3Fixture;
import org.silo.archive.lm.LibrarySettings;
import org.silo.archive.ops.FileMessages.WriteFile;
import org.silo.archive.ops.VolumeMessages.AddVol;
import org.silo.archive.transfer.LibraryClient;
import org.silo.archive.transfer.TransferClient;
import org.silo.block.image.ImageStore;
import org.silo.files.FilesOps.Name;
import org.silo.files.client.FilesClient;
import org.silo.files.server.ArchiveGateway;
import org.silo.files.server.FilesService;
import org.silo.files.server.FilesSettings;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.WireServer;
import org.silo.wire.server.WireServerConfig;

/**
 * Archive paths through the file service, against a real archive with movers: files on directory volumes
 * read in place, files on S3 staged into the cache while the client waits, and files written through the
 * service archived on close and read back through the archive.
 */
class ArchivePathsTest {
    /** No test here kills a mover: a timeout no busy machine reaches (1.5 s had reaped working ones). */
    static final LibrarySettings LM = new LibrarySettings(3_600_000, 1, 1_000_001, 3_600_000, 200);
    /**
     * How long a client keeps opening again after BUSY: a staging or an archiving on close may take longer
     * than the server holds one request (WAIT_MS) on a busy machine, which is what BUSY says.
     */
    static final Duration PATIENCE = Duration.ofMinutes(5);

    static final long WAIT_MS = 3_000;
    static final long CACHE = 250_000;

    @TempDir
    Path dir;

    @TempDir
    Path local;

    ArchiveService archive;
    FilesService files;
    WireServer server;
    SiloClient client;

    @BeforeEach
    void start() throws Exception {
        archive = ArchiveService.open(Files.createDirectories(dir.resolve("data")), null, LM);
        archive.startLocalMovers(1, "default");
        archive.namespace().mkdir("/exp", false, "root");
        files = new FilesService(
                dir,
                new ImageStore(dir.resolve("images")),
                new ArchiveGateway(archive, null),
                Map::of,
                new FilesSettings(dir.resolve("files-cache"), CACHE, WAIT_MS, InetAddress.getLoopbackAddress(), 0));
        Dispatcher d = new Dispatcher();
        files.register(d);
        server = WireServer.start(
                InetAddress.getLoopbackAddress(), 0, WireServerConfig.DEFAULTS, d, new SimpleMeterRegistry());
        client = SiloClient.connect(ClientOptions.to(server.address()));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
        files.close();
        archive.close();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private TransferClient transfers() throws Exception {
        return new TransferClient(
                LibraryClient.local(archive::library, "test"),
                TransferClient.Options.defaults().withWait(Duration.ofMinutes(10)));
    }

    /** An open as a program makes it, through FilesClient: a BUSY "retry after" is waited out. */
    private FilesOps.Opened open(int flags, int handle, Name n) throws SiloException {
        return new FilesClient(client, PATIENCE).open(flags, handle, n);
    }

    private byte[] readAll(FilesOps.Opened o) throws SiloException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            byte[] b = client.call(FilesOps.READ_OP, new FilesOps.Read(o.handle(), out.size(), 60_000));
            if (b.length == 0) {
                return out.toByteArray();
            }
            out.writeBytes(b);
        }
    }

    @Test
    void aFileOnADirectoryVolumeIsReadInPlaceByOffset() throws Exception {
        byte[] data = random(3 << 20, 1);
        Path src = Files.write(local.resolve("src"), data);
        try (TransferClient t = transfers()) {
            assertThat(t.putOne(src, "/exp/big.dat").error()).isNull();
        }
        FilesOps.Opened o = open(FilesOps.READ, FilesOps.CAPABILITY, Name.path("/exp/big.dat"));
        assertThat(o.size()).isEqualTo(data.length);
        byte[] middle = client.call(FilesOps.READ_OP, new FilesOps.Read(o.handle(), 2_000_000, 1000));
        assertThat(middle).isEqualTo(Arrays.copyOfRange(data, 2_000_000, 2_001_000));
        assertThat(readAll(o)).isEqualTo(data);
        FilesOps.Opened oob = open(FilesOps.READ | FilesOps.OOB_XFER, FilesOps.CAPABILITY, Name.path("/exp/big.dat"));
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        assertThat(org.silo.files.client.OobReader.copy(oob, sent)).isEqualTo(data.length);
        assertThat(sent.toByteArray())
                .as("over the data port, by sendfile from the volume's file")
                .isEqualTo(data);
        client.call(FilesOps.CLOSE, oob.handle());
        byte[] big = random(48 << 20, 11); // more than socket buffers hold: sendfile meets a full one
        archive.files().write(new WriteFile(null, "/exp/bigger.dat", big, null, null, null, "root"), "test");
        FilesOps.Opened o48 =
                open(FilesOps.READ | FilesOps.OOB_XFER, FilesOps.CAPABILITY, Name.path("/exp/bigger.dat"));
        java.util.zip.CRC32C want = new java.util.zip.CRC32C();
        want.update(big);
        java.util.zip.CRC32C got = new java.util.zip.CRC32C();
        assertThat(org.silo.files.client.OobReader.copy(
                        o48, new java.util.zip.CheckedOutputStream(java.io.OutputStream.nullOutputStream(), got)))
                .isEqualTo(big.length);
        assertThat(got.getValue()).isEqualTo(want.getValue());
        client.call(FilesOps.CLOSE, o48.handle());
        assertThat(files.status())
                .as("nothing staged: read where it lies")
                .containsEntry("stagings", 0L)
                .containsEntry("cacheBytes", 0L);
        assertThat(client.call(FilesOps.STAT, o.handle()).nameType()).isEqualTo(FilesOps.FILESYSTEM);
        client.call(FilesOps.CLOSE, o.handle());
        assertThatThrownBy(() -> open(FilesOps.READ, FilesOps.CAPABILITY, Name.path("/exp")))
                .hasMessageContaining("is a directory");
        assertThatThrownBy(() -> open(FilesOps.READ, FilesOps.CAPABILITY, Name.path("/exp/none")))
                .isInstanceOfSatisfying(
                        SiloException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    /** S3 volumes in library "cloud", served by a mover that is started only when the test says. */
    private void cloud(S3Fixture s3) throws SiloException {
        archive.volumes().addvol(new AddVol("S3V1", "cloud", null, "1G", s3.uri("vol1"), "sg", "none"), "t");
    }

    private byte[] onS3(String path, int size, long seed) throws SiloException {
        byte[] b = random(size, seed);
        assertThat(archive.files()
                        .write(new WriteFile(null, path, b, "cloud", "sg", "ff", "root"), "test")
                        .volume())
                .isEqualTo("S3V1");
        return b;
    }

    @Test
    void aFileOnS3IsStagedIntoTheCacheWhileTheClientIsToldToWait() throws Exception {
        try (S3Fixture s3 = new S3Fixture()) {
            cloud(s3);
            byte[] a = onS3("/exp/a", 100_000, 2);
            byte[] b = onS3("/exp/b", 100_000, 3);
            byte[] c = onS3("/exp/c", 100_000, 4);
            onS3("/exp/huge", 300_000, 5);

            // no mover of the library runs yet (one served it before: a library no mover has ever served refuses
            // transfers at once): the open waits (WAIT answers to its repeats), then says BUSY
            archive.library()
                    .announce(new org.silo.archive.ops.LibraryMessages.MoverHello(
                            "earlier-id", "earlier", "cloud", List.of("s3"), "h", "idle", null));
            long waitsBefore = client.stats().waits();
            assertThatThrownBy(() -> client.call(
                            FilesOps.OPEN,
                            new FilesOps.Open(FilesOps.READ, FilesOps.CAPABILITY, List.of(Name.path("/exp/a")))))
                    .isInstanceOfSatisfying(SiloException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BUSY);
                        assertThat(e.getMessage()).contains("staging /exp/a").contains("open it again");
                    });
            assertThat(client.stats().waits())
                    .as("the client was told to wait, with default timeouts")
                    .isGreaterThan(waitsBefore);

            // a mover comes a while later; a client that opens again gets the file once it is staged
            CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(4_000);
                    archive.startLocalMovers(1, "cloud");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            FilesOps.Opened oa =
                    new FilesClient(client, PATIENCE).open(FilesOps.READ, FilesOps.CAPABILITY, Name.path("/exp/a"));
            assertThat(readAll(oa)).isEqualTo(a);
            // the open that got it (by waiting, or first after its BUSY) is told the file was staged for it
            assertThat(oa.warning().code()).isEqualTo(FilesOps.WARN_STAGED);
            assertThat(oa.warning().text()).contains("/exp/a").contains("staged from volume S3V1");
            assertThat(files.status()).containsEntry("stagings", 1L).containsEntry("cacheBytes", 100_000L);

            // open again: the staged copy, no second staging
            FilesOps.Opened again = open(FilesOps.READ, FilesOps.CRYPTO, Name.path("/exp/a"));
            assertThat(again.warning())
                    .as("in the cache already: nothing waited for")
                    .isNull();
            assertThat(client.call(FilesOps.READ_OP, new FilesOps.Read(again.handle(), 99_990, 100)))
                    .isEqualTo(Arrays.copyOfRange(a, 99_990, 100_000));
            assertThat(files.status()).containsEntry("stagings", 1L);

            // the cache holds 250,000 bytes: b fits beside a; c needs room, and a is open, so b goes
            FilesOps.Opened ob = open(FilesOps.READ, FilesOps.CAPABILITY, Name.path("/exp/b"));
            assertThat(readAll(ob)).isEqualTo(b);
            assertThat(ob.warning().code()).isEqualTo(FilesOps.WARN_STAGED);
            client.call(FilesOps.CLOSE, ob.handle());
            FilesOps.Opened oc = open(FilesOps.READ, FilesOps.CAPABILITY, Name.path("/exp/c"));
            assertThat(readAll(oc)).isEqualTo(c);
            assertThat(files.status()).containsEntry("stagings", 3L).containsEntry("cacheBytes", 200_000L);
            try (var cached = Files.list(dir.resolve("files-cache"))) {
                assertThat(cached.filter(p -> !p.getFileName().toString().startsWith("."))
                                .count())
                        .isEqualTo(2);
            }
            assertThat(readAll(oa)).as("the open copy was kept").isEqualTo(a);
            assertThatThrownBy(() -> open(FilesOps.READ, FilesOps.CAPABILITY, Name.path("/exp/huge")))
                    .isInstanceOfSatisfying(SiloException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE);
                        assertThat(e.getMessage()).contains("larger than the whole cache");
                    });
        }
    }

    @Test
    void aFileWrittenThroughTheServiceIsArchivedOnCloseAndReadsBackThroughTheArchive() throws Exception {
        byte[] data = random(1_500_000, 6);
        FilesOps.Opened w = open(FilesOps.WRITE | FilesOps.CREATE, FilesOps.CAPABILITY, Name.path("/exp/new.dat"));
        assertThat(w.writable()).isTrue();
        int piece = 60_000;
        for (int off = data.length - piece; off > -piece; off -= piece) { // backwards: writes land by offset
            int from = Math.max(0, off);
            client.call(
                    FilesOps.WRITE_OP,
                    new FilesOps.Write(w.handle(), from, Arrays.copyOfRange(data, from, off + piece)));
        }
        FilesOps.Closed closed = new FilesClient(client, PATIENCE).close(w.handle());
        assertThat(closed.archived()).isTrue();
        assertThat(closed.size()).isEqualTo(data.length);
        assertThat(closed.path()).isEqualTo("/exp/new.dat");
        assertThat(closed.bfid())
                .isEqualTo(archive.namespace().stat("/exp/new.dat").bfid());
        java.util.zip.Adler32 sum = new java.util.zip.Adler32();
        sum.update(data);
        assertThat(closed.adler32()).isEqualTo(String.format("%08x", sum.getValue()));

        Path back = local.resolve("back");
        try (TransferClient t = transfers()) {
            assertThat(t.getOne("/exp/new.dat", back).error()).isNull();
        }
        assertThat(Files.readAllBytes(back))
                .as("byte-identical through silo get's path")
                .isEqualTo(data);
        try (var writes = Files.list(dir.resolve("files-cache").resolve(".writes"))) {
            assertThat(writes.count()).as("the written copy is gone").isZero();
        }

        code(
                () -> open(FilesOps.WRITE | FilesOps.CREATE, FilesOps.CAPABILITY, Name.path("/exp/new.dat")),
                ErrorCode.EXISTS);
        code(() -> open(FilesOps.WRITE, FilesOps.CAPABILITY, Name.path("/exp/new.dat")), ErrorCode.READ_ONLY);
        code(() -> open(FilesOps.WRITE, FilesOps.CAPABILITY, Name.path("/exp/other")), ErrorCode.NOT_FOUND);
        code(() -> open(FilesOps.WRITE | FilesOps.CREATE, FilesOps.CRYPTO, Name.path("/exp/other")), ErrorCode.INVALID);
        FilesOps.Opened noDir = open(FilesOps.WRITE | FilesOps.CREATE, FilesOps.INTEGER, Name.path("/nodir/x"));
        client.call(FilesOps.WRITE_OP, new FilesOps.Write(noDir.handle(), 0, new byte[10]));
        code(() -> client.call(FilesOps.CLOSE, noDir.handle()), ErrorCode.NOT_FOUND);
        code(
                () -> client.call(FilesOps.CLOSE, noDir.handle()),
                ErrorCode.NOT_FOUND); // the handle went with the failure
        assertThat(archive.files().fsck().checked())
                .as("nothing else was archived")
                .isEqualTo(1);
    }

    @Test
    void aFileWhoseVolumeCannotBeReadIsReadFromItsCopyWithAWarning() throws Exception {
        archive.startLocalMovers(1, "default"); // two: the copy's write and the original's read-back may overlap
        byte[] data = random(200_000, 8);
        Path src = Files.write(local.resolve("k"), data);
        TransferClient.Result put;
        try (TransferClient t = new TransferClient(
                LibraryClient.local(archive::library, "test"),
                TransferClient.Options.defaults().withCopies(2).withWait(Duration.ofMinutes(10)))) {
            put = t.putOne(src, "/exp/k");
        }
        assertThat(put.error()).isNull();
        assertThat(put.copies()).hasSize(1);
        String first = put.volume();
        String copy = put.copies().get(0);
        FilesOps.Opened plain = open(FilesOps.READ, FilesOps.CAPABILITY, Name.path("/exp/k"));
        assertThat(plain.warning()).as("the first volume reads: no warning").isNull();
        client.call(FilesOps.CLOSE, plain.handle());

        archive.volumes().setState(first, org.silo.archive.volume.VolumeState.NOACCESS, "test", "drive ate it");
        FilesOps.Opened o = open(FilesOps.READ, FilesOps.CAPABILITY, Name.path("/exp/k"));
        assertThat(o.warning().code()).isEqualTo(FilesOps.WARN_OTHER_COPY);
        assertThat(o.warning().text())
                .contains("copy on volume " + copy)
                .contains("volume " + first + " is noaccess")
                .contains("drive ate it");
        assertThat(readAll(o)).isEqualTo(data);
        client.call(FilesOps.CLOSE, o.handle());
        assertThat(files.status())
                .as("read in place from the copy's directory volume")
                .containsEntry("stagings", 0L);

        // both unreadable: the first volume's error, as before there were copies
        archive.volumes().setState(copy, org.silo.archive.volume.VolumeState.NOACCESS, "test", "and this one too");
        assertThatThrownBy(() -> open(FilesOps.READ, FilesOps.CAPABILITY, Name.path("/exp/k")))
                .isInstanceOfSatisfying(SiloException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION);
                    assertThat(e.getMessage()).contains(first).contains("no copy is on a readable volume");
                });
    }

    /**
     * The first copy's bytes gone from its directory volume (its state still ok): the file access service
     * reads the second copy in its place and says so with OTHER_COPY (ArchiveGateway.locate), before any
     * mover tries the missing bytes. (The archive's own get finds out at its mover and reads the copy on its
     * next try: BadCopyTest in silo-archive.)
     */
    @Test
    void aFileWhoseBytesAreMissingOnItsDirVolumeIsReadFromItsCopyWithAWarning() throws Exception {
        archive.startLocalMovers(1, "default"); // two: the copy's write and the original's read-back may overlap
        byte[] data = random(150_000, 9);
        Path src = Files.write(local.resolve("m"), data);
        TransferClient.Result put;
        try (TransferClient t = new TransferClient(
                LibraryClient.local(archive::library, "test"),
                TransferClient.Options.defaults().withCopies(2).withWait(Duration.ofMinutes(10)))) {
            put = t.putOne(src, "/exp/m");
        }
        assertThat(put.error()).isNull();
        String first = put.volume();
        String copy = put.copies().get(0);
        org.silo.archive.ops.FileMessages.BitFileInfo b = archive.files().info(put.bfid());
        Path bytes = ((org.silo.archive.volume.DirBackend) archive.volumes()
                        .backends()
                        .get(archive.volumes().inquire(first).backend()))
                .path(b.cookie());
        Files.delete(bytes);

        FilesOps.Opened o = open(FilesOps.READ, FilesOps.CAPABILITY, Name.path("/exp/m"));
        assertThat(o.warning()).as("read from the copy, and said so").isNotNull();
        assertThat(o.warning().code()).isEqualTo(FilesOps.WARN_OTHER_COPY);
        assertThat(o.warning().text()).contains("copy on volume " + copy);
        assertThat(readAll(o)).isEqualTo(data);
        client.call(FilesOps.CLOSE, o.handle());
        assertThat(archive.volumes().inquire(first).state())
                .as("the volume itself was not touched")
                .isEqualTo("ok");
    }

    @Test
    void aCreateWithoutANameIsGivenOne() throws Exception {
        FilesOps.Opened w = open(FilesOps.WRITE | FilesOps.CREATE, FilesOps.CAPABILITY, Name.path(""));
        assertThat(w.name()).matches("/created/[0-9a-f]{24}");
        client.call(FilesOps.WRITE_OP, new FilesOps.Write(w.handle(), 0, "made up".getBytes()));
        FilesOps.Closed c = new FilesClient(client, PATIENCE).close(w.handle());
        assertThat(c.path()).isEqualTo(w.name());
        FilesOps.Opened r = open(FilesOps.READ, FilesOps.CAPABILITY, Name.path(w.name()));
        assertThat(readAll(r)).asString().isEqualTo("made up");
        code(() -> open(FilesOps.READ, FilesOps.CAPABILITY, Name.path("")), ErrorCode.INVALID);
    }

    private static void code(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, ErrorCode c) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        SiloException.class,
                        e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(c));
    }
}
