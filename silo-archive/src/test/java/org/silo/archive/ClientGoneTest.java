package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.lm.ClientJobs;
import org.silo.archive.lm.LibrarySettings;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.ReadFromHsm;
import org.silo.archive.ops.LibraryMessages.WriteToHsm;
import org.silo.archive.ops.LibraryOps;
import org.silo.archive.transfer.DataChannel;
import org.silo.archive.transfer.LibraryClient;
import org.silo.archive.transfer.TransferClient;
import org.silo.archive.transfer.TransferClient.Result;
import org.silo.wire.SiloException;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.WireServer;
import org.silo.wire.server.WireServerConfig;

/**
 * A client that is gone leaves nothing queued or running behind it, and never blocks its paths: its
 * session ended (END) or expired, its callback cannot be reached, or it went away mid-transfer. Each
 * request is cancelled with a reason that says so, and the same path can be written again at once. A
 * write_to_hsm sent again with the same token (its answer lost) gets the request made the first time.
 */
class ClientGoneTest {
    @TempDir
    Path data;

    @TempDir
    Path local;

    static final LibrarySettings SETTINGS = new LibrarySettings(3_600_000, 1, 1_000_001, 5_000, 200);
    static final Duration CEILING = Duration.ofMinutes(3);

    ArchiveService archive;
    WireServer server;
    SiloClient client;

    @BeforeEach
    void start() throws Exception {
        archive = ArchiveService.open(data, null, SETTINGS);
        Dispatcher d = new Dispatcher();
        archive.register(d);
        // a short idle time, so that a dead client's session expires within the test
        server = WireServer.start(
                InetAddress.getLoopbackAddress(),
                0,
                WireServerConfig.DEFAULTS.withSessionIdle(Duration.ofSeconds(2)),
                d,
                new SimpleMeterRegistry());
        client = SiloClient.connect(ClientOptions.to(server.address()));
        archive.namespace().mkdir("/t", false, "alice");
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
        archive.close();
    }

    /** A write that no mover will take (it avoids the only one), so it stays queued until something cancels it. */
    WriteToHsm stuckWrite(String path, String callback, String token) {
        return WriteToHsm.of(path, 1000)
                .callback(callback, token)
                .owner("alice")
                .avoidMovers(List.of("mover1"))
                .build();
    }

    JobInfo job(long id) throws SiloException {
        return archive.library().info(id);
    }

    /** The request once it is no longer queued or running. */
    JobInfo settled(long id) {
        return await().atMost(CEILING)
                .until(
                        () -> job(id),
                        j -> !j.state().equals("queued") && !j.state().equals("active"));
    }

    Result putAgain(String name, String path) throws Exception {
        Path src = local.resolve(name);
        Files.write(src, new byte[1000]);
        try (TransferClient t = new TransferClient(
                LibraryClient.over(client), TransferClient.Options.defaults().withWait(CEILING))) {
            return t.putOne(src, path);
        }
    }

    @Test
    void aClientThatEndsItsSessionHasItsTransfersCancelledAndThePathIsFreeAgain() throws Exception {
        archive.startLocalMovers(1, "default");
        try (ServerSocket listener = listener()) {
            SiloClient leaving = SiloClient.connect(ClientOptions.to(server.address()));
            JobInfo j = leaving.call(LibraryOps.WRITE_TO_HSM, stuckWrite("/t/a", callback(listener), "tok-a"));
            assertThat(j.state()).isEqualTo("queued");
            assertThatThrownBy(() ->
                            client.call(LibraryOps.WRITE_TO_HSM, stuckWrite("/t/a", callback(listener), "tok-a2")))
                    .hasMessageContaining("already being written by job " + j.id());

            leaving.close(CEILING); // END: answered once the session's requests are let go

            assertThat(job(j.id()).state()).isEqualTo("cancelled");
            assertThat(job(j.id()).error()).isEqualTo(ClientJobs.BY_THE_CLIENT);
        }
        Result again = putAgain("a", "/t/a");
        assertThat(again.error()).isNull();
        assertThat(archive.namespace().stat("/t/a").size()).isEqualTo(1000);
    }

    @Test
    void aClientProcessKilledWithoutAWordHasItsWriteCancelledWhenItsSessionExpires() throws Exception {
        archive.startLocalMovers(1, "default");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        StrandedClient.class.getName(),
                        "127.0.0.1:" + server.port(),
                        "/t/b",
                        "mover1")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        long id;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).as("the stranded client queued its write").startsWith("job ");
            id = Long.parseLong(line.substring(4));
            assertThat(job(id).state()).isEqualTo("queued");
        } finally {
            p.destroyForcibly().waitFor(); // SIGKILL: no END, no shutdown hook
        }
        assertThat(settled(id))
                .extracting(JobInfo::state, JobInfo::error)
                .containsExactly("cancelled", ClientJobs.SESSION_EXPIRED);
        assertThat(putAgain("b", "/t/b").error()).isNull();
    }

    @Test
    void aCallbackNobodyListensOnCancelsThatRequestAndTheClientsOtherQueuedOnes() throws Exception {
        archive.startLocalMovers(1, "default");
        String dead;
        try (ServerSocket gone = listener()) {
            dead = callback(gone);
        } // closed: connections to it are refused
        JobInfo waiting = client.call(LibraryOps.WRITE_TO_HSM, stuckWrite("/t/c2", dead, "tok-c2"));
        JobInfo taken = client.call(
                LibraryOps.WRITE_TO_HSM,
                WriteToHsm.of("/t/c1", 1000)
                        .callback(dead, "tok-c1")
                        .owner("alice")
                        .build());

        assertThat(settled(taken.id()).state()).isEqualTo("cancelled");
        assertThat(job(taken.id()).error()).startsWith("cancelled: the client at " + dead + " cannot be reached");
        assertThat(settled(waiting.id()).state()).isEqualTo("cancelled");
        assertThat(job(waiting.id()).error())
                .startsWith("cancelled: the client at " + dead + " cannot be reached")
                .endsWith("(found by mover mover1 on job " + taken.id() + ")");
        assertThat(putAgain("c1", "/t/c1").error()).isNull();
        assertThat(putAgain("c2", "/t/c2").error()).isNull();
    }

    @Test
    void aClientThatGoesAwayInTheMiddleOfAWriteHasItCancelledAndNothingRecorded() throws Exception {
        archive.startLocalMovers(1, "default");
        try (ServerSocket listener = listener()) {
            JobInfo j = client.call(
                    LibraryOps.WRITE_TO_HSM,
                    WriteToHsm.of("/t/w", 8 << 20)
                            .callback(callback(listener), "tok-w")
                            .owner("alice")
                            .build());
            try (Socket s = listener.accept()) { // the mover: take the job, send a megabyte of the eight, and vanish
                DataInputStream in = new DataInputStream(s.getInputStream());
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                assertThat(DataChannel.readHello(in).token()).isEqualTo("tok-w");
                out.writeByte(DataChannel.OK);
                out.writeByte(DataChannel.FILE); // the request's file 0, of which only a megabyte comes
                out.writeInt(0);
                out.writeLong(8 << 20);
                out.write(new byte[1 << 20]);
                out.flush();
            }
            assertThat(settled(j.id()).state()).isEqualTo("cancelled");
            assertThat(job(j.id()).error())
                    .startsWith("cancelled: the client at " + callback(listener) + " went away in the middle");
        }
        assertThatThrownBy(() -> archive.namespace().stat("/t/w")).hasMessageContaining("no such file");
        await().atMost(CEILING)
                .until(() -> archive.volumes().list(null).stream().allMatch(v -> v.writing() == null));
        assertThat(partFiles()).isEmpty();
        assertThat(putAgain("w", "/t/w").error()).isNull();
    }

    @Test
    void aClientThatGoesAwayInTheMiddleOfAReadHasItCancelled() throws Exception {
        archive.startLocalMovers(1, "default");
        Path src = local.resolve("big");
        byte[] bytes = new byte[32 << 20];
        new Random(5).nextBytes(bytes);
        Files.write(src, bytes);
        try (TransferClient t = new TransferClient(
                LibraryClient.over(client), TransferClient.Options.defaults().withWait(CEILING))) {
            assertThat(t.putOne(src, "/t/r").error()).isNull();
        }
        try (ServerSocket listener = listener()) {
            JobInfo j = client.call(
                    LibraryOps.READ_FROM_HSM, new ReadFromHsm("/t/r", 0, callback(listener), "tok-r", List.of()));
            try (Socket s = listener.accept()) { // take a little of the file, then vanish
                DataInputStream in = new DataInputStream(s.getInputStream());
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                assertThat(DataChannel.readHello(in).token()).isEqualTo("tok-r");
                out.writeByte(DataChannel.OK);
                out.flush();
                assertThat(in.readUnsignedByte()).isEqualTo(DataChannel.FILE);
                assertThat(in.readInt()).isZero();
                assertThat(in.readLong()).isEqualTo(32 << 20);
                in.readNBytes(64 << 10);
            }
            assertThat(settled(j.id()).state()).isEqualTo("cancelled");
            assertThat(job(j.id()).error())
                    .startsWith("cancelled: the client at " + callback(listener) + " went away in the middle");
        }
        assertThat(archive.volumes()
                        .inquire(archive.namespace().stat("/t/r").volume())
                        .readErrors())
                .as("a client that leaves is not the volume's fault")
                .isZero();
    }

    @Test
    void aWriteSentAgainWithItsTokenGetsTheRequestMadeTheFirstTime() throws Exception {
        // a mover has served the library (or the write is refused at once), but none takes the request here
        archive.library()
                .announce(new org.silo.archive.ops.LibraryMessages.MoverHello(
                        "earlier-id", "earlier", "default", List.of("disk"), "h", "idle", null));
        try (ServerSocket listener = listener()) {
            WriteToHsm q = stuckWrite("/t/again", callback(listener), "tok-again");
            JobInfo first = client.call(LibraryOps.WRITE_TO_HSM, q);
            JobInfo repeat = client.call(LibraryOps.WRITE_TO_HSM, q);
            assertThat(repeat.id()).isEqualTo(first.id());
            assertThat(client.call(LibraryOps.JOB_LS, new org.silo.archive.ops.LibraryMessages.ListJobs(true, 10))
                            .jobs())
                    .hasSize(1);
        }
    }

    static ServerSocket listener() throws Exception {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return s;
    }

    static String callback(ServerSocket s) {
        return "127.0.0.1:" + s.getLocalPort();
    }

    private List<Path> partFiles() throws Exception {
        try (Stream<Path> s = Files.walk(data.resolve("volumes"))) {
            return s.filter(x -> x.getFileName().toString().endsWith(".part")).toList();
        }
    }
}
