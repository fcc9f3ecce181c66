package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.lm.LibrarySettings;
import org.silo.archive.mover.Mover;
import org.silo.archive.mover.MoverLink;
import org.silo.archive.ops.FileMessages.BitFileInfo;
import org.silo.archive.ops.FileMessages.WriteFile;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.VolumeMessages.AddVol;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
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
 * Volumes that fill up (docs/archive.md, "Full volumes"): on a real small file system (a tmpfs the test mounts) and through a
 * backend that answers ENOSPC half-way. A full volume is marked with what it really has left, the file
 * goes to another volume of its family (or fails at once, saying why, when there is none), the client
 * is told, and nothing half-written is kept: no bit file, no .part file.
 */
class VolumeFullTest {
    @TempDir
    Path data;

    @TempDir
    Path local;

    static final LibrarySettings SETTINGS = new LibrarySettings(3_600_000, 1, 1_000_001, 10_000, 200);

    ArchiveService archive;
    WireServer server;
    SiloClient client;
    final List<Mover> movers = new ArrayList<>();
    final List<String> notes = new CopyOnWriteArrayList<>();

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
        movers.forEach(Mover::kill);
        client.close();
        server.close();
        archive.close();
    }

    /** A volume of library tiny, 1 GiB by the catalog, whatever its directory really holds. */
    VolumeInfo volume(String label, Path dir) throws SiloException {
        return archive.volumes().addvol(new AddVol(label, "tiny", "disk", "1G", "dir:" + dir, null, null), "test");
    }

    /** A mover of library tiny whose backends pass through {@code decorate}. */
    Mover mover(UnaryOperator<Backend> decorate) throws SiloException {
        Mover m = new Mover(
                new Mover.Config(data.resolve("tinymover"), "tinymover", "tiny", List.of("disk"), "h", 0),
                MoverLink.local(archive.library()),
                new Backends(data, decorate));
        movers.add(m);
        return m.start();
    }

    Result put(Path src, String dest) throws IOException {
        try (TransferClient t = new TransferClient(
                LibraryClient.over(client),
                TransferClient.Options.defaults()
                        .withPlacement("tiny", null, null)
                        .withParallel(1)
                        .withWait(Duration.ofMinutes(5)))) {
            return t.onNote(notes::add).putOne(src, dest);
        }
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

    static long room(Tmpfs fs) throws IOException {
        return Math.max(0, fs.usable() - Mover.ROOM_MARGIN);
    }

    @Test
    void aVolumeWithLessRoomThanAFileGetsItsRealRemainingBytesAndTheFileGoesToAnotherVolumeBeforeAByteIsSent()
            throws Exception {
        try (Tmpfs fs = Tmpfs.mount(data.resolve("small"), "4m")) {
            volume("TINY01", fs.dir());
            volume("TINY02", data.resolve("big"));
            mover(UnaryOperator.identity());
            Result first = put(file("first", 2 << 20), "/t/first");
            assertThat(first.error()).isNull();
            assertThat(first.volume()).isEqualTo("TINY01");

            // the catalog says TINY01 has almost 1 GiB left; its file system has under 2 MiB
            Result second = put(file("second", 3 << 20), "/t/second");
            assertThat(second.error()).isNull();
            assertThat(second.volume()).as("another volume of the family").isEqualTo("TINY02");
            assertThat(second.attempts()).isEqualTo(1);
            VolumeInfo v = archive.volumes().inquire("TINY01");
            assertThat(v.remaining())
                    .as("its real remaining bytes")
                    .isEqualTo(room(fs))
                    .isLessThan(3 << 20);
            assertThat(v.writing()).isNull();
            assertThat(jobs("/t/second"))
                    .as("the request went on as it stood: no failed job")
                    .singleElement()
                    .satisfies(j -> assertThat(j.state()).isEqualTo("done"));
            assertThat(fs.partFiles()).isEmpty();
            assertThat(archive.volumes().inquire("TINY01").writeErrors()).isZero();
            assertThat(archive.files().fsck().problems()).isEmpty();

            // what still fits still goes there
            Result small = put(file("small", 100_000), "/t/small");
            assertThat(small.volume()).isEqualTo("TINY01");
        }
    }

    @Test
    void aVolumeThatAnswersEnospcWhileWritingIsMarkedFullAndTheFileIsSentAgainToAnotherVolume() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(data.resolve("small"), "4m")) {
            volume("TINY01", fs.dir());
            volume("TINY02", data.resolve("big"));
            // the free count looks plentiful until the first write fails (as a file system shared with another
            // writer would), so the bytes go to the tmpfs and the kernel answers ENOSPC half-way
            mover(b -> b.uri().equals("dir:" + fs.dir()) ? new StaleFreeCount(b) : b);
            assertThat(put(file("first", 2 << 20), "/t/first").volume()).isEqualTo("TINY01");

            Result second = put(file("second", 3 << 20), "/t/second");
            assertThat(second.error()).isNull();
            assertThat(second.volume()).isEqualTo("TINY02");
            assertThat(second.attempts()).as("not one of the user's retries").isEqualTo(1);
            VolumeInfo v = archive.volumes().inquire("TINY01");
            assertThat(v.state()).isEqualTo("full");
            assertThat(v.stateBy()).isEqualTo("tinymover");
            assertThat(v.stateReason()).contains("no space left while writing /t/second");
            assertThat(v.remaining()).as("its real remaining bytes").isEqualTo(room(fs));
            assertThat(v.writing()).isNull();
            assertThat(v.writeErrors()).as("a full volume is not a bad one").isZero();
            List<JobInfo> jobs = jobs("/t/second");
            assertThat(jobs).extracting(JobInfo::state).containsExactlyInAnyOrder("failed", "done");
            assertThat(jobs)
                    .filteredOn(j -> j.state().equals("failed"))
                    .singleElement()
                    .satisfies(j -> assertThat(j.error())
                            .startsWith(LibraryMessages.RESEND + "volume TINY01 is full (")
                            .contains("No space left on device"));
            assertThat(notes).anySatisfy(n -> assertThat(n).startsWith("/t/second resend: volume TINY01 is full"));
            // nothing half-written: no .part, no file beyond the first on the tmpfs, one bit file per path
            assertThat(fs.partFiles()).isEmpty();
            try (var files = Files.list(fs.dir())) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly("0000001");
            }
            assertThat(archive.files().status().get("filesActive")).isEqualTo(2L);
            assertThat(archive.library().mover("tinymover").errors()).isZero();
            assertThat(archive.files().fsck().problems()).isEmpty();

            // a full volume is not chosen again, even for a file that would fit
            assertThat(put(file("small", 100_000), "/t/small").volume()).isEqualTo("TINY02");
        }
    }

    @Test
    void aFileNoVolumeOfTheLibraryHasRoomForFailsAtOnceSayingWhy() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(data.resolve("small"), "4m")) {
            volume("TINY01", fs.dir());
            mover(UnaryOperator.identity());
            Result r = put(file("big", 6 << 20), "/t/big");
            assertThat(r.error())
                    .contains(LibraryMessages.NO_SPACE + "no volume in library tiny")
                    .contains("volume TINY01 has room for");
            assertThat(r.attempts()).as("no retry: it would fail the same way").isEqualTo(1);
            assertThat(jobs("/t/big"))
                    .singleElement()
                    .satisfies(j -> assertThat(j.state()).isEqualTo("failed"));
            assertThat(archive.volumes().inquire("TINY01").remaining()).isEqualTo(room(fs));
            assertThat(archive.files().status().get("filesActive")).isEqualTo(0L);
            assertThat(fs.partFiles()).isEmpty();
            try (var files = Files.list(fs.dir())) {
                assertThat(files).isEmpty();
            }
        }
    }

    @Test
    void writeFileToAVolumeThatAnswersEnospcMarksItFullAndUsesTheNextOne() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(data.resolve("small"), "4m")) {
            volume("TINY01", fs.dir());
            volume("TINY02", data.resolve("big"));
            byte[] bytes = new byte[5 << 20];
            BitFileInfo b =
                    archive.files().write(new WriteFile(null, "/t/w", bytes, "tiny", null, null, "alice"), "server");
            assertThat(b.volume()).isEqualTo("TINY02");
            VolumeInfo v = archive.volumes().inquire("TINY01");
            assertThat(v.state()).isEqualTo("full");
            assertThat(v.remaining()).isEqualTo(fs.usable());
            assertThat(fs.partFiles()).isEmpty();
        }
    }

    /** Fault injection without a file system: a backend that answers ENOSPC after its first megabyte. */
    @Test
    void aBackendThatAnswersEnospcHalfWayIsMarkedFullWithWhatItReportsAndKeepsNothing() throws Exception {
        Path faulty = data.resolve("faulty");
        volume("FAULT01", faulty);
        volume("GOOD01", data.resolve("good"));
        mover(b -> b.uri().equals("dir:" + faulty) ? new NoSpaceAfter(b, 1 << 20, 5L << 20) : b);
        Result r = put(file("f", 3 << 20), "/t/f");
        assertThat(r.error()).isNull();
        assertThat(r.volume()).isEqualTo("GOOD01");
        assertThat(r.attempts()).isEqualTo(1);
        VolumeInfo v = archive.volumes().inquire("FAULT01");
        assertThat(v.state()).isEqualTo("full");
        assertThat(v.remaining()).isEqualTo((5L << 20) - Mover.ROOM_MARGIN);
        assertThat(v.writeErrors()).isZero();
        try (var files = Files.list(faulty)) {
            assertThat(files).as("no .part, no file").isEmpty();
        }
        assertThat(archive.files().status().get("filesActive")).isEqualTo(1L);
        assertThat(archive.files().fsck().problems()).isEmpty();
    }

    /**
     * Seed 000's set_system_readonly: a volume whose write fails with an I/O error (not a full one) is
     * made readonly by the mover before the retry, so the retry and every later write go elsewhere;
     * nothing of the failed write is kept, and the error counts against the volume once.
     */
    @Test
    void aWriteErrorMakesTheMoverSetTheVolumeReadonlyAndTheRetryGoesElsewhere() throws Exception {
        Path faulty = data.resolve("eio");
        volume("FAULT01", faulty); // chosen first: blank volumes are taken in label order
        volume("GOOD01", data.resolve("good"));
        mover(b -> b.uri().equals("dir:" + faulty)
                ? new Wrapper(b) {
                    @Override
                    public NewFile create() throws SiloException {
                        return new Watched(b.create(), 1 << 20, () -> {}, "Input/output error");
                    }
                }
                : b);
        Result r = put(file("f", 3 << 20), "/t/f");
        assertThat(r.error()).isNull();
        assertThat(r.volume()).isEqualTo("GOOD01");
        assertThat(r.attempts()).as("the failed write was one try").isEqualTo(2);
        VolumeInfo v = archive.volumes().inquire("FAULT01");
        assertThat(v.state()).isEqualTo("readonly");
        assertThat(v.stateReason())
                .startsWith("write error by mover tinymover:")
                .contains("Input/output error");
        assertThat(v.writeErrors()).isEqualTo(1);
        try (var files = Files.list(faulty)) {
            assertThat(files).as("no .part, no file").isEmpty();
        }
        Result next = put(file("g", 2 << 20), "/t/g");
        assertThat(next.volume()).isEqualTo("GOOD01");
        assertThat(next.attempts()).isEqualTo(1);
        assertThat(archive.files().fsck().problems()).isEmpty();
    }

    /** A backend whose free count says "plenty" until a write fails, then tells the truth. */
    static final class StaleFreeCount extends Wrapper {
        volatile boolean failed;

        StaleFreeCount(Backend b) {
            super(b);
        }

        @Override
        public NewFile create() throws SiloException {
            return new Watched(b.create(), Long.MAX_VALUE, () -> failed = true);
        }

        @Override
        public long freeBytes() {
            return failed ? b.freeBytes() : 1L << 40;
        }
    }

    /**
     * A backend whose storage "fills up" after {@code limit} bytes of a file: the write past them fails
     * with the kernel's ENOSPC text, as the real directory backend's would. It cannot tell its free space
     * until then, and afterwards says {@code freeAfter}.
     */
    static final class NoSpaceAfter extends Wrapper {
        final long limit;
        final long freeAfter;
        volatile boolean failed;

        NoSpaceAfter(Backend b, long limit, long freeAfter) {
            super(b);
            this.limit = limit;
            this.freeAfter = freeAfter;
        }

        @Override
        public NewFile create() throws SiloException {
            return new Watched(b.create(), limit, () -> failed = true);
        }

        @Override
        public long freeBytes() {
            return failed ? freeAfter : -1;
        }
    }

    /**
     * A new file of the real backend that fails as a full disk does after {@code limit} bytes, and tells
     * {@code onFailure} of any write or commit that fails (the real backend's ENOSPC included).
     */
    static final class Watched implements Backend.NewFile {
        private final Backend.NewFile file;
        private final OutputStream out;
        private final Runnable onFailure;

        Watched(Backend.NewFile file, long limit, Runnable onFailure) {
            this(file, limit, onFailure, "No space left on device");
        }

        /** As above, failing with {@code message} (the kernel's text for EIO, say) after {@code limit} bytes. */
        Watched(Backend.NewFile file, long limit, Runnable onFailure, String message) {
            this.file = file;
            this.onFailure = onFailure;
            this.out = new FilterOutputStream(file.out()) {
                long n;

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (n + len > limit) {
                        onFailure.run();
                        throw new IOException(message);
                    }
                    try {
                        out.write(b, off, len);
                    } catch (IOException e) {
                        onFailure.run();
                        throw e;
                    }
                    n += len;
                }

                @Override
                public void flush() throws IOException {
                    try {
                        out.flush();
                    } catch (IOException e) {
                        onFailure.run();
                        throw e;
                    }
                }
            };
        }

        @Override
        public OutputStream out() {
            return out;
        }

        @Override
        public String cookie() {
            return file.cookie();
        }

        @Override
        public void rewind(long position) throws IOException {
            out.flush();
            file.rewind(position);
        }

        @Override
        public void commit(Backend.BeforeCommit check) throws SiloException {
            try {
                out.flush();
                file.commit(check);
            } catch (IOException | SiloException e) {
                onFailure.run();
                throw e instanceof SiloException s ? s : Backend.io("cannot write", (IOException) e);
            }
        }

        @Override
        public void close() {
            file.close();
        }
    }

    /** The wrappers above: every call passed on but the ones they override. */
    abstract static class Wrapper extends ForwardingBackend {
        Wrapper(Backend b) {
            super(b);
        }
    }
}
