package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.silo.server.TestSilo;

/**
 * The README's quick start, for real: {@code bin/silo server} in its own process (every port ephemeral,
 * so it runs beside a real server), then {@code bin/silo ping} and {@code bin/silo status} against it.
 */
class BinSiloIT {
    private static final Path ROOT =
            Path.of(System.getProperty("silo.root", "..")).toAbsolutePath().normalize();
    private static final Path SILO = ROOT.resolve("bin/silo");
    private static final Pattern READY =
            Pattern.compile("silo server ready: messages on ([^ ]+):(\\d+), Blockhead (\\d+)/udp, NBD (\\d+)");
    private int blockheadPort;
    private int nbdPort;
    private Process server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.destroy();
            assertThat(server.waitFor(2, TimeUnit.MINUTES))
                    .as("the server stops on SIGTERM")
                    .isTrue();
        }
    }

    private String startServer(Path data) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(SILO.toString(), "server", "--data", data.toString()));
        cmd.addAll(TestSilo.serverArgs());
        server = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            seen.append(line).append('\n');
            Matcher m = READY.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> out.lines().forEach(l -> {}));
                drain.setDaemon(true);
                drain.start();
                blockheadPort = Integer.parseInt(m.group(3));
                nbdPort = Integer.parseInt(m.group(4));
                return m.group(1) + ":" + m.group(2);
            }
        }
        throw new AssertionError("the server never said it was ready:\n" + seen);
    }

    private static Result run(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = SILO.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Result(p.exitValue(), text);
    }

    record Result(int exit, String output) {}

    @Test
    @Timeout(600)
    void serverThenPingThenStatus(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("silo-data");
        String at = startServer(data);
        assertThat(Files.isDirectory(data)).isTrue();

        Result ping = run("ping", "--server", at, "--count", "3");
        assertThat(ping.exit()).as(ping.output()).isZero();
        assertThat(ping.output()).contains("3 calls, 3 answered, 0 failed").doesNotContain("WARNING");

        Result status = run("status", "--server", at);
        assertThat(status.exit()).as(status.output()).isZero();
        assertThat(status.output()).contains("version", "sessions");
    }

    /**
     * Blockhead against the server bin/silo started, packets laid out as seed 001 draws them
     * (docs/block.md, "Trying it"), then the same sector read back over NBD by qemu-img.
     */
    @Test
    @Timeout(600)
    void blockheadWritesWhatNbdReads(@TempDir Path dir) throws Exception {
        String at = startServer(dir.resolve("silo-data"));
        assertThat(run("disk", "create", "bh", "--size", "1M", "--server", at).exit())
                .isZero();
        byte[] sector = new byte[512];
        for (int i = 0; i < sector.length; i++) {
            sector[i] = (byte) (i * 7 + 3);
        }
        try (java.net.DatagramSocket udp = new java.net.DatagramSocket()) {
            udp.setSoTimeout(60_000); // a ceiling: a busy machine may take seconds to answer
            var server = new java.net.InetSocketAddress("127.0.0.1", blockheadPort);
            // CONNECT [0][seq][flags: 2 = 512-byte sectors][name NUL]
            byte[] reply = exchange(udp, server, new byte[] {0, 1, 2, 'b', 'h', 0});
            assertThat(reply).hasSize(5);
            assertThat(reply[0]).isEqualTo((byte) 2);
            assertThat(reply[2]).as("CONNECT ok").isZero();
            byte sidHi = reply[3];
            byte sidLo = reply[4];
            // COMMAND WRITE [1][seq][sid:2][op 1][lsn:4 = 3][pad][512 bytes]
            java.nio.ByteBuffer write = java.nio.ByteBuffer.allocate(10 + 512);
            write.put((byte) 1)
                    .put((byte) 2)
                    .put(sidHi)
                    .put(sidLo)
                    .put((byte) 1)
                    .putInt(3)
                    .put((byte) 0)
                    .put(sector);
            assertThat(exchange(udp, server, write.array())).containsExactly(2, 2, 0);
            // COMMAND READ [1][seq][sid:2][op 0][lsn:4 = 3][pad] -> [2][seq][0][pad][512 bytes]
            byte[] read = exchange(udp, server, new byte[] {1, 3, sidHi, sidLo, 0, 0, 0, 0, 3, 0});
            assertThat(java.util.Arrays.copyOfRange(read, 4, read.length)).isEqualTo(sector);
            // DISCON [3][seq][sid:2] -> [2][seq][0]
            assertThat(exchange(udp, server, new byte[] {3, 4, sidHi, sidLo})).containsExactly(2, 4, 0);
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(
                onPath("qemu-img"), "qemu-img is not installed (apt-get install qemu-utils)");
        Path copy = dir.resolve("copy.raw");
        Process p = new ProcessBuilder(
                        "qemu-img",
                        "convert",
                        "-f",
                        "raw",
                        "-O",
                        "raw",
                        "nbd://127.0.0.1:" + nbdPort + "/bh",
                        copy.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        byte[] image = Files.readAllBytes(copy);
        assertThat(image).hasSize(1 << 20);
        assertThat(java.util.Arrays.copyOfRange(image, 3 * 512, 4 * 512)).isEqualTo(sector);
    }

    /**
     * A 1 GiB image of random bytes goes up through silo's NBD export with
     * qemu-img convert and comes back bit for bit.
     */
    @Test
    @Timeout(900)
    void aGibibyteRoundTripsThroughNbdBitForBit(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                onPath("qemu-img"), "qemu-img is not installed (apt-get install qemu-utils)");
        String at = startServer(dir.resolve("silo-data"));
        assertThat(run("disk", "create", "big", "--size", "1G", "--server", at).exit())
                .isZero();
        Path source = dir.resolve("source.raw");
        try (var out = java.nio.channels.FileChannel.open(
                source, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            java.util.SplittableRandom random = new java.util.SplittableRandom(2026);
            java.nio.ByteBuffer chunk = java.nio.ByteBuffer.allocate(1 << 20);
            for (int mib = 0; mib < 1024; mib++) {
                chunk.clear();
                while (chunk.hasRemaining()) {
                    chunk.putLong(random.nextLong());
                }
                chunk.flip();
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
            }
        }
        String uri = "nbd://127.0.0.1:" + nbdPort + "/big";
        qemuImg("convert", "-n", "-f", "raw", "-O", "raw", source.toString(), uri);
        Path back = dir.resolve("back.raw");
        qemuImg("convert", "-f", "raw", "-O", "raw", uri, back.toString());
        assertThat(Files.size(back)).isEqualTo(1L << 30);
        assertThat(Files.mismatch(source, back)).as("first differing byte").isEqualTo(-1L);
    }

    private static void qemuImg(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "qemu-img";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", cmd) + "\n" + out).isZero();
    }

    private static byte[] exchange(java.net.DatagramSocket udp, java.net.InetSocketAddress to, byte[] packet)
            throws IOException {
        udp.send(new java.net.DatagramPacket(packet, packet.length, to));
        byte[] buf = new byte[1024];
        java.net.DatagramPacket in = new java.net.DatagramPacket(buf, buf.length);
        udp.receive(in);
        return java.util.Arrays.copyOf(buf, in.getLength());
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    @Test
    @Timeout(600)
    void helpTeaches() throws Exception {
        Result help = run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.output()).contains("server", "ping", "status", "Examples:");
    }
}
