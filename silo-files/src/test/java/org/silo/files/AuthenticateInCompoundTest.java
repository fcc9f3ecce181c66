package org.silo.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.ArchiveService;
import org.silo.block.image.ImageStore;
import org.silo.files.FilesOps.Handle;
import org.silo.files.FilesOps.Name;
import org.silo.files.server.ArchiveGateway;
import org.silo.files.server.FilesService;
import org.silo.files.server.FilesSettings;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Authenticator;
import org.silo.wire.auth.Grant;
import org.silo.wire.auth.Grants;
import org.silo.wire.auth.Right;
import org.silo.wire.auth.Scram;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.Compound;
import org.silo.wire.client.LoginStep;
import org.silo.wire.client.Reply;
import org.silo.wire.client.SiloClient;
import org.silo.wire.codec.Result;
import org.silo.wire.op.LoginOps;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.WireServer;
import org.silo.wire.server.WireServerConfig;

/**
 * Seed 003's authenticate inside a compound message: LOGIN and PASSWD (seed 002's, service 0x00) are
 * operations like any other, so they go first in a message and the file operations after them run with
 * the rights they grant.
 */
class AuthenticateInCompoundTest {
    @TempDir
    Path dir;

    ImageStore images;
    ArchiveService archive;
    FilesService files;
    WireServer server;
    SiloClient client;

    final Scram.Verifier alice = Scram.Verifier.of("wonderland".toCharArray(), Scram.MIN_ITERATIONS);
    final Authenticator lists = new Authenticator() {
        @Override
        public Grants anonymous(InetAddress peer) {
            return Grants.NONE;
        }

        @Override
        public Optional<AccessList> list(String name) {
            return switch (name) {
                case "alice" -> Optional.of(new AccessList("alice", alice, Grants.ALL));
                case "retro" ->
                    Optional.of(new AccessList(
                            "retro", null, new Grants(List.of(new Grant("block", "retro", Right.WRITE)))));
                default -> Optional.empty();
            };
        }
    };

    @BeforeEach
    void start() throws Exception {
        images = new ImageStore(dir.resolve("images"));
        images.create("retro", 1 << 20, false);
        archive = ArchiveService.open(Files.createDirectories(dir.resolve("archive")), null);
        files = new FilesService(
                dir,
                images,
                new ArchiveGateway(archive, null),
                Map::of,
                new FilesSettings(dir.resolve("cache"), 1 << 20, 5_000, InetAddress.getLoopbackAddress(), 0));
        Dispatcher d = new Dispatcher();
        files.register(d);
        server = WireServer.start(
                InetAddress.getLoopbackAddress(), 0, WireServerConfig.DEFAULTS, d, new SimpleMeterRegistry(), lists);
        client = SiloClient.connect(ClientOptions.to(server.address()));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
        files.close();
        archive.close();
    }

    private static FilesOps.Open open(int flags, Name n) {
        return new FilesOps.Open(flags, FilesOps.CAPABILITY, List.of(n));
    }

    @Test
    void aLoginToAnOpenListThenOpenWriteReadAndCloseAreOneDatagramRoundTrip() throws Exception {
        assertThatThrownBy(() -> client.call(FilesOps.OPEN, open(FilesOps.READ, Name.device("retro"))))
                .hasMessageContaining("needs read on block:retro");
        Compound message = client.compound()
                .add(LoginOps.LOGIN, new LoginOps.Login("retro", ""))
                .add(FilesOps.OPEN, open(FilesOps.READ | FilesOps.WRITE, Name.device("retro")))
                .add(FilesOps.WRITE_OP, new FilesOps.Write(Handle.SAME, 512, "booted".getBytes(StandardCharsets.UTF_8)))
                .add(FilesOps.READ_OP, new FilesOps.Read(Handle.SAME, 512, 6))
                .add(FilesOps.CLOSE, Handle.SAME);
        // one datagram each way: it fits one, and the reply came over UDP (a busy machine may make the client
        // send it twice; that is not the protocol's doing)
        assertThat(message.envelope().encode().length + org.silo.wire.WireConstants.MIN_FRAME)
                .isLessThanOrEqualTo(org.silo.wire.WireConstants.DEFAULT_MAX_DATAGRAM);
        Reply r = message.send();
        assertThat(r.overTcp()).isFalse();
        assertThat(r.results()).hasSize(5).allSatisfy(x -> assertThat(x).isInstanceOf(Result.Success.class));
        assertThat(((Result.Success) r.results().get(3)).data()).asString().isEqualTo("booted");
    }

    @Test
    void aPasswordLoginsProofTravelsWithTheFileOperationsThatNeedIt() throws Exception {
        LoginStep step = client.beginLogin("alice", "wonderland".toCharArray());
        Reply r = step.compound()
                .add(FilesOps.OPEN, open(FilesOps.READ, Name.app("status", "")))
                .add(FilesOps.READ_OP, new FilesOps.Read(Handle.SAME, 0, 100))
                .add(FilesOps.CLOSE, Handle.SAME)
                .send();
        step.finish(r);
        assertThat(r.results()).hasSize(4).allSatisfy(x -> assertThat(x).isInstanceOf(Result.Success.class));
        assertThat(client.rights()).contains("*");
        // the session is now tagged with the key PASSWD made: later calls still work
        FilesOps.Opened o = client.call(FilesOps.OPEN, open(FilesOps.READ, Name.device("retro")));
        client.call(FilesOps.CLOSE, o.handle());
    }

    @Test
    void aWrongProofEndsTheMessageBeforeTheFileOperationsRun() throws Exception {
        LoginStep step = client.beginLogin("alice", "looking-glass".toCharArray());
        Reply r = step.compound()
                .add(FilesOps.OPEN, open(FilesOps.READ | FilesOps.WRITE, Name.device("retro")))
                .send();
        assertThat(r.results()).as("the first failure ends the message").hasSize(1);
        assertThatThrownBy(() -> step.finish(r))
                .isInstanceOfSatisfying(
                        SiloException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION));
        assertThat(images.info("retro").holders()).as("nothing was opened").isEmpty();
        assertThat(files.status()).containsEntry("open", 0);
    }

    @Test
    void fileOperationsBeforeTheLoginInAMessageRunWithoutItsRights() throws Exception {
        Reply r = client.compound()
                .add(FilesOps.OPEN, open(FilesOps.READ, Name.device("retro")))
                .add(LoginOps.LOGIN, new LoginOps.Login("retro", ""))
                .send();
        assertThat(r.results()).hasSize(1);
        assertThat(r.results().get(0))
                .isInstanceOfSatisfying(
                        Result.Failure.class, f -> assertThat(f.error()).isEqualTo(ErrorCode.PERMISSION));
    }
}
