package org.silo.server.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.LibraryOps;
import org.silo.control.fixture.TextClient;
import org.silo.server.SiloServer;
import org.silo.server.TestSilo;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Scram;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;

/**
 * A verify has a mover read a whole volume, so queueing one needs write on the volume
 * ({@code archive:vol:LABEL}), on the message layer and on the text protocol alike. The server runs with
 * {@code anonymous = read}, what a network listener grants out of the box (docs/control-protocol.md, "Rights").
 */
class VolumeJobRightsTest {
    @TempDir
    Path dir;

    @BeforeEach
    void users() throws Exception {
        AccessStore.open(dir)
                .add(
                        "ops",
                        false,
                        Scram.Verifier.of("0ps".toCharArray(), Scram.MIN_ITERATIONS),
                        List.of("archive:vol:DEF001:write"));
        AccessStore.open(dir)
                .add(
                        "reader",
                        false,
                        Scram.Verifier.of("r3ad".toCharArray(), Scram.MIN_ITERATIONS),
                        List.of("archive::read"));
    }

    private static SiloClient client(SiloServer s) throws SiloException {
        return SiloClient.connect(ClientOptions.to(new InetSocketAddress("127.0.0.1", s.wirePort())));
    }

    @Test
    void theMessageLayerRefusesAnonymousAndReadersAndQueuesForTheVolumesWriter() throws Exception {
        try (SiloServer s = SiloServer.start(TestSilo.config(dir, "anonymous", "read"))) {
            try (SiloClient anon = client(s)) {
                assertThatThrownBy(() ->
                                anon.call(LibraryOps.VERIFY_VOLUME, new LibraryMessages.VerifyVolume("DEF001", 0)))
                        .isInstanceOfSatisfying(SiloException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION);
                            assertThat(e.getMessage())
                                    .contains("needs write on archive:vol:DEF001", "anonymous from 127.0.0.1");
                        });
            }
            try (SiloClient reader = client(s)) {
                reader.login("reader", "r3ad".toCharArray());
                assertThatThrownBy(() ->
                                reader.call(LibraryOps.VERIFY_VOLUME, new LibraryMessages.VerifyVolume("DEF001", 0)))
                        .as("reading the archive is not enough")
                        .hasMessageContaining("needs write on archive:vol:DEF001");
            }
            try (SiloClient ops = client(s)) {
                ops.login("ops", "0ps".toCharArray());
                LibraryMessages.JobInfo job =
                        ops.call(LibraryOps.VERIFY_VOLUME, new LibraryMessages.VerifyVolume("DEF001", 0));
                assertThat(job.kind()).isEqualTo("verify");
                assertThat(job.volume()).isEqualTo("DEF001");
                assertThatThrownBy(
                                () -> ops.call(LibraryOps.VERIFY_VOLUME, new LibraryMessages.VerifyVolume("DEF002", 0)))
                        .as("the grant names one volume")
                        .hasMessageContaining("needs write on archive:vol:DEF002");
            }
            try (SiloClient anon = client(s)) {
                assertThat(anon.call(LibraryOps.JOB_LS, new LibraryMessages.ListJobs(true, 100))
                                .jobs())
                        .as("only the permitted verify was queued")
                        .filteredOn(j -> j.kind().equals("verify"))
                        .hasSize(1);
            }
        }
    }

    @Test
    void theTextProtocolRefusesAnonymousAndQueuesAfterALoginWithTheRight() throws Exception {
        try (SiloServer s = SiloServer.start(TestSilo.config(dir, "anonymous", "read"));
                TextClient text = new TextClient(s.controlPort())) {
            text.readText(); // IDENT
            assertThat(text.askText("QUEUE\tverify\tDEF001"))
                    .isEqualTo("ERROR\t401\trefused: needs write on archive:vol:DEF001; anonymous has *::read");
            assertThat(text.askText("LOGIN\treader\tr3ad")).startsWith("OK\tLOGIN");
            assertThat(text.askText("QUEUE\tverify\tDEF001"))
                    .startsWith("ERROR\t403\trefused: needs write on archive:vol:DEF001");
            assertThat(text.askText("LOGIN\tops\t0ps")).startsWith("OK\tLOGIN");
            assertThat(text.askText("QUEUE\tverify\tDEF001")).matches("QOK\t[0-9]+");
        }
    }
}
