package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.silo.archive.catalog.Sql;
import org.silo.archive.lm.LibrarySettings;
import org.silo.archive.mover.Mover;
import org.silo.archive.mover.MoverLink;
import org.silo.archive.ops.FileMessages.BitFileInfo;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.VolumeMessages.AddVol;
import org.silo.archive.transfer.LibraryClient;
import org.silo.archive.transfer.TransferClient;
import org.silo.archive.transfer.TransferClient.Result;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.Backends;
import org.silo.wire.SiloException;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.WireServer;
import org.silo.wire.server.WireServerConfig;

/**
 * Issue 13, small files: a put of many files goes into a few containers on the volume, each file with
 * its own bfid, path and checksum, and comes back byte for byte; one file is read by its range alone;
 * a get of many reads each container once; a damaged member fails alone and fsck names it; a file that
 * changes while it is put is refused and nothing of it is kept. On SQLite and PostgreSQL catalogs, each
 * with a directory volume and an S3 one.
 */
class AggregationTest {
    static S3Fixture s3;

    @TempDir
    Path data;

    @TempDir
    Path local;

    /** Small thresholds so that a few hundred small files fill several containers. */
    static final LibrarySettings SETTINGS = new LibrarySettings(3_600_000, 1, 1_000_001, 3_600_000, 200)
            .withAggregation(new LibraryMessages.Aggregation(64 << 10, 1 << 20, 1000));

    static final Duration PATIENCE = Duration.ofMinutes(5);

    ArchiveService archive;
    /** The S3 volume's prefix in the bucket. */
    String prefix;

    WireServer server;
    SiloClient client;
    Mover mover;
    /** What the mover read from its volumes: bytes and opens, per file of the volume. */
    final AtomicLong bytesRead = new AtomicLong();

    final Map<Long, Integer> opens = new ConcurrentHashMap<>();

    @BeforeAll
    static void s3() throws Exception {
        s3 = new S3Fixture();
    }

    @AfterAll
    static void noS3() throws Exception {
        s3.close();
    }

    /** The PostgreSQL server and the schema of this test, when its catalog is PostgreSQL. */
    String pgBase;

    String pgSchema;

    /** {@code kind}: CATALOG/VOLUME, {@code sqlite} or {@code pg}, then {@code dir} or {@code s3}. */
    void start(String kind) throws Exception {
        String catalog = null;
        if (kind.startsWith("pg/")) {
            pgBase = PostgresArchiveTest.reachable(); // or skipped, saying why
            pgSchema = "silo_agg" + Long.toHexString(new Random().nextLong() & Long.MAX_VALUE);
            catalog = pgBase + (pgBase.contains("?") ? "&" : "?") + "currentSchema=" + pgSchema;
        }
        archive = ArchiveService.open(data, catalog, SETTINGS);
        Dispatcher d = new Dispatcher();
        archive.register(d);
        server = WireServer.start(
                InetAddress.getLoopbackAddress(), 0, WireServerConfig.DEFAULTS, d, new SimpleMeterRegistry());
        client = SiloClient.connect(ClientOptions.to(server.address()));
        prefix = "smallvol-" + System.nanoTime();
        String backend = kind.endsWith("/dir") ? "dir:smallvol" : s3.uri(prefix);
        archive.volumes().addvol(new AddVol("SMALL01", "small", "disk", "10G", backend, "sg", "ff"), "test");
        archive.namespace().mkdir("/s", false, "alice");
        mover = new Mover(
                        new Mover.Config(data.resolve("m"), "m", "small", List.of("disk"), "h", 0),
                        MoverLink.local(archive.library()),
                        new Backends(data, Counting::new))
                .start();
    }

    @AfterEach
    void stop() {
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
        if (pgSchema != null) {
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(pgBase);
                    java.sql.Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + pgSchema + " CASCADE");
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static Stream<String> kinds() {
        return Stream.of("sqlite/dir", "sqlite/s3", "pg/dir", "pg/s3");
    }

    TransferClient transfers() throws IOException {
        return new TransferClient(
                LibraryClient.over(client),
                TransferClient.Options.defaults()
                        .withPlacement("small", "sg", "ff")
                        .withParallel(2)
                        .withWait(PATIENCE));
    }

    Path file(String name, int size, long seed) throws IOException {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Path p = local.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, b);
        return p;
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void manySmallFilesGoIntoAFewContainersAndComeBackByteForByte(String kind) throws Exception {
        start(kind);
        Random r = new Random(7);
        List<Path> sources = new ArrayList<>();
        List<String> dests = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            sources.add(file("in/f" + i, i == 0 ? 0 : r.nextInt(16 << 10), i));
            dests.add("/s/f" + i);
        }
        sources.add(file("in/big1", 200_000, 1001)); // over the threshold: files of their own
        dests.add("/s/big1");
        sources.add(file("in/big2", 300_000, 1002));
        dests.add("/s/big2");
        List<Result> put;
        try (TransferClient t = transfers()) {
            put = t.put(sources, dests);
        }
        assertThat(put).allSatisfy(x -> assertThat(x.error()).isNull());
        assertThat(put).extracting(Result::bfid).doesNotHaveDuplicates();

        long members = count("SELECT COUNT(*) FROM bit_file WHERE container IS NOT NULL AND state = 'active'");
        long containers = count("SELECT COUNT(*) FROM container WHERE volume = 'SMALL01' AND state = 'active'");
        assertThat(members).isEqualTo(300);
        assertThat(count("SELECT COUNT(*) FROM bit_file WHERE container IS NULL AND state = 'active'"))
                .isEqualTo(2);
        assertThat(containers)
                .as("about 2.4 MB of small files in containers of 1 MiB")
                .isBetween(2L, 10L);
        assertThat(archive.volumes().inquire("SMALL01").files()).isEqualTo(302);
        if (kind.endsWith("/dir")) {
            Path vol = data.resolve("smallvol");
            try (Stream<Path> onVolume = Files.list(vol)) {
                assertThat(onVolume.map(p -> p.getFileName().toString()).toList())
                        .as("containers and the two large files, no .part")
                        .hasSize((int) containers + 2)
                        .allMatch(n -> n.matches("[0-9]{7}"));
            }
            // a person reads a container with tar, without Silo
            String container = one("SELECT cookie FROM container WHERE volume = 'SMALL01' ORDER BY cookie");
            List<String> listed =
                    tar("-tf", vol.resolve(container.substring(15)).toString());
            List<String[]> rows = archive.catalog()
                    .tx(c -> Sql.list(
                            c,
                            "SELECT path, cookie FROM bit_file WHERE container = ?",
                            rs -> new String[] {rs.getString(1).substring(1), rs.getString(2)},
                            container));
            List<String> inIt = rows.stream()
                    .sorted(java.util.Comparator.comparingLong(x -> offset(x[1])))
                    .map(x -> x[0])
                    .toList();
            assertThat(listed.subList(0, listed.size() - 1)).containsExactlyElementsOf(inIt);
            assertThat(listed.get(listed.size() - 1)).startsWith(".silo-manifest-");
        }

        // back, all at once: each container read once, in order
        opens.clear();
        List<Path> back = new ArrayList<>();
        for (int i = 0; i < dests.size(); i++) {
            back.add(local.resolve("out/" + i));
        }
        Files.createDirectories(local.resolve("out"));
        List<Result> got;
        try (TransferClient t = transfers()) {
            got = t.get(dests, back);
        }
        assertThat(got).allSatisfy(x -> assertThat(x.error()).isNull());
        for (int i = 0; i < dests.size(); i++) {
            assertThat(Files.mismatch(sources.get(i), back.get(i)))
                    .as(dests.get(i))
                    .isEqualTo(-1L);
        }
        assertThat(opens.values()).as("each container read once, front to back").allMatch(n -> n == 1);
        assertThat(opens).hasSize((int) containers + 2);
        assertThat(archive.files().fsck().problems()).isEmpty();

        // one member alone: its bytes, and not one more, are read from the volume
        bytesRead.set(0);
        BitFileInfo f = archive.files().info(archive.namespace().stat("/s/f42").bfid());
        assertThat(f.cookie()).matches("0000_000000000_[0-9]{7}\\+[0-9]+\\+[0-9]+");
        try (TransferClient t = transfers()) {
            assertThat(t.getOne("/s/f42", local.resolve("f42")).error()).isNull();
        }
        assertThat(Files.mismatch(sources.get(42), local.resolve("f42"))).isEqualTo(-1L);
        assertThat(bytesRead.get()).isEqualTo(f.size());
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aDamagedMemberFailsAloneAndFsckNamesIt(String kind) throws Exception {
        start(kind);
        List<Path> sources = new ArrayList<>();
        List<String> dests = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sources.add(file("d" + i, 5000, i));
            dests.add("/s/d" + i);
        }
        try (TransferClient t = transfers()) {
            assertThat(t.put(sources, dests))
                    .allSatisfy(x -> assertThat(x.error()).isNull());
        }
        BitFileInfo hurt =
                archive.files().info(archive.namespace().stat("/s/d7").bfid());
        Backend.Location at = Backend.location(hurt.cookie());
        String name = String.format("%07d", at.fileNumber());
        if (kind.endsWith("/dir")) { // one byte of d7 flipped on the disk, behind Silo's back
            try (RandomAccessFile raf =
                    new RandomAccessFile(data.resolve("smallvol").resolve(name).toFile(), "rw")) {
                raf.seek(at.offset() + 100);
                int b = raf.read();
                raf.seek(at.offset() + 100);
                raf.write(b ^ 0x5a);
            }
        } else { // ... or in the object store
            byte[] object;
            try (InputStream in = archive.volumes()
                    .backends()
                    .get(archive.volumes().inquire("SMALL01").backend())
                    .open(at.fileCookie())) {
                object = in.readAllBytes();
            }
            object[(int) at.offset() + 100] ^= 0x5a;
            s3.putObject(prefix + "/" + name, object);
        }
        try (TransferClient t = transfers()) {
            List<Result> got = t.get(
                    dests,
                    dests.stream()
                            .map(d -> local.resolve("got-" + d.substring(3)))
                            .toList());
            assertThat(got.get(7).error()).contains("CRC mismatch at mover");
            for (int i = 0; i < 20; i++) {
                if (i != 7) {
                    assertThat(got.get(i).error()).as(dests.get(i)).isNull();
                    assertThat(Files.mismatch(sources.get(i), local.resolve("got-d" + i)))
                            .isEqualTo(-1L);
                }
            }
        }
        assertThat(archive.files().fsck().problems())
                .singleElement()
                .satisfies(p -> assertThat(p.bfid()).isEqualTo(hurt.bfid()));
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aFileThatChangesWhileItIsPutIsRefusedAndNothingOfItIsKept(String kind) throws Exception {
        start(kind);
        Path grows = file("grows", 5000, 1);
        Path shrinks = file("shrinks", 5000, 2);
        Path fine = file("fine", 5000, 3);
        // the files change after the client took their sizes and before it sends them: when it queues them
        LibraryClient meddling = new MeddlingLibrary(LibraryClient.over(client), () -> {
            Files.write(grows, new byte[100], java.nio.file.StandardOpenOption.APPEND);
            try (RandomAccessFile raf = new RandomAccessFile(shrinks.toFile(), "rw")) {
                raf.setLength(1000);
            }
        });
        List<Result> put;
        try (TransferClient t = new TransferClient(
                meddling,
                TransferClient.Options.defaults()
                        .withPlacement("small", "sg", "ff")
                        .withWait(PATIENCE))) {
            put = t.put(List.of(grows, shrinks, fine), List.of("/s/grows", "/s/shrinks", "/s/fine"));
        }
        assertThat(put.get(0).error()).contains("grew while it was being sent");
        assertThat(put.get(1).error()).contains("shrank while it was being sent");
        assertThat(put.get(0).attempts())
                .as("no retry: the file, not a mover, is to blame")
                .isEqualTo(1);
        assertThat(put.get(2).error()).isNull();
        assertThat(count("SELECT COUNT(*) FROM bit_file WHERE path IN ('/s/grows', '/s/shrinks')"))
                .isZero();
        assertThat(count("SELECT COUNT(*) FROM bit_file WHERE path = '/s/fine'"))
                .isEqualTo(1);
        assertThat(archive.files().fsck().problems()).isEmpty();
        if (kind.endsWith("/dir")) {
            String container = one("SELECT container FROM bit_file WHERE path = '/s/fine'");
            assertThat(tar(
                            "-tf",
                            data.resolve("smallvol")
                                    .resolve(container.substring(15))
                                    .toString()))
                    .as("the given-up members were taken out of the container again")
                    .hasSize(2)
                    .startsWith("s/fine");
        }
    }

    static long offset(String cookie) {
        try {
            return Backend.location(cookie).offset();
        } catch (SiloException e) {
            throw new IllegalStateException(e);
        }
    }

    long count(String sql) throws SiloException {
        return archive.catalog().tx(c -> Sql.count(c, sql));
    }

    String one(String sql) throws SiloException {
        return archive.catalog().tx(c -> Sql.one(c, sql, rs -> rs.getString(1)).orElseThrow());
    }

    static List<String> tar(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tar"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().toList();
    }

    /** A volume backend that counts what is read from it: bytes, and opens per file of the volume. */
    final class Counting extends ForwardingBackend {
        Counting(Backend b) {
            super(b);
        }

        @Override
        public InputStream open(String cookie) throws SiloException {
            opens.merge(Backend.location(cookie).fileNumber(), 1, Integer::sum);
            return new java.io.FilterInputStream(b.open(cookie)) {
                @Override
                public int read() throws IOException {
                    int r = super.read();
                    if (r >= 0) {
                        bytesRead.incrementAndGet();
                    }
                    return r;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    int r = super.read(buf, off, len);
                    if (r > 0) {
                        bytesRead.addAndGet(r);
                    }
                    return r;
                }
            };
        }
    }

    /** A library client that runs {@code meddle} just before it queues a put's files (once). */
    static final class MeddlingLibrary implements LibraryClient {
        interface Meddle {
            void run() throws IOException;
        }

        private final LibraryClient lm;
        private final Meddle meddle;
        private final Set<String> done = new HashSet<>();

        MeddlingLibrary(LibraryClient lm, Meddle meddle) {
            this.lm = lm;
            this.meddle = meddle;
        }

        @Override
        public LibraryMessages.FilesQueued writeFiles(LibraryMessages.WriteFiles q) throws SiloException {
            if (done.add("once")) {
                try {
                    meddle.run();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            return lm.writeFiles(q);
        }

        @Override
        public LibraryMessages.JobInfo write(LibraryMessages.WriteToHsm q) throws SiloException {
            return lm.write(q);
        }

        @Override
        public LibraryMessages.JobInfo read(LibraryMessages.ReadFromHsm q) throws SiloException {
            return lm.read(q);
        }

        @Override
        public LibraryMessages.JobInfo info(long id) throws SiloException {
            return lm.info(id);
        }

        @Override
        public LibraryMessages.JobInfo kill(long id) throws SiloException {
            return lm.kill(id);
        }

        @Override
        public List<LibraryMessages.JobInfo> children(long parent) throws SiloException {
            return lm.children(parent);
        }

        @Override
        public LibraryMessages.FilesQueued readFiles(LibraryMessages.ReadFiles q) throws SiloException {
            return lm.readFiles(q);
        }

        @Override
        public List<LibraryMessages.FileState> jobFiles(long id) throws SiloException {
            return lm.jobFiles(id);
        }

        @Override
        public long session() {
            return lm.session();
        }
    }
}
