package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.lm.LibrarySettings;
import org.silo.archive.ops.FileMessages.BitFileInfo;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.ListJobs;
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
 * A get of a file whose bytes are missing or short on a volume whose state is fine (docs/archive.md, "Reading another copy"): the mover
 * cannot read them, the failure counts against that volume, and the get's next try reads another copy,
 * with a note saying so; a file with no other copy fails at once, naming the file, the volume and what is
 * wrong. A real server on loopback, movers and a {@link TransferClient}, as in {@link TransferTest}; the
 * bytes are taken away under the directory volume, as a disk would lose them. The timeout is only a
 * ceiling for a hang.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BadCopyTest {
    @TempDir
    Path data;

    @TempDir
    Path local;

    ArchiveService archive;
    WireServer server;
    SiloClient client;
    final List<String> notes = new CopyOnWriteArrayList<>();

    void start(LibrarySettings settings) throws Exception {
        archive = ArchiveService.open(data, null, settings);
        Dispatcher d = new Dispatcher();
        archive.register(d);
        server = WireServer.start(
                InetAddress.getLoopbackAddress(), 0, WireServerConfig.DEFAULTS, d, new SimpleMeterRegistry());
        client = SiloClient.connect(ClientOptions.to(server.address()));
        archive.namespace().mkdir("/t", false, "alice");
        archive.startLocalMovers(2, "default");
    }

    @AfterEach
    void stop() {
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

    TransferClient transfers(int copies) throws IOException {
        return new TransferClient(
                        LibraryClient.over(client),
                        TransferClient.Options.defaults().withCopies(copies).withWait(Duration.ofMinutes(5)))
                .onNote(notes::add);
    }

    Path file(String name, int size, long seed) throws IOException {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return Files.write(local.resolve(name), b);
    }

    Result put(Path src, String path, int copies) throws IOException {
        Result r;
        try (TransferClient t = transfers(copies)) {
            r = t.putOne(src, path);
        }
        assertThat(r.error()).isNull();
        assertThat(r.copies()).hasSize(copies - 1).doesNotContain(r.volume());
        return r;
    }

    Result get(String path, Path dest) throws IOException {
        try (TransferClient t = transfers(1)) {
            return t.getOne(path, dest);
        }
    }

    /** The file on the directory volume that holds the bit file's bytes (a container, for a small file). */
    Path bytesOf(String bfid) throws Exception {
        BitFileInfo b = archive.files().info(bfid);
        return ((DirBackend) archive.volumes()
                        .backends()
                        .get(archive.volumes().inquire(b.volume()).backend()))
                .path(b.cookie());
    }

    long readErrors(String volume) throws Exception {
        return archive.volumes().inquire(volume).readErrors();
    }

    List<JobInfo> reads() throws Exception {
        return client.call(LibraryOps.JOB_LS, new ListJobs(true, 1000)).jobs().stream()
                .filter(j -> j.kind().equals(LibraryMessages.KIND_READ))
                .toList();
    }

    @Test
    void aFileWhoseBytesAreGoneFromItsVolumeIsReadFromItsCopyWithANote() throws Exception {
        start(TransferTest.SETTINGS); // a small file: a member of a container, which goes
        Path src = file("m", 150_000, 9);
        Result put = put(src, "/t/m", 2);
        String copy = put.copies().get(0);
        Files.delete(bytesOf(put.bfid()));

        Path back = local.resolve("m.back");
        Result got = get("/t/m", back);
        assertThat(got.error()).isNull();
        assertThat(Files.mismatch(src, back)).as("the copy's bytes, whole").isEqualTo(-1L);
        assertThat(got.volume()).isEqualTo(copy);
        assertThat(notes)
                .as("the user is told")
                .anySatisfy(n -> assertThat(n)
                        .startsWith("/t/m is read from its copy on volume " + copy + ": cannot read /t/m from "
                                + put.volume())
                        .contains("no file at cookie"));
        assertThat(readErrors(put.volume()))
                .as("the failure counts against the volume that lost the bytes")
                .isEqualTo(1);
        assertThat(readErrors(copy)).isZero();
        assertThat(reads())
                .extracting(JobInfo::volume)
                .as("tried once there, then on the copy's volume")
                .containsExactlyInAnyOrder(put.volume(), copy);
    }

    @Test
    void aFileCutShortOnItsVolumeIsReadFromItsCopyWithANote() throws Exception {
        start(TransferTest.SETTINGS.withAggregation(
                new LibraryMessages.Aggregation(0, 1L << 30, 1000))); // a file of its own
        Path src = file("s", 300_000, 10);
        Result put = put(src, "/t/s", 2);
        String copy = put.copies().get(0);
        try (RandomAccessFile f = new RandomAccessFile(bytesOf(put.bfid()).toFile(), "rw")) {
            f.setLength(100_000);
        }

        Path back = local.resolve("s.back");
        Result got = get("/t/s", back);
        assertThat(got.error()).isNull();
        assertThat(Files.mismatch(src, back)).isEqualTo(-1L);
        assertThat(got.volume()).isEqualTo(copy);
        assertThat(notes)
                .anySatisfy(n -> assertThat(n)
                        .startsWith("/t/s is read from its copy on volume " + copy + ": ")
                        .contains(
                                "size mismatch at mover",
                                put.volume(),
                                "holds 100000 bytes of /t/s",
                                "the catalog says 300000"));
        assertThat(readErrors(put.volume())).isEqualTo(1);
        assertThat(archive.volumes().inquire(put.volume()).state())
                .as("one failure on one mover: not yet a suspect volume")
                .isEqualTo("ok");
    }

    @Test
    void aFileWhoseBytesNoLongerMatchTheirChecksumIsReadFromItsCopy() throws Exception {
        start(TransferTest.SETTINGS);
        Path src = file("f", 200_000, 12);
        Result put = put(src, "/t/f", 2);
        String copy = put.copies().get(0);
        long at = org.silo.archive.volume.Backend.location(
                                archive.files().info(put.bfid()).cookie())
                        .offset()
                + 77_777;
        try (RandomAccessFile f = new RandomAccessFile(bytesOf(put.bfid()).toFile(), "rw")) {
            f.seek(at);
            int v = f.read();
            f.seek(at);
            f.write(v ^ 0x10);
        }

        Path back = local.resolve("f.back");
        Result got = get("/t/f", back);
        assertThat(got.error()).isNull();
        assertThat(Files.mismatch(src, back)).isEqualTo(-1L);
        assertThat(got.volume()).isEqualTo(copy);
        assertThat(notes)
                .anySatisfy(n -> assertThat(n)
                        .startsWith("/t/f is read from its copy on volume " + copy
                                + ": CRC mismatch at mover: /t/f read from " + put.volume()));
        assertThat(readErrors(put.volume())).isEqualTo(1);
    }

    @Test
    void aFileWithNoOtherCopyWhoseBytesAreGoneFailsAtOnceSayingWhy() throws Exception {
        start(TransferTest.SETTINGS);
        Path src = file("one", 120_000, 11);
        Result put = put(src, "/t/one", 1);
        Files.delete(bytesOf(put.bfid()));

        Path back = local.resolve("one.back");
        Result got = get("/t/one", back);
        assertThat(got.error())
                .as("the file, the volume, what is wrong, and that no copy is left")
                .startsWith("cannot read /t/one from " + put.volume())
                .contains(
                        "no file at cookie",
                        "/t/one has no copy left to read: its bytes on volume " + put.volume() + " could not be read");
        assertThat(Files.exists(back)).isFalse();
        assertThat(readErrors(put.volume()))
                .as("tried once, not again on the same bytes")
                .isEqualTo(1);
        assertThat(reads()).hasSize(1);
        assertThat(notes).noneMatch(n -> n.contains("is read from its copy"));
    }
}
