package org.silo.block.blockhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.silo.block.blockhead.RawBlockheadClient.connect;
import static org.silo.block.blockhead.RawBlockheadClient.discon;
import static org.silo.block.blockhead.RawBlockheadClient.read;
import static org.silo.block.blockhead.RawBlockheadClient.session;
import static org.silo.block.blockhead.RawBlockheadClient.write;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.block.image.ImageStore;
import org.silo.block.nbd.NbdTestTools;

/**
 * Seed 001's own test line, {@code ncat -4u 127.0.0.1 4444}, as a test: a real ncat (Debian's
 * {@code ncat}) carries the seed's packets to the server, one datagram per packet written to its
 * standard input, and prints the replies. One ncat process is one source port, so the session it
 * opens serves its later commands (docs/block.md, "Blockhead with ncat").
 */
class NcatTest {
    @TempDir
    Path dir;

    ImageStore store;
    BlockheadServer server;

    @BeforeEach
    void start() throws Exception {
        NbdTestTools.require("ncat"); // or skipped, naming the package
        store = new ImageStore(dir.resolve("images"));
        store.create("disk0", 1 << 20, false);
        server = BlockheadServer.builder(store)
                .port(0)
                .idleTimeout(Duration.ofMinutes(10))
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theSeedsNcatLineConnectsWritesReadsKeepsAndDisconnects() throws Exception {
        Process ncat = new ProcessBuilder(List.of("ncat", "-4u", "127.0.0.1", String.valueOf(server.port())))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (OutputStream to = ncat.getOutputStream();
                InputStream from = ncat.getInputStream()) {
            byte[] r = exchange(to, from, connect(1, 2, "disk0"), 5);
            assertThat(r).startsWith(2, 1, 0);
            int sid = session(r);
            byte[] sector = new byte[512];
            Arrays.fill(sector, (byte) 0xC0);
            assertThat(exchange(to, from, write(2, sid, 7, sector), 3)).containsExactly(2, 2, 0);
            byte[] back = exchange(to, from, read(3, sid, 7), 4 + 512);
            assertThat(back).startsWith(2, 3, 0, 0);
            assertThat(Arrays.copyOfRange(back, 4, back.length)).isEqualTo(sector);
            assertThat(exchange(to, from, new byte[] {4}, 1)).containsExactly(4); // KEEP
            assertThat(exchange(to, from, discon(4, sid), 3)).containsExactly(2, 4, 0);
        } finally {
            ncat.destroyForcibly().waitFor();
        }
        assertThat(store.info("disk0").holders())
                .as("the image is released after DISCON")
                .isEmpty();
    }

    /**
     * Writes one packet to ncat (one pipe write, under PIPE_BUF, so ncat reads and sends it as one
     * datagram) and reads its reply of {@code length} bytes. The next packet is written only after the
     * reply, so no two packets share one of ncat's reads.
     */
    private static byte[] exchange(OutputStream to, InputStream from, byte[] packet, int length) throws Exception {
        to.write(packet);
        to.flush();
        return from.readNBytes(length);
    }
}
