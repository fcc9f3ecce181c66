package org.silo.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.files.FilesOps;
import org.silo.files.FilesOps.Name;
import org.silo.files.client.OobReader;
import org.silo.server.block.BlockService;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;

/**
 * Issue 12: {@code silo file cat http://127.0.0.1:<console-port>/metrics} as anonymous answered with a
 * NullPointerException. The file service fetches URLs on the server, so a loopback, link-local or private
 * address is refused with PERMISSION and words that say why, unless {@code files.url-allow} lists it.
 */
class UrlGatewayTest {
    @TempDir
    Path dir;

    private static SiloClient client(SiloServer s) throws SiloException {
        return SiloClient.connect(ClientOptions.to(new InetSocketAddress("127.0.0.1", s.wirePort())));
    }

    /** What {@code silo file cat} asks: open for reading with an out-of-band transfer, by capability. */
    private static FilesOps.Opened open(SiloClient c, String url) throws SiloException {
        return c.call(
                FilesOps.OPEN,
                new FilesOps.Open(FilesOps.READ | FilesOps.OOB_XFER, FilesOps.CAPABILITY, List.of(Name.url(url))));
    }

    @Test
    void theServersOwnConsoleAndOtherInnerAddressesAreRefusedWithAClearError() throws Exception {
        try (SiloServer s = SiloServer.start(TestSilo.config(dir, "anonymous", "read"));
                SiloClient anon = client(s)) {
            String metrics = "http://127.0.0.1:" + s.consolePort() + "/metrics";
            assertThatThrownBy(() -> open(anon, metrics)).isInstanceOfSatisfying(SiloException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION);
                assertThat(e.getMessage())
                        .isEqualTo(
                                metrics + ": refused: 127.0.0.1 is a loopback address, and the file"
                                        + " service fetches URLs on the server; an admin can allow it with files.url-allow (docs/security.md)");
            });
            assertThatThrownBy(() -> open(anon, "http://169.254.169.254/latest/meta-data/"))
                    .hasMessageContaining("169.254.169.254 is a link-local address");
            assertThatThrownBy(() -> open(anon, "https://10.0.0.1/"))
                    .hasMessageContaining("10.0.0.1 is a private address");
            int nbd = s.service("block", BlockService.class).nbdPort();
            assertThatThrownBy(() -> open(anon, "nbd://localhost:" + nbd + "/x"))
                    .as("nbd:// too")
                    .hasMessageContaining("is a loopback address");
            assertThatThrownBy(() -> open(anon, "http:///nohost"))
                    .isInstanceOfSatisfying(
                            SiloException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID));
            assertThat(anon.call(org.silo.wire.op.CoreOps.PING, new byte[] {7}))
                    .as("the server is fine")
                    .containsExactly(7);
        }
    }

    @Test
    void whatTheAdminAllowsIsFetchedAndItsBytesComeOverTheDataPort() throws Exception {
        try (SiloServer s =
                        SiloServer.start(TestSilo.config(dir, "anonymous", "read", "files.url-allow", "127.0.0.1"));
                SiloClient anon = client(s)) {
            FilesOps.Opened o = open(anon, "http://127.0.0.1:" + s.consolePort() + "/metrics");
            assertThat(o.size())
                    .as("larger than the first piece: read out of band, where the NPE was")
                    .isGreaterThan(1024);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            assertThat(OobReader.copy(o, got)).isEqualTo(o.size());
            assertThat(got.toString(StandardCharsets.UTF_8)).contains("# TYPE silo_");
            anon.call(FilesOps.CLOSE, o.handle());
            assertThatThrownBy(() -> open(anon, "http://127.0.0.2:" + s.consolePort() + "/metrics"))
                    .as("only what is listed")
                    .hasMessageContaining("127.0.0.2 is a loopback address");
        }
    }
}
