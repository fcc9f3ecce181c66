package org.silo.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.block.blockhead.BlockheadServer;
import org.silo.block.image.ImageStore;
import org.silo.block.nbd.NbdServer;
import org.silo.block.nbd.NbdTestTools;

/** One image store behind both protocols: what one writes, the other reads. */
class CrossProtocolTest {
    @TempDir
    Path dir;

    ImageStore store;
    BlockheadServer blockhead;
    NbdServer nbd;

    @BeforeEach
    void start() throws Exception {
        store = new ImageStore(dir.resolve("images"));
        store.create("shared", 1 << 20, false);
        blockhead = BlockheadServer.builder(store).port(0).build().start();
        nbd = NbdServer.builder(store).port(0).build().start();
    }

    @AfterEach
    void stop() {
        blockhead.close();
        nbd.close();
    }

    private String uri() {
        return "nbd://127.0.0.1:" + nbd.port() + "/shared";
    }

    /** Raw Blockhead exchange from seed 001's layout. */
    private static byte[] exchange(DatagramSocket s, int port, byte[] out) throws Exception {
        s.send(new DatagramPacket(out, out.length, InetAddress.getLoopbackAddress(), port));
        byte[] buf = new byte[1024];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        return Arrays.copyOf(buf, p.getLength());
    }

    private static byte[] command(int seq, int sid, int op, int lsn, byte[] data) {
        byte[] out = new byte[10 + (data == null ? 0 : data.length)];
        out[0] = 1;
        out[1] = (byte) seq;
        out[2] = (byte) (sid >> 8);
        out[3] = (byte) sid;
        out[4] = (byte) op;
        out[5] = (byte) (lsn >> 24);
        out[6] = (byte) (lsn >> 16);
        out[7] = (byte) (lsn >> 8);
        out[8] = (byte) lsn;
        if (data != null) {
            System.arraycopy(data, 0, out, 10, data.length);
        }
        return out;
    }

    private static int connect(DatagramSocket s, int port) throws Exception {
        byte[] r = exchange(s, port, new byte[] {0, 1, 2, 's', 'h', 'a', 'r', 'e', 'd', 0});
        assertThat(r).hasSize(5).startsWith(2, 1, 0);
        return ((r[3] & 0xff) << 8) | (r[4] & 0xff);
    }

    @Test
    void blockheadWriteIsReadOverNbdAndBack() throws Exception {
        NbdTestTools.require("nbdsh");
        byte[] sector = new byte[512];
        Arrays.fill(sector, (byte) 0x5a);
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(60_000);
            int sid = connect(s, blockhead.port());
            assertThat(exchange(s, blockhead.port(), command(2, sid, 1, 7, sector)))
                    .containsExactly(2, 2, 0);
            exchange(s, blockhead.port(), new byte[] {3, 3, (byte) (sid >> 8), (byte) sid});
        }
        Path script = Files.writeString(
                dir.resolve("x.py"),
                String.join(
                        "\n",
                        "assert h.pread(512, 7 * 512) == b'\\x5a' * 512",
                        "h.pwrite(b'\\xc3' * 512, 9 * 512)",
                        "h.flush()",
                        "print('cross-ok')"));
        assertThat(NbdTestTools.nbdsh("-u", uri(), "-c", "exec(open('" + script + "').read())")
                        .ok()
                        .output())
                .contains("cross-ok");
        // nbdsh has exited, but the NBD server lets the image go when it sees the connection close: until
        // then a Blockhead writer would be refused as a second writer
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofMinutes(2))
                .until(() -> store.info("shared").holders().isEmpty());
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(60_000);
            int sid = connect(s, blockhead.port());
            byte[] r = exchange(s, blockhead.port(), command(2, sid, 0, 9, null));
            assertThat(Arrays.copyOfRange(r, 0, 4)).containsExactly(2, 2, 0, 0);
            byte[] want = new byte[512];
            Arrays.fill(want, (byte) 0xc3);
            assertThat(Arrays.copyOfRange(r, 4, r.length)).isEqualTo(want);
        }
    }

    @Test
    void nbdClientWhileBlockheadWritesGetsReadOnlyAndSeesTheWrites() throws Exception {
        NbdTestTools.require("nbdsh");
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(60_000);
            int sid = connect(s, blockhead.port());
            byte[] sector = new byte[512];
            Arrays.fill(sector, (byte) 0x77);
            exchange(s, blockhead.port(), command(2, sid, 1, 0, sector));
            Path script = Files.writeString(
                    dir.resolve("y.py"),
                    String.join(
                            "\n",
                            "assert h.is_read_only()",
                            "assert h.pread(512, 0) == b'\\x77' * 512",
                            "print('ro-while-writer-ok')"));
            assertThat(NbdTestTools.nbdsh("-u", uri(), "-c", "exec(open('" + script + "').read())")
                            .ok()
                            .output())
                    .contains("ro-while-writer-ok");
        }
    }
}
