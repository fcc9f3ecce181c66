package org.silo.server.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.control.fixture.TextClient;
import org.silo.files.FilesOps;
import org.silo.server.SiloServer;
import org.silo.server.TestSilo;
import org.silo.server.block.DiskOps;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;

/** The text control protocol against a whole server: what WHATIS says comes from the real archive and images. */
class ControlPortTest {

    /** After a put with two copies, WHATIS names every copy's volume. */
    @Test
    void whatisFileNamesEveryCopysVolume(@TempDir Path dir) throws Exception {
        try (ConsoleWorld world = new ConsoleWorld(dir);
                TextClient c = new TextClient(world.server.controlPort())) {
            assertThat(c.readText()).startsWith("IDENT\tsilo\t");
            assertThat(c.askText("WHATIS\tfile\t/exp/a.dat"))
                    .startsWith("INFO\tfile\t/exp/a.dat\r\n")
                    .containsPattern("\r\ncopies\tDEF00[12], DEF00[12](\r\n|$)")
                    .containsPattern("\r\nupdated\t\\d{4}-[0-9T:.-]+Z(\r\n|$)");
        }
    }

    @Test
    void whatisAnswersFromTheServersOwnState(@TempDir Path dir) throws Exception {
        try (SiloServer server = SiloServer.start(TestSilo.config(dir));
                SiloClient c =
                        SiloClient.connect(ClientOptions.to(new InetSocketAddress("127.0.0.1", server.wirePort())))) {
            c.call(DiskOps.CREATE, new DiskOps.Create("retro", 64L << 20, false));
            try (TextClient t = new TextClient(server.controlPort())) {
                assertThat(t.readText()).startsWith("IDENT\tsilo\t");
                assertThat(t.askText("WHATIS\timage\tretro"))
                        .startsWith("INFO\timage\tretro\r\n")
                        .contains("sizeBytes\t67108864");
                assertThat(t.askText("WHATIS\tvolume\tDEF001"))
                        .startsWith("INFO\tvolume\tDEF001")
                        .contains("library\tdefault")
                        .as("times in ISO 8601 for a person at ncat, not epoch milliseconds")
                        .containsPattern("\r\ncreated\t\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z(\r\n|$)")
                        .doesNotContain("createdMs");
                assertThat(t.askText("WHATIS\tfile\t/nowhere")).startsWith("ERROR\t404");
                assertThat(t.askText("SREPORT"))
                        .as("the server's own movers")
                        .startsWith("SLIST\r\n")
                        .contains("\tmover1\t", "\tmover2\t");
                assertThat(t.askText("QREPORT"))
                        .as("a whole message, and no line in it")
                        .isEqualTo("QLIST");
            }
            assertThat(server.registry().scrape())
                    .contains(
                            "silo_wire_requests_total",
                            "silo_reply_cache_hits_total",
                            "silo_blockhead_",
                            "silo_nbd_",
                            "silo_queue_depth 0.0",
                            "silo_movers{state=\"idle\"} 2.0",
                            "silo_bytes_moved_total 0.0",
                            "silo_wire_sessions");
            assertThat(server.status()).containsEntry("bytesMoved", 0L);

            // a snapshot (after the checks above: its archive file is bytes moved) is named by WHATIS image
            c.call(DiskOps.SNAPSHOT, new DiskOps.TakeSnapshot("retro", null, false));
            try (TextClient t = new TextClient(server.controlPort())) {
                assertThat(t.readText()).startsWith("IDENT\tsilo\t");
                assertThat(t.askText("WHATIS\timage\tretro"))
                        .as("its snapshots as NBD names them")
                        .containsPattern("\r\nsnapshots\tretro@1(\r\n|$)");
            }
            assertThat(server.registry().scrape()).contains("silo_block_snapshots 1.0");

            // a lease taken through the file access service is on the console's leases page
            c.call(
                    FilesOps.LEASE,
                    new FilesOps.Lease(FilesOps.Name.device("retro"), FilesOps.LEASE_READ, 60, "reader-9"));
            HttpResponse<String> leases = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + server.consolePort() + "/api/leases"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(leases.statusCode()).isEqualTo(200);
            assertThat(leases.body())
                    .contains("\"object\":\"device:retro\"", "\"holder\":\"reader-9\"", "\"kind\":\"read\"");
        }
    }
}
