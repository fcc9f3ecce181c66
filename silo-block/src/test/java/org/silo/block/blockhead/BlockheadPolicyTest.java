package org.silo.block.blockhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.silo.block.blockhead.RawBlockheadClient.*;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.block.image.ImageStore;
import org.silo.block.image.Policy;

/**
 * Per-image policy over Blockhead (docs/block.md, "Access policy"). 127.0.0.1 and 127.0.0.2 are both loopback on Linux;
 * a client bound to 127.0.0.2 plays another host.
 */
class BlockheadPolicyTest {
    private static final int SIZE = 1 << 20;

    @TempDir
    Path dir;

    ImageStore store;
    BlockheadServer server;
    InetAddress here;
    InetAddress other;

    @BeforeEach
    void start() throws Exception {
        here = InetAddress.getByName("127.0.0.1");
        other = InetAddress.getByName("127.0.0.2");
        store = new ImageStore(dir.resolve("images"));
        store.create("listed", SIZE, false);
        store.setPolicy("listed", Policy.parse("hosts:127.0.0.1/32,10.0.0.0/8"));
        store.create("shelf", SIZE, false);
        store.setPolicy("shelf", Policy.READ_ONLY);
        store.create("free", SIZE, false);
        server = BlockheadServer.builder(store)
                .port(0)
                .defaultImage("listed")
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static byte[] sector(int fill) {
        byte[] b = new byte[512];
        Arrays.fill(b, (byte) fill);
        return b;
    }

    @Test
    void anUnlistedAddressGetsNoSuchImageAndIsCounted() throws Exception {
        try (var c = new RawBlockheadClient(server.port(), other)) {
            assertThat(c.exchange(connect(1, 2, "listed"))).containsExactly(2, 1, 2);
            assertThat(c.exchange(connect(2, 2, ""))).containsExactly(2, 2, 2); // the default image
            // Exactly what a missing image gets: nothing tells the two apart.
            assertThat(c.exchange(connect(3, 2, "missing"))).containsExactly(2, 3, 2);
            // Other images are unaffected for that host.
            byte[] r = c.exchange(connect(4, 2, "free"));
            assertThat(r).hasSize(5).startsWith(2, 4, 0);
        }
        assertThat(server.counters().snapshot().get("refused")).isEqualTo(2);
    }

    @Test
    void aListedAddressReadsAndWrites() throws Exception {
        try (var c = new RawBlockheadClient(server.port(), here)) {
            byte[] r = c.exchange(connect(1, 2, "listed"));
            assertThat(r).hasSize(5).startsWith(2, 1, 0);
            int sid = session(r);
            assertThat(c.exchange(write(2, sid, 3, sector(0x5a)))).containsExactly(2, 2, 0);
            byte[] back = c.exchange(read(3, sid, 3));
            assertThat(Arrays.copyOfRange(back, 4, back.length)).isEqualTo(sector(0x5a));
            assertThat(c.exchange(discon(4, sid))).containsExactly(2, 4, 0);
        }
        assertThat(server.counters().snapshot().get("refused")).isZero();
    }

    @Test
    void readOnlyPolicyLetsAnyoneReadAndNobodyWrite() throws Exception {
        for (InetAddress from : new InetAddress[] {here, other}) {
            try (var c = new RawBlockheadClient(server.port(), from)) {
                byte[] r = c.exchange(connect(1, 2, "shelf"));
                assertThat(r).hasSize(5).startsWith(2, 1, 0);
                int sid = session(r);
                assertThat(c.exchange(write(2, sid, 0, sector(0x77)))).containsExactly(2, 2, 6);
                byte[] back = c.exchange(read(3, sid, 0));
                assertThat(back).hasSize(516).startsWith(2, 3, 0, 0);
                assertThat(Arrays.copyOfRange(back, 4, back.length)).isEqualTo(new byte[512]);
                assertThat(c.exchange(discon(4, sid))).containsExactly(2, 4, 0);
            }
        }
        assertThat(store.info("shelf").holders()).isEmpty();
    }
}
