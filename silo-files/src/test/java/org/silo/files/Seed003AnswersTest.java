package org.silo.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.block.image.ImageStore;
import org.silo.files.FilesOps.Handle;
import org.silo.files.FilesOps.Name;
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
 * Issue 16's seed 003 items through a running service: a lease granted shorter than asked is a warning,
 * integer handles are BER INTEGERs, and a device name's integer opens the image from that byte on.
 * (The warnings of archived files, a copy and a staging, need movers: ArchivePathsTest.)
 */
class Seed003AnswersTest {
    private static final int IMAGE = 1 << 20;

    @TempDir
    Path dir;

    private ImageStore images;
    private org.silo.archive.ArchiveService archive;
    private FilesService files;
    private WireServer server;
    private SiloClient client;

    @BeforeEach
    void start() throws Exception {
        images = new ImageStore(dir.resolve("images"));
        images.create("disk", IMAGE, false);
        archive = org.silo.archive.ArchiveService.open(Files.createDirectories(dir.resolve("archive")), null);
        files = new FilesService(
                dir,
                images,
                new org.silo.files.server.ArchiveGateway(archive, null),
                Map::of,
                new FilesSettings(dir.resolve("files-cache"), 1 << 20, 5_000, InetAddress.getLoopbackAddress(), 0));
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

    private FilesOps.Opened open(int flags, int handle, Name n) throws SiloException {
        return client.call(FilesOps.OPEN, new FilesOps.Open(flags, handle, List.of(n)));
    }

    private FilesOps.LeaseState lease(String holder, long seconds) throws SiloException {
        return client.call(
                FilesOps.LEASE, new FilesOps.Lease(Name.device("disk"), FilesOps.LEASE_READ, (int) seconds, holder));
    }

    @Test
    void aLeaseGrantedShorterThanAskedSaysSo() throws Exception {
        FilesOps.LeaseState asked = lease("a", 60);
        assertThat(asked.granted()).isTrue();
        assertThat(asked.warning()).as("granted as asked: no warning").isNull();

        long before = System.currentTimeMillis();
        FilesOps.LeaseState longer = lease("b", 7200);
        long after = System.currentTimeMillis();
        assertThat(longer.granted()).isTrue();
        assertThat(longer.warning().code()).isEqualTo(FilesOps.WARN_LEASE_SHORTER);
        assertThat(longer.warning().text()).contains("3600 s").contains("7200 s");
        assertThat(longer.expiresMillis()).isBetween(before + 3_600_000, after + 3_600_000);

        FilesOps.LeaseState most = lease("c", 0xFFFF_FFFFL); // the largest u32, not a negative number
        assertThat(most.granted()).isTrue();
        assertThat(most.warning().text()).contains("4294967295 s");
        FilesOps.LeaseState zero = lease("d", 0);
        assertThat(zero.warning().code()).isEqualTo(FilesOps.WARN_LEASE_SHORTER);
        assertThat(zero.warning().text()).contains("granted for 1 s, not the 0 s asked");

        // a refused lease is a refusal, not a warning
        FilesOps.LeaseState refused =
                client.call(FilesOps.LEASE, new FilesOps.Lease(Name.device("disk"), FilesOps.LEASE_WRITE, 9000, "e"));
        assertThat(refused.granted()).isFalse();
        assertThat(refused.warning()).isNull();
    }

    @Test
    void integerHandlesAreBerIntegers() throws Exception {
        FilesOps.Opened first = open(FilesOps.READ, FilesOps.INTEGER, Name.device("disk"));
        assertThat(first.handle().bytes()).as("handle 1, one octet").containsExactly(1);
        assertThat(first.warning()).isNull();
        for (int i = 0; i < 130; i++) { // past 127: two octets
            client.call(
                    FilesOps.CLOSE,
                    open(FilesOps.READ, FilesOps.INTEGER, Name.device("disk")).handle());
        }
        FilesOps.Opened later = open(FilesOps.READ, FilesOps.INTEGER, Name.device("disk"));
        assertThat(later.handle().bytes()).containsExactly(0x00, 0x84); // 132
        assertThat(client.call(FilesOps.READ_OP, new FilesOps.Read(later.handle(), 0, 10)))
                .hasSize(10);
        // the fixed u32 of before: refused, not taken for handle 132
        Handle old = new Handle(FilesOps.INTEGER, new byte[] {0, 0, 0, (byte) 0x84});
        assertThatThrownBy(() -> client.call(FilesOps.READ_OP, new FilesOps.Read(old, 0, 10)))
                .isInstanceOfSatisfying(
                        SiloException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID));
        client.call(FilesOps.CLOSE, later.handle());
        client.call(FilesOps.CLOSE, first.handle());
    }

    @Test
    void aDevicesIntegerOpensTheImageFromThatByte() throws Exception {
        byte[] all = new byte[IMAGE];
        new java.util.Random(7).nextBytes(all);
        FilesOps.Opened w = open(FilesOps.READ | FilesOps.WRITE, FilesOps.CAPABILITY, Name.device("disk"));
        for (int off = 0; off < IMAGE; off += 60_000) {
            client.call(
                    FilesOps.WRITE_OP,
                    new FilesOps.Write(w.handle(), off, Arrays.copyOfRange(all, off, Math.min(IMAGE, off + 60_000))));
        }
        client.call(FilesOps.CLOSE, w.handle());

        FilesOps.Opened part = open(FilesOps.READ | FilesOps.WRITE, FilesOps.CAPABILITY, Name.device("disk", 4096));
        assertThat(part.size()).isEqualTo(IMAGE - 4096);
        assertThat(client.call(FilesOps.READ_OP, new FilesOps.Read(part.handle(), 0, 100)))
                .isEqualTo(Arrays.copyOfRange(all, 4096, 4196));
        assertThat(client.call(FilesOps.READ_OP, new FilesOps.Read(part.handle(), IMAGE - 4100, 100)))
                .as("its end is the image's")
                .isEqualTo(Arrays.copyOfRange(all, IMAGE - 4, IMAGE));
        client.call(
                FilesOps.WRITE_OP, new FilesOps.Write(part.handle(), 0, "partition".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> client.call(
                        FilesOps.WRITE_OP, new FilesOps.Write(part.handle(), IMAGE - 4096 - 2, new byte[4])))
                .isInstanceOfSatisfying(
                        SiloException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_SPACE));
        assertThat(client.call(FilesOps.STAT, part.handle()).size()).isEqualTo(IMAGE - 4096);
        client.call(FilesOps.CLOSE, part.handle());
        FilesOps.Opened whole = open(FilesOps.READ, FilesOps.CAPABILITY, Name.device("disk"));
        assertThat(client.call(FilesOps.READ_OP, new FilesOps.Read(whole.handle(), 4095, 10)))
                .asString(StandardCharsets.ISO_8859_1)
                .isEqualTo((char) (all[4095] & 0xFF) + "partition");
        client.call(FilesOps.CLOSE, whole.handle());

        // a crypto capability carries the offset: each use reopens the same part
        FilesOps.Opened signed = open(FilesOps.READ, FilesOps.CRYPTO, Name.device("disk", IMAGE - 8));
        assertThat(signed.size()).isEqualTo(8);
        assertThat(client.call(FilesOps.READ_OP, new FilesOps.Read(signed.handle(), 0, 100)))
                .isEqualTo(Arrays.copyOfRange(all, IMAGE - 8, IMAGE));

        // at the end: empty; past it: INVALID, and the image is not left held
        FilesOps.Opened end = open(FilesOps.READ, FilesOps.CAPABILITY, Name.device("disk", IMAGE));
        assertThat(end.size()).isZero();
        assertThat(client.call(FilesOps.READ_OP, new FilesOps.Read(end.handle(), 0, 10)))
                .isEmpty();
        client.call(FilesOps.CLOSE, end.handle());
        assertThatThrownBy(
                        () -> open(FilesOps.READ | FilesOps.WRITE, FilesOps.CAPABILITY, Name.device("disk", IMAGE + 1)))
                .isInstanceOfSatisfying(SiloException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID);
                    assertThat(e.getMessage()).contains("past the end of disk");
                });
        assertThat(images.info("disk").holders()).isEmpty();
    }
}
