package org.silo.server.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.block.image.Policy;
import org.silo.server.SiloServer;
import org.silo.server.TestSilo;
import org.silo.server.access.AccessStore;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Grant;
import org.silo.wire.auth.Grants;
import org.silo.wire.auth.Right;
import org.silo.wire.auth.Scram;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;

/**
 * Issue 12: Blockhead and NBD clients cannot log in, so the {@code anonymous} setting is what they may do
 * to an image nobody set a policy for. The server is bound to loopback with {@code anonymous = read} said
 * explicitly, which grants exactly what {@code listen = 0.0.0.0} does by default (docs/security.md).
 */
class AnonymousBlockAccessTest {
    private static final int ERR_OK = 0;
    private static final int ERR_NOI = 2;
    private static final int ERR_SHORT = 6;

    @TempDir
    Path dir;

    private SiloServer anonymousRead() throws Exception {
        AccessStore.open(dir)
                .add("root", true, Scram.Verifier.of("r00t".toCharArray(), Scram.MIN_ITERATIONS), List.of());
        SiloServer s = SiloServer.start(TestSilo.config(dir, "anonymous", "read"));
        try (SiloClient root = client(s)) {
            root.login("root", "r00t".toCharArray());
            root.call(DiskOps.CREATE, new DiskOps.Create("retro", 1 << 20, false));
        }
        return s;
    }

    private static SiloClient client(SiloServer s) throws SiloException {
        return SiloClient.connect(ClientOptions.to(new InetSocketAddress("127.0.0.1", s.wirePort())));
    }

    private static void setPolicy(SiloServer s, String policy) throws Exception {
        try (SiloClient root = client(s)) {
            root.login("root", "r00t".toCharArray());
            assertThat(root.call(DiskOps.POLICY, new DiskOps.SetPolicy("retro", policy))
                            .policy())
                    .isEqualTo(policy.equals("default") ? "read-only" : policy);
        }
    }

    @Test
    void theDefaultPolicyIsWhatAnonymousSessionsMayDoToImages() {
        assertThat(BlockService.defaultPolicy(Grants.ALL)).isEqualTo(Policy.OPEN);
        assertThat(BlockService.defaultPolicy(new Grants(List.of(new Grant("*", "", Right.WRITE)))))
                .isEqualTo(Policy.OPEN);
        assertThat(BlockService.defaultPolicy(Grants.READ)).isEqualTo(Policy.READ_ONLY);
        assertThat(BlockService.defaultPolicy(Grants.NONE)).isEqualTo(Policy.CLOSED);
        assertThat(BlockService.defaultPolicy(new Grants(List.of(new Grant("archive", "", Right.ADMIN)))))
                .as("rights on another service give none on images")
                .isEqualTo(Policy.CLOSED);
    }

    @Test
    void blockheadMountsReadOnlyUnderAnonymousReadUntilAnAdminOpensTheImage() throws Exception {
        try (SiloServer s = anonymousRead()) {
            int port = s.service("block", BlockService.class).blockheadPort();
            try (SiloClient anon = client(s)) {
                assertThat(anon.call(DiskOps.INFO, new DiskOps.Name("retro")).policy())
                        .isEqualTo("read-only");
            }
            try (Blockhead c = new Blockhead(port)) {
                int sid = c.connect(1, "retro");
                assertThat(c.write(2, sid, 3, 0x5a))
                        .as("WRITE answered with the read-only error")
                        .isEqualTo(ERR_SHORT);
                assertThat(c.read(3, sid, 3))
                        .as("reads work; nothing was written")
                        .isEqualTo(new byte[512]);
                c.disconnect(4, sid);
            }
            setPolicy(s, "open");
            try (Blockhead c = new Blockhead(port)) {
                int sid = c.connect(1, "retro");
                assertThat(c.write(2, sid, 3, 0x5a)).isEqualTo(ERR_OK);
                assertThat(c.read(3, sid, 3)).containsOnly(0x5a);
                c.disconnect(4, sid);
            }
            setPolicy(s, "default");
            try (Blockhead c = new Blockhead(port)) {
                int sid = c.connect(1, "retro");
                assertThat(c.write(2, sid, 4, 0x77))
                        .as("back to the default: read-only")
                        .isEqualTo(ERR_SHORT);
                c.disconnect(3, sid);
            }
        }
        try (SiloServer s = SiloServer.start(TestSilo.config(dir, "anonymous", "all"))) {
            assertThat(s.service("block", BlockService.class).store().policy("retro"))
                    .as("loopback with anonymous=all: everything")
                    .isEqualTo(Policy.OPEN);
        }
    }

    @Test
    void nbdServesTheImageReadOnlyUnderAnonymousReadUntilAnAdminOpensIt() throws Exception {
        Assumptions.assumeTrue(onPath("qemu-io"), "qemu-io is not installed (apt-get install qemu-utils); skipping");
        try (SiloServer s = anonymousRead()) {
            String uri =
                    "nbd://127.0.0.1:" + s.service("block", BlockService.class).nbdPort() + "/retro";
            Run refused = run("qemu-io", "-f", "raw", "-c", "write -P 0x55 0 512", uri);
            assertThat(refused.exit())
                    .as("write refused; output:\n%s", refused.output())
                    .isNotZero();
            assertThat(refused.output()).contains("Permission denied");
            Run read = run("qemu-io", "-r", "-f", "raw", "-c", "read -P 0 0 512", uri);
            assertThat(read.exit())
                    .as("read-only connections work; output:\n%s", read.output())
                    .isZero();
            assertThat(read.output()).contains("read 512/512 bytes").doesNotContain("Pattern verification failed");

            setPolicy(s, "open");
            Run write = run("qemu-io", "-f", "raw", "-c", "write -P 0x55 0 512", uri);
            assertThat(write.exit()).as("output:\n%s", write.output()).isZero();
            assertThat(run("qemu-io", "-r", "-f", "raw", "-c", "read -P 0x55 0 512", uri)
                            .output())
                    .contains("read 512/512 bytes")
                    .doesNotContain("Pattern verification failed");
        }
    }

    @Test
    void outOfTheBoxOnLoopbackAnyoneStillWrites() throws Exception {
        try (SiloServer s = SiloServer.start(TestSilo.config(dir))) {
            s.service("block", BlockService.class).store().create("free", 1 << 20, false);
            try (Blockhead c =
                    new Blockhead(s.service("block", BlockService.class).blockheadPort())) {
                int sid = c.connect(1, "free");
                assertThat(c.write(2, sid, 0, 0x11)).isEqualTo(ERR_OK);
                c.disconnect(3, sid);
            }
        }
    }

    @Test
    void anonymousNoneHidesImagesFromBlockhead() throws Exception {
        try (SiloServer s = SiloServer.start(TestSilo.config(dir, "anonymous", "none"))) {
            s.service("block", BlockService.class).store().create("hidden", 1 << 20, false);
            try (Blockhead c =
                    new Blockhead(s.service("block", BlockService.class).blockheadPort())) {
                assertThat(c.exchange(connectPacket(1, "hidden")))
                        .as("as for a missing image")
                        .containsExactly(2, 1, ERR_NOI);
            }
        }
    }

    private static byte[] connectPacket(int seq, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[4 + n.length];
        p[0] = 0; // CONNECT
        p[1] = (byte) seq;
        p[2] = 2; // 512-byte sectors
        System.arraycopy(n, 0, p, 3, n.length); // NUL-terminated: the last byte stays 0
        return p;
    }

    /**
     * Seed 001's datagrams, assembled by hand (silo-block's RawBlockheadClient is not visible from here):
     * CONNECT, COMMAND (READ, WRITE), DISCON; replies are {@code 2, seq, ...}.
     */
    private static final class Blockhead implements AutoCloseable {
        private final DatagramSocket socket;
        private final int port;

        Blockhead(int port) throws Exception {
            this.port = port;
            this.socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            socket.setSoTimeout(10_000);
        }

        byte[] exchange(byte[] datagram) throws Exception {
            socket.send(new DatagramPacket(datagram, datagram.length, InetAddress.getLoopbackAddress(), port));
            byte[] buf = new byte[2048];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            socket.receive(p);
            return Arrays.copyOf(buf, p.getLength());
        }

        int connect(int seq, String name) throws Exception {
            byte[] r = exchange(connectPacket(seq, name));
            assertThat(r).as("CONNECT answered OK with a session id").hasSize(5).startsWith(2, seq, ERR_OK);
            return ((r[3] & 0xff) << 8) | (r[4] & 0xff);
        }

        /** The error byte of the WRITE's reply. */
        int write(int seq, int session, long lsn, int fill) throws Exception {
            byte[] p = command(seq, session, 1, lsn, 512);
            Arrays.fill(p, 10, p.length, (byte) fill);
            byte[] r = exchange(p);
            assertThat(r).hasSize(3).startsWith(2, seq);
            return r[2];
        }

        byte[] read(int seq, int session, long lsn) throws Exception {
            byte[] r = exchange(command(seq, session, 0, lsn, 0));
            assertThat(r).as("a READ reply carries the sector").hasSize(4 + 512).startsWith(2, seq, ERR_OK);
            return Arrays.copyOfRange(r, 4, r.length);
        }

        void disconnect(int seq, int session) throws Exception {
            assertThat(exchange(new byte[] {3, (byte) seq, (byte) (session >> 8), (byte) session}))
                    .containsExactly(2, seq, ERR_OK);
        }

        private static byte[] command(int seq, int session, int op, long lsn, int dataLength) {
            byte[] p = new byte[10 + dataLength];
            p[0] = 1; // COMMAND
            p[1] = (byte) seq;
            p[2] = (byte) (session >> 8);
            p[3] = (byte) session;
            p[4] = (byte) op;
            p[5] = (byte) (lsn >> 24);
            p[6] = (byte) (lsn >> 16);
            p[7] = (byte) (lsn >> 8);
            p[8] = (byte) lsn;
            return p;
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(d, tool).canExecute()) {
                return true;
            }
        }
        return false;
    }

    private record Run(int exit, String output) {}

    private static Run run(String... command) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command)))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("%s finished", command[0]).isTrue();
        return new Run(p.exitValue(), out);
    }

    @Test
    void aPolicyAnAdminSetOutlivesTheDefault() throws Exception {
        try (SiloServer s = anonymousRead()) {
            setPolicy(s, "open");
        }
        try (SiloServer s = SiloServer.start(TestSilo.config(dir, "anonymous", "read"))) {
            assertThat(s.service("block", BlockService.class).store().policy("retro"))
                    .isEqualTo(Policy.OPEN);
            try (SiloClient anon = client(s)) {
                assertThatThrownBy(() -> anon.call(DiskOps.POLICY, new DiskOps.SetPolicy("retro", "default")))
                        .hasMessageContaining("needs admin on block:retro");
            }
        }
    }
}
