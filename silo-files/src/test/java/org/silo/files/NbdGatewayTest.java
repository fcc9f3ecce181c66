package org.silo.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.ArchiveService;
import org.silo.block.image.ImageStore;
import org.silo.block.nbd.NbdServer;
import org.silo.files.FilesOps.Name;
import org.silo.files.client.OobReader;
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

/** The nbd:// gateway against Silo's own NBD server and, when installed, nbdkit. */
class NbdGatewayTest {
    @TempDir
    Path dir;

    ImageStore images;
    NbdServer nbd;
    ArchiveService archive;
    FilesService files;
    WireServer server;
    SiloClient client;
    Process nbdkit;

    @BeforeEach
    void start() throws Exception {
        images = new ImageStore(dir.resolve("exports"));
        nbd = NbdServer.builder(images)
                .bindAddress(InetAddress.getLoopbackAddress())
                .port(0)
                .build()
                .start();
        archive = ArchiveService.open(Files.createDirectories(dir.resolve("archive")), null);
        // the file service has its own image store: the NBD server is "elsewhere"
        files = new FilesService(
                dir,
                new ImageStore(dir.resolve("images")),
                new ArchiveGateway(archive, null),
                Map::of,
                new FilesSettings(dir.resolve("cache"), 1 << 20, 5_000, InetAddress.getLoopbackAddress(), 0)
                        // the servers it gateways to run on loopback, which the gateway refuses unless allowed
                        .withUrlAllow(org.silo.files.server.GatewayAddressPolicy.parse("127.0.0.1")));
        Dispatcher d = new Dispatcher();
        files.register(d);
        server = WireServer.start(
                InetAddress.getLoopbackAddress(), 0, WireServerConfig.DEFAULTS, d, new SimpleMeterRegistry());
        client = SiloClient.connect(ClientOptions.to(server.address()));
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
        files.close();
        archive.close();
        nbd.close();
        if (nbdkit != null) {
            nbdkit.destroy();
            nbdkit.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private String url(String export) {
        return "nbd://127.0.0.1:" + nbd.port() + "/" + export;
    }

    private FilesOps.Opened open(int flags, int handle, String url) throws SiloException {
        return client.call(FilesOps.OPEN, new FilesOps.Open(flags, handle, List.of(Name.url(url))));
    }

    @Test
    void anExportOfSilosOwnNbdServerIsReadAndWrittenByOffset() throws Exception {
        images.create("disk", 3 << 20, false);
        byte[] data = new byte[3 << 20];
        new Random(7).nextBytes(data);
        Files.write(dir.resolve("exports").resolve("disk"), data);

        FilesOps.Opened o = open(FilesOps.READ | FilesOps.OOB_XFER, FilesOps.CAPABILITY, url("disk"));
        assertThat(o.size()).isEqualTo(data.length);
        assertThat(o.writable()).isFalse();
        assertThat(client.call(FilesOps.READ_OP, new FilesOps.Read(o.handle(), 1_000_000, 500)))
                .isEqualTo(java.util.Arrays.copyOfRange(data, 1_000_000, 1_000_500));
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        assertThat(OobReader.copy(o, all)).isEqualTo(data.length);
        assertThat(all.toByteArray())
                .as("3 MiB through the data port, 1 MiB NBD reads")
                .isEqualTo(data);
        assertThat(client.call(FilesOps.READ_OP, new FilesOps.Read(o.handle(), data.length, 10)))
                .isEmpty();
        code(() -> client.call(FilesOps.WRITE_OP, new FilesOps.Write(o.handle(), 0, new byte[1])), ErrorCode.READ_ONLY);
        client.call(FilesOps.CLOSE, o.handle());

        FilesOps.Opened w = open(FilesOps.READ | FilesOps.WRITE, FilesOps.INTEGER, url("disk"));
        assertThat(w.writable()).isTrue();
        client.call(FilesOps.WRITE_OP, new FilesOps.Write(w.handle(), 4096, "through the gateway".getBytes()));
        code(
                () -> client.call(FilesOps.WRITE_OP, new FilesOps.Write(w.handle(), data.length - 1, new byte[2])),
                ErrorCode.NO_SPACE);
        client.call(FilesOps.CLOSE, w.handle());
        byte[] after = Files.readAllBytes(dir.resolve("exports").resolve("disk"));
        assertThat(new String(after, 4096, 19)).isEqualTo("through the gateway");
    }

    @Test
    void refusalsAreClear() throws Exception {
        images.create("iso", 1 << 20, true);
        code(() -> open(FilesOps.READ, FilesOps.CAPABILITY, url("missing")), ErrorCode.NOT_FOUND);
        code(() -> open(FilesOps.WRITE, FilesOps.CAPABILITY, url("iso")), ErrorCode.READ_ONLY);
        code(() -> open(FilesOps.READ, FilesOps.CAPABILITY, "nbd:///x"), ErrorCode.INVALID);
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        code(() -> open(FilesOps.READ, FilesOps.CAPABILITY, "nbd://127.0.0.1:" + closed + "/x"), ErrorCode.IO);
        // not an NBD server at all: the file service's own message port speaks UDP/TCP frames
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket c = s.accept()) {
                    c.getOutputStream()
                            .write("HTTP/1.0 400 no\r\n\r\n".repeat(3).getBytes());
                } catch (IOException ignored) {
                    // done
                }
            });
            code(
                    () -> open(FilesOps.READ, FilesOps.CAPABILITY, "nbd://127.0.0.1:" + s.getLocalPort() + "/x"),
                    ErrorCode.IO);
        }
    }

    @Test
    void anExportOfNbdkit() throws Exception {
        Assumptions.assumeTrue(
                onPath("nbdkit"), "nbdkit is not installed (apt-get install nbdkit): skipping the nbdkit peer");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        nbdkit = new ProcessBuilder(
                        "nbdkit",
                        "-f",
                        "-r",
                        "--exit-with-parent",
                        "-i",
                        "127.0.0.1",
                        "-p",
                        String.valueOf(port),
                        "pattern",
                        "size=8M")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("nbdkit.log").toFile())
                .start();
        String url = "nbd://127.0.0.1:" + port + "/";
        // nbdkit listens when it is ready, which a busy machine may take a while to be
        FilesOps.Opened o = org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofMinutes(2))
                .pollInterval(java.time.Duration.ofMillis(100))
                .ignoreExceptionsInstanceOf(SiloException.class)
                .until(
                        () -> {
                            if (!nbdkit.isAlive()) {
                                throw new AssertionError(
                                        "nbdkit stopped: " + Files.readString(dir.resolve("nbdkit.log")));
                            }
                            return open(FilesOps.READ, FilesOps.CAPABILITY, url);
                        },
                        java.util.Objects::nonNull);
        assertThat(o.size()).isEqualTo(8 << 20);
        // the pattern plugin: each 8-byte word holds its own offset, big-endian
        byte[] b = client.call(FilesOps.READ_OP, new FilesOps.Read(o.handle(), 5_000_000, 64));
        ByteBuffer words = ByteBuffer.wrap(b);
        for (long at = 5_000_000; at < 5_000_064; at += 8) {
            assertThat(words.getLong()).isEqualTo(at);
        }
        client.call(FilesOps.CLOSE, o.handle());
        code(() -> open(FilesOps.WRITE, FilesOps.CAPABILITY, url), ErrorCode.READ_ONLY);
    }

    static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    private static void code(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, ErrorCode c) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        SiloException.class,
                        e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(c));
    }
}
