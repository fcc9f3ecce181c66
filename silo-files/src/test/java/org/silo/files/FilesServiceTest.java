package org.silo.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import org.silo.wire.WireConstants;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.Compound;
import org.silo.wire.client.Reply;
import org.silo.wire.client.SiloClient;
import org.silo.wire.codec.Result;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.WireServer;
import org.silo.wire.server.WireServerConfig;

/** Seed 003's operations over the message layer: every name type, every handle type, and the errors. */
class FilesServiceTest {
    @TempDir
    Path dir;

    private ImageStore images;
    private FilesService files;
    private WireServer server;
    private SiloClient client;
    private HttpServer http;
    private org.silo.archive.ArchiveService archive;
    private final byte[] web = "hello from the web, ".repeat(100).getBytes(StandardCharsets.UTF_8);

    @BeforeEach
    void start() throws Exception {
        images = new ImageStore(dir.resolve("images"));
        images.create("disk", 1 << 20, false);
        images.create("iso", 1 << 20, true);
        startServer();
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/page", ex -> {
            if (ex.getRequestMethod().equals("HEAD")) {
                ex.getResponseHeaders().set("Content-Length", String.valueOf(web.length));
                ex.sendResponseHeaders(200, -1);
            } else {
                ex.sendResponseHeaders(200, web.length);
                ex.getResponseBody().write(web);
            }
            ex.close();
        });
        http.start();
    }

    private void startServer() throws Exception {
        if (archive == null) {
            archive = org.silo.archive.ArchiveService.open(Files.createDirectories(dir.resolve("archive")), null);
            archive.files()
                    .write(
                            new org.silo.archive.ops.FileMessages.WriteFile(
                                    null,
                                    "/notes.txt",
                                    "archived notes".getBytes(StandardCharsets.UTF_8),
                                    null,
                                    null,
                                    null,
                                    "root"),
                            "test");
        }
        files = new FilesService(
                dir,
                images,
                new org.silo.files.server.ArchiveGateway(archive, null),
                () -> Map.of("name", "test-silo"),
                new FilesSettings(dir.resolve("files-cache"), 1 << 20, 5_000, InetAddress.getLoopbackAddress(), 0)
                        // the servers it gateways to run on loopback, which the gateway refuses unless allowed
                        .withUrlAllow(org.silo.files.server.GatewayAddressPolicy.parse("127.0.0.1")));
        Dispatcher d = new Dispatcher();
        files.register(d);
        server = WireServer.start(
                InetAddress.getLoopbackAddress(), 0, WireServerConfig.DEFAULTS, d, new SimpleMeterRegistry());
        client = SiloClient.connect(ClientOptions.to(server.address()));
    }

    private void stopServer() {
        client.close();
        server.close();
        files.close();
    }

    @AfterEach
    void stop() {
        stopServer();
        http.stop(0);
        archive.close();
    }

    private static FilesOps.Open open(int flags, int handle, Name... names) {
        return new FilesOps.Open(flags, handle, List.of(names));
    }

    @Test
    void openReadAndCloseInOneDatagramRoundTrip() throws Exception {
        FilesOps.Opened w = client.call(
                FilesOps.OPEN, open(FilesOps.READ | FilesOps.WRITE, FilesOps.CAPABILITY, Name.device("disk")));
        client.call(
                FilesOps.WRITE_OP,
                new FilesOps.Write(w.handle(), 4096, "sector data".getBytes(StandardCharsets.UTF_8)));
        client.call(FilesOps.CLOSE, w.handle());

        Compound message = client.compound()
                .add(FilesOps.OPEN, open(FilesOps.READ, FilesOps.CAPABILITY, Name.device("disk")))
                .add(FilesOps.READ_OP, new FilesOps.Read(Handle.SAME, 4096, 11))
                .add(FilesOps.CLOSE, Handle.SAME);
        // one datagram each way: the request fits one and the reply came over UDP (how many times the client
        // had to send it is the network's and the machine's business, not the protocol's)
        assertThat(message.envelope().encode().length + WireConstants.MIN_FRAME)
                .isLessThanOrEqualTo(WireConstants.DEFAULT_MAX_DATAGRAM);
        Reply r = message.send();
        assertThat(r.overTcp()).isFalse();
        assertThat(r.results()).hasSize(3).allSatisfy(x -> assertThat(x).isInstanceOf(Result.Success.class));
        assertThat(((Result.Success) r.results().get(1)).data())
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("sector data");
        assertThat(images.info("disk").holders())
                .as("closed in the same message")
                .isEmpty();
    }

    @Test
    void everyNameType() throws Exception {
        FilesOps.Opened path =
                client.call(FilesOps.OPEN, open(FilesOps.READ, FilesOps.INTEGER, Name.path("/notes.txt")));
        assertThat(client.call(FilesOps.READ_OP, new FilesOps.Read(path.handle(), 0, 100)))
                .asString()
                .isEqualTo("archived notes");

        FilesOps.Opened url = client.call(
                FilesOps.OPEN,
                open(
                        FilesOps.READ,
                        FilesOps.CAPABILITY,
                        Name.url("http://127.0.0.1:" + http.getAddress().getPort() + "/page")));
        assertThat(url.size()).isEqualTo(web.length);
        assertThat(client.call(FilesOps.READ_OP, new FilesOps.Read(url.handle(), 6, 8)))
                .asString()
                .isEqualTo("from the");

        FilesOps.Opened app =
                client.call(FilesOps.OPEN, open(FilesOps.READ, FilesOps.CAPABILITY, Name.app("status", "")));
        assertThat(client.call(FilesOps.READ_OP, new FilesOps.Read(app.handle(), 0, 1000)))
                .asString()
                .contains("\"test-silo\"");

        FilesOps.Stat st = client.call(FilesOps.STAT, path.handle());
        assertThat(st.size()).isEqualTo(14);
        assertThat(st.nameType()).isEqualTo(FilesOps.FILESYSTEM);
        assertThat(st.writable()).isFalse();
    }

    /**
     * Issue 12: the gateway's own HTTP client follows redirects, checking each target's address again (a
     * redirect is the classic way round a check made only on the first URL), and reads chunked bodies.
     */
    @Test
    void urlRedirectsAreFollowedAndCheckedAgainAndChunkedBodiesAreRead() throws Exception {
        int port = http.getAddress().getPort();
        http.createContext("/moved", ex -> {
            ex.getResponseHeaders().set("Location", "/page");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        http.createContext("/away", ex -> {
            ex.getResponseHeaders().set("Location", "http://127.0.0.2:" + port + "/page"); // loopback, not listed
            ex.sendResponseHeaders(307, -1);
            ex.close();
        });
        http.createContext("/chunked", ex -> {
            if (ex.getRequestMethod().equals("HEAD")) {
                ex.sendResponseHeaders(200, -1);
            } else {
                ex.sendResponseHeaders(200, 0); // no length: the JDK's server sends it chunked
                ex.getResponseBody().write(web);
            }
            ex.close();
        });
        FilesOps.Opened moved = client.call(
                FilesOps.OPEN,
                open(FilesOps.READ, FilesOps.CAPABILITY, Name.url("http://127.0.0.1:" + port + "/moved")));
        assertThat(moved.size()).isEqualTo(web.length);
        assertThat(client.call(FilesOps.READ_OP, new FilesOps.Read(moved.handle(), 6, 8)))
                .asString()
                .isEqualTo("from the");

        assertThatThrownBy(() -> client.call(
                        FilesOps.OPEN,
                        open(FilesOps.READ, FilesOps.CAPABILITY, Name.url("http://127.0.0.1:" + port + "/away"))))
                .isInstanceOfSatisfying(
                        SiloException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION))
                .hasMessageContaining("127.0.0.2 is a loopback address");

        FilesOps.Opened chunked = client.call(
                FilesOps.OPEN,
                open(FilesOps.READ, FilesOps.CAPABILITY, Name.url("http://127.0.0.1:" + port + "/chunked")));
        assertThat(chunked.size()).as("unknown").isEqualTo(-1);
        assertThat(client.call(FilesOps.READ_OP, new FilesOps.Read(chunked.handle(), 6, 8)))
                .asString()
                .isEqualTo("from the");
        assertThat(client.call(FilesOps.READ_OP, new FilesOps.Read(chunked.handle(), web.length - 5, 100)))
                .asString()
                .isEqualTo("web, ");
    }

    @Test
    void anAccessMethodTriesNamesInTurn() throws Exception {
        FilesOps.Opened o = client.call(
                FilesOps.OPEN,
                open(
                        FilesOps.READ,
                        FilesOps.CAPABILITY,
                        Name.path("/missing"),
                        Name.url("http://127.0.0.1:" + http.getAddress().getPort() + "/page")));
        assertThat(o.which()).as("the second name opened").isEqualTo(1);
        assertThatThrownBy(() -> client.call(
                        FilesOps.OPEN,
                        open(FilesOps.READ, FilesOps.CAPABILITY, Name.path("/nope"), Name.device("nope"))))
                .hasMessageContaining("none of the 2 names opened");
    }

    @Test
    void aCryptoCapabilityOutlivesARestartAndAForgedOneIsRefused() throws Exception {
        FilesOps.Opened o = client.call(FilesOps.OPEN, open(FilesOps.READ, FilesOps.CRYPTO, Name.app("status", "")));
        assertThat(o.handle().type()).isEqualTo(FilesOps.CRYPTO);
        stopServer();
        startServer();
        assertThat(client.call(FilesOps.READ_OP, new FilesOps.Read(o.handle(), 0, 100)))
                .asString()
                .contains("test-silo");
        byte[] forged = o.handle().bytes().clone();
        forged[3] ^= 1;
        assertThatThrownBy(() ->
                        client.call(FilesOps.READ_OP, new FilesOps.Read(new Handle(FilesOps.CRYPTO, forged), 0, 10)))
                .isInstanceOfSatisfying(SiloException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION);
                    assertThat(e.getMessage()).contains("signature does not match");
                });
        FilesOps.Opened ro = client.call(FilesOps.OPEN, open(FilesOps.READ, FilesOps.CRYPTO, Name.device("disk")));
        assertThatThrownBy(() -> client.call(FilesOps.WRITE_OP, new FilesOps.Write(ro.handle(), 0, new byte[1])))
                .hasMessageContaining("grants reading only");
        assertThat(Files.getPosixFilePermissions(dir.resolve("files.key")).toString())
                .isEqualTo("[OWNER_READ, OWNER_WRITE]");
    }

    @Test
    void badRequestsGetClearErrorsAndChangeNothing() throws Exception {
        FilesOps.Opened d =
                client.call(FilesOps.OPEN, open(FilesOps.READ | FilesOps.WRITE, FilesOps.INTEGER, Name.device("disk")));
        assertThat(client.call(FilesOps.READ_OP, new FilesOps.Read(d.handle(), 1 << 20, 10)))
                .as("at the end: nothing")
                .isEmpty();
        assertThat(client.call(FilesOps.READ_OP, new FilesOps.Read(d.handle(), (1 << 20) - 4, 10)))
                .hasSize(4);
        code(
                () -> client.call(FilesOps.WRITE_OP, new FilesOps.Write(d.handle(), (1 << 20) - 2, new byte[4])),
                ErrorCode.NO_SPACE);
        code(
                () -> client.call(FilesOps.OPEN, open(FilesOps.WRITE, FilesOps.CAPABILITY, Name.device("iso"))),
                ErrorCode.READ_ONLY);
        code(
                () -> client.call(
                        FilesOps.OPEN, open(FilesOps.READ | FilesOps.WRITE, FilesOps.CAPABILITY, Name.device("disk"))),
                ErrorCode.BUSY);
        code(
                () -> client.call(
                        FilesOps.READ_OP, new FilesOps.Read(new Handle(FilesOps.CAPABILITY, new byte[16]), 0, 1)),
                ErrorCode.NOT_FOUND);
        code(() -> client.call(FilesOps.READ_OP, new FilesOps.Read(Handle.SAME, 0, 1)), ErrorCode.INVALID);
        code(
                () -> client.call(FilesOps.OPEN, open(FilesOps.READ, FilesOps.CAPABILITY, Name.url("ftp://x/y"))),
                ErrorCode.INVALID);
        code(
                () -> client.call(FilesOps.OPEN, open(FilesOps.READ, FilesOps.CAPABILITY, Name.path("x".repeat(5000)))),
                ErrorCode.INVALID);
        code(
                () -> client.call(FilesOps.OPEN, open(FilesOps.WRITE, FilesOps.CAPABILITY, Name.app("status", ""))),
                ErrorCode.READ_ONLY);
        code(
                () -> client.call(FilesOps.OPEN, open(FilesOps.READ, FilesOps.CAPABILITY, Name.app("game", ""))),
                ErrorCode.NOT_FOUND);
        client.call(FilesOps.CLOSE, d.handle());
        code(() -> client.call(FilesOps.CLOSE, d.handle()), ErrorCode.NOT_FOUND);
        assertThat(images.info("disk").holders()).isEmpty();
    }

    @Test
    void aWriterRecallsReadLeasesAndTheHoldersHearOfItWhenTheyRenew() throws Exception {
        Name disk = Name.device("disk");
        try (SiloClient reader = SiloClient.connect(ClientOptions.to(server.address()))) {
            FilesOps.LeaseState held =
                    reader.call(FilesOps.LEASE, new FilesOps.Lease(disk, FilesOps.LEASE_READ, 60, "reader-1"));
            assertThat(held.granted()).isTrue();
            assertThat(client.call(FilesOps.LEASE, new FilesOps.Lease(disk, FilesOps.LEASE_WRITE, 60, "writer"))
                            .granted())
                    .as("a write lease waits for the readers")
                    .isFalse();

            assertThatThrownBy(() -> client.call(FilesOps.OPEN, open(FilesOps.WRITE, FilesOps.CAPABILITY, disk)))
                    .isInstanceOfSatisfying(SiloException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BUSY);
                        assertThat(e.getMessage()).contains("being recalled");
                    });
            FilesOps.LeaseState renewed =
                    reader.call(FilesOps.LEASE, new FilesOps.Lease(disk, FilesOps.LEASE_READ, 60, "reader-1"));
            assertThat(renewed.granted()).isFalse();
            assertThat(renewed.recalled())
                    .as("the holder is told at its renewal")
                    .isTrue();
            reader.call(FilesOps.LEASE, new FilesOps.Lease(disk, FilesOps.LEASE_RELEASE, 0, "reader-1"));

            FilesOps.Opened w = client.call(FilesOps.OPEN, open(FilesOps.WRITE, FilesOps.CAPABILITY, disk));
            assertThat(w.writable()).isTrue();
            client.call(FilesOps.CLOSE, w.handle());
        }
    }

    @Test
    void aBlockWriterRecallsReadLeasesToo() throws Exception {
        Name disk = Name.device("disk");
        assertThat(client.call(FilesOps.LEASE, new FilesOps.Lease(disk, FilesOps.LEASE_READ, 60, "cacher"))
                        .granted())
                .isTrue();
        // what NBD and Blockhead do when a client connects for writing
        try (var nbdWriter = images.open("disk", org.silo.block.image.Access.WRITE, "nbd 127.0.0.1")) {
            FilesOps.LeaseState renewed =
                    client.call(FilesOps.LEASE, new FilesOps.Lease(disk, FilesOps.LEASE_READ, 60, "cacher"));
            assertThat(renewed.recalled())
                    .as("the cached copy may be stale: drop it")
                    .isTrue();
            assertThat(renewed.granted()).isFalse();
        }
        FilesOps.LeaseState iso =
                client.call(FilesOps.LEASE, new FilesOps.Lease(Name.device("iso"), FilesOps.LEASE_READ, 60, "cacher"));
        assertThat(iso.recalled()).as("other images are not touched").isFalse();
    }

    @Test
    void aHolderThatNeverAnswersLosesItsLeaseWhenItExpires() throws Exception {
        Name disk = Name.device("disk");
        // the lease and the writer's open in one message, run back to back: the open meets the 1 s lease
        // however slow the network or the machine between two messages would have been
        Reply r = client.compound()
                .add(FilesOps.LEASE, new FilesOps.Lease(disk, FilesOps.LEASE_READ, 1, "silent"))
                .add(FilesOps.OPEN, open(FilesOps.WRITE, FilesOps.CAPABILITY, disk))
                .send();
        assertThat(SiloClient.decode(FilesOps.LEASE, r.results()).granted()).isTrue();
        assertThat(r.results()).hasSize(2);
        assertThatThrownBy(() -> SiloClient.decode(FilesOps.OPEN, r.results().subList(1, 2)))
                .hasMessageContaining("being recalled");
        // the holder never answers the recall: once its lease has run out, the writer gets in
        FilesOps.Opened w = await().atMost(Duration.ofMinutes(2))
                .ignoreExceptionsInstanceOf(SiloException.class)
                .until(
                        () -> client.call(FilesOps.OPEN, open(FilesOps.WRITE, FilesOps.CAPABILITY, disk)),
                        java.util.Objects::nonNull);
        client.call(FilesOps.CLOSE, w.handle());
        FilesOps.LeaseState mine = client.call(FilesOps.LEASE, new FilesOps.Lease(disk, FilesOps.LEASE_WRITE, 30, "w"));
        assertThat(mine.granted()).isTrue();
        FilesOps.Opened again = client.call(FilesOps.OPEN, open(FilesOps.WRITE, FilesOps.CAPABILITY, disk));
        assertThat(again.writable())
                .as("a write lease does not stop its own writer")
                .isTrue();
        // a longer lease than the server grants is a warning when granted (Seed003AnswersTest); here the write
        // lease keeps it out: refused, and no warning; a kind that is none is INVALID
        FilesOps.LeaseState refused =
                client.call(FilesOps.LEASE, new FilesOps.Lease(disk, FilesOps.LEASE_READ, 99999, "x"));
        assertThat(refused.granted()).isFalse();
        assertThat(refused.warning()).isNull();
        code(() -> client.call(FilesOps.LEASE, new FilesOps.Lease(disk, 3, 60, "x")), ErrorCode.INVALID);
    }

    /** Issue 6: a 200 MB file by out-of-band transfer, with its checksum. */
    @Test
    void twoHundredMegabytesOutOfBandWithTheirChecksum() throws Exception {
        long size = 200L << 20;
        images.create("big", size, false);
        java.util.zip.CRC32C written = new java.util.zip.CRC32C();
        try (var ch = java.nio.channels.FileChannel.open(
                dir.resolve("images").resolve("big"), java.nio.file.StandardOpenOption.WRITE)) {
            java.util.SplittableRandom random = new java.util.SplittableRandom(6);
            java.nio.ByteBuffer chunk = java.nio.ByteBuffer.allocate(1 << 20);
            for (int mib = 0; mib < 200; mib++) {
                chunk.clear();
                while (chunk.hasRemaining()) {
                    chunk.putLong(random.nextLong());
                }
                chunk.flip();
                written.update(chunk.duplicate());
                while (chunk.hasRemaining()) {
                    ch.write(chunk);
                }
            }
        }
        FilesOps.Opened o = client.call(
                FilesOps.OPEN, open(FilesOps.READ | FilesOps.OOB_XFER, FilesOps.CAPABILITY, Name.device("big")));
        assertThat(o.dataAddress()).startsWith("127.0.0.1:");
        java.util.zip.CRC32C read = new java.util.zip.CRC32C();
        long n = org.silo.files.client.OobReader.copy(
                o, new java.util.zip.CheckedOutputStream(java.io.OutputStream.nullOutputStream(), read));
        assertThat(n).isEqualTo(size);
        assertThat(read.getValue()).isEqualTo(written.getValue());
        client.call(FilesOps.CLOSE, o.handle());
        assertThatThrownBy(() -> org.silo.files.client.OobReader.copy(o, java.io.OutputStream.nullOutputStream()))
                .hasMessageContaining("refused the handle");
        code(
                () -> client.call(
                        FilesOps.OPEN, open(FilesOps.READ | FilesOps.OOB_XFER, FilesOps.CRYPTO, Name.device("big"))),
                ErrorCode.INVALID);
    }

    private static void code(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, ErrorCode c) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        SiloException.class,
                        e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(c));
    }

    /**
     * Seed 002's ACTION_NETWORK_END: a client that vanishes (no END) holds an image open for writing by an
     * integer handle and a read lease; once its session expires, the image's writer lock and the lease are
     * released, so another client can write the image and take a write lease at once. A client that ends
     * its session with END has its integer handles closed too, but keeps its lease (leases belong to their
     * holder id and outlive sessions, as the whole-file cache needs).
     */
    @Test
    void aSessionsEndReleasesItsIntegerHandlesAndAnExpiredSessionItsLeases() throws Exception {
        stopServer();
        Dispatcher d = new Dispatcher();
        files = new FilesService(
                dir,
                images,
                new org.silo.files.server.ArchiveGateway(archive, null),
                () -> Map.of(),
                new FilesSettings(dir.resolve("files-cache"), 1 << 20, 5_000, InetAddress.getLoopbackAddress(), 0));
        files.register(d);
        server = WireServer.start(
                InetAddress.getLoopbackAddress(),
                0,
                WireServerConfig.DEFAULTS.withSessionIdle(Duration.ofSeconds(2)),
                d,
                new SimpleMeterRegistry());
        client = SiloClient.connect(ClientOptions.to(server.address()));

        SiloClient vanishing = SiloClient.connect(ClientOptions.to(server.address()));
        vanishing.call(FilesOps.OPEN, open(FilesOps.READ | FilesOps.WRITE, FilesOps.INTEGER, Name.device("disk")));
        FilesOps.LeaseState lease = vanishing.call(
                FilesOps.LEASE, new FilesOps.Lease(Name.device("iso"), FilesOps.LEASE_READ, 600, "vanishing"));
        assertThat(lease.granted()).isTrue();
        assertThat(images.info("disk").holders())
                .as("the vanishing client writes the image")
                .hasSize(1);
        assertThatThrownBy(() -> client.call(
                        FilesOps.OPEN, open(FilesOps.READ | FilesOps.WRITE, FilesOps.INTEGER, Name.device("disk"))))
                .as("one writer at a time")
                .isInstanceOf(SiloException.class);
        assertThat(client.call(
                                FilesOps.LEASE,
                                new FilesOps.Lease(Name.device("iso"), FilesOps.LEASE_WRITE, 60, "other"))
                        .granted())
                .as("a read lease keeps a writer out")
                .isFalse();

        vanishing.abandon(); // no END: the server learns of it when the session expires
        await().atMost(Duration.ofMinutes(2))
                .until(() -> images.info("disk").holders().isEmpty());
        FilesOps.Opened w =
                client.call(FilesOps.OPEN, open(FilesOps.READ | FilesOps.WRITE, FilesOps.INTEGER, Name.device("disk")));
        client.call(FilesOps.CLOSE, w.handle());
        assertThat(client.call(
                                FilesOps.LEASE,
                                new FilesOps.Lease(Name.device("iso"), FilesOps.LEASE_WRITE, 60, "other"))
                        .granted())
                .as("the expired session's read lease is gone")
                .isTrue();
        client.call(FilesOps.LEASE, new FilesOps.Lease(Name.device("iso"), FilesOps.LEASE_RELEASE, 1, "other"));

        // END: integer handles closed before END is answered, the lease kept
        SiloClient ending = SiloClient.connect(ClientOptions.to(server.address()));
        ending.call(FilesOps.OPEN, open(FilesOps.READ | FilesOps.WRITE, FilesOps.INTEGER, Name.device("disk")));
        assertThat(ending.call(
                                FilesOps.LEASE,
                                new FilesOps.Lease(Name.device("iso"), FilesOps.LEASE_READ, 600, "cache"))
                        .granted())
                .isTrue();
        ending.close(Duration.ofMinutes(1));
        assertThat(images.info("disk").holders())
                .as("closed when END was answered")
                .isEmpty();
        assertThat(client.call(
                                FilesOps.LEASE,
                                new FilesOps.Lease(Name.device("iso"), FilesOps.LEASE_WRITE, 60, "other"))
                        .granted())
                .as("a lease outlives its session's END")
                .isFalse();
    }

    /** Seed 003's READ and APPEND flags: a handle opened without READ cannot read; APPEND writes at the end. */
    @Test
    void readAndAppendFlagsMeanWhatTheSeedSays() throws Exception {
        FilesOps.Opened w = client.call(FilesOps.OPEN, open(FilesOps.WRITE, FilesOps.CAPABILITY, Name.device("disk")));
        client.call(FilesOps.WRITE_OP, new FilesOps.Write(w.handle(), 100, "x".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> client.call(FilesOps.READ_OP, new FilesOps.Read(w.handle(), 100, 1)))
                .isInstanceOfSatisfying(SiloException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION);
                    assertThat(e.getMessage()).contains("without READ");
                });
        client.call(FilesOps.CLOSE, w.handle());

        // APPEND to a new archive file: each write lands at the end, whatever offset it names
        FilesOps.Opened a = client.call(
                FilesOps.OPEN,
                open(
                        FilesOps.READ | FilesOps.APPEND | FilesOps.CREATE,
                        FilesOps.CAPABILITY,
                        Name.path("/appended.txt")));
        client.call(FilesOps.WRITE_OP, new FilesOps.Write(a.handle(), 0, "one ".getBytes(StandardCharsets.UTF_8)));
        client.call(FilesOps.WRITE_OP, new FilesOps.Write(a.handle(), 0, "two ".getBytes(StandardCharsets.UTF_8)));
        client.call(FilesOps.WRITE_OP, new FilesOps.Write(a.handle(), 1, "three".getBytes(StandardCharsets.UTF_8)));
        assertThat(client.call(FilesOps.READ_OP, new FilesOps.Read(a.handle(), 0, 100)))
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("one two three");
        // an image opened READ|APPEND: a write lands at the end, which for an image that never grows is refused
        FilesOps.Opened img = client.call(
                FilesOps.OPEN, open(FilesOps.READ | FilesOps.APPEND, FilesOps.CAPABILITY, Name.device("disk")));
        assertThatThrownBy(() -> client.call(
                        FilesOps.WRITE_OP, new FilesOps.Write(img.handle(), 0, "y".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(SiloException.class);
        assertThat(client.call(FilesOps.READ_OP, new FilesOps.Read(img.handle(), 100, 1)))
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("x");
        client.call(FilesOps.CLOSE, img.handle());
    }
}
