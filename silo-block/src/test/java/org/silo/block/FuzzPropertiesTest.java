package org.silo.block;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.silo.block.blockhead.BlockheadCodec;
import org.silo.block.blockhead.BlockheadServer;
import org.silo.block.image.ImageStore;
import org.silo.block.nbd.NbdFrameDecoder;
import org.silo.block.nbd.NbdServer;

/** Random bytes into every decoder and both servers: nothing escapes, the servers keep serving. */
class FuzzPropertiesTest {
    private static Path dir;
    private static ImageStore store;
    private static BlockheadServer blockhead;
    private static NbdServer nbd;

    @BeforeContainer
    static void start() throws Exception {
        dir = Files.createTempDirectory("silo-block-fuzz");
        store = new ImageStore(dir.resolve("images"));
        store.create("disk", 1 << 20, false);
        store.create("test.img", 1 << 20, false);
        blockhead = BlockheadServer.builder(store)
                .port(0)
                .maxSessions(64)
                .maxSessionsPerAddress(64)
                .build()
                .start();
        nbd = NbdServer.builder(store).port(0).defaultExport("disk").build().start();
    }

    @AfterContainer
    static void stop() throws IOException {
        blockhead.close();
        nbd.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    /** Datagrams that start with a valid type byte half of the time, to reach the deep paths. */
    @Provide
    Arbitrary<byte[]> datagrams() {
        Arbitrary<byte[]> any = Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
        Arbitrary<byte[]> typed = Arbitraries.integers()
                .between(0, 5)
                .flatMap(type -> Arbitraries.bytes()
                        .array(byte[].class)
                        .ofMaxSize(530)
                        .map(tail -> {
                            byte[] b = new byte[tail.length + 1];
                            b[0] = type.byteValue();
                            System.arraycopy(tail, 0, b, 1, tail.length);
                            return b;
                        }));
        return Arbitraries.oneOf(any, typed);
    }

    @Property(tries = 500)
    void blockheadDecoderNeverThrows(@ForAll("datagrams") byte[] bytes) {
        var buf = Unpooled.wrappedBuffer(bytes);
        assertThat(BlockheadCodec.decode(buf)).isNotNull();
        assertThat(buf.refCnt()).isEqualTo(1);
    }

    @Property(tries = 300)
    void blockheadServerSurvivesAnyDatagram(@ForAll("datagrams") byte[] bytes) throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(60_000);
            InetAddress lo = InetAddress.getLoopbackAddress();
            s.send(new DatagramPacket(bytes, bytes.length, lo, blockhead.port()));
            s.send(new DatagramPacket(new byte[] {4}, 1, lo, blockhead.port()));
            // Whatever the first datagram earned, a KEEP is still answered with [4].
            byte[] buf = new byte[2048];
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                if (p.getLength() == 1 && buf[0] == 4) {
                    break;
                }
            }
        }
    }

    @Property(tries = 300)
    void nbdFrameDecoderNeverThrows(@ForAll byte[] bytes, @ForAll boolean transmission) {
        NbdFrameDecoder decoder = new NbdFrameDecoder();
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ch.writeInbound(Unpooled.buffer().writeInt(3));
        ch.<Object>readInbound();
        if (transmission) {
            decoder.enterTransmission();
        }
        ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        Object m;
        while ((m = ch.readInbound()) != null) {
            io.netty.util.ReferenceCountUtil.release(m);
            if (m instanceof org.silo.block.nbd.NbdMessage.Request r) {
                r.data().release();
            }
        }
        ch.finishAndReleaseAll();
    }

    @Property(tries = 60)
    void nbdServerSurvivesAnyBytes(@ForAll byte[] bytes, @ForAll boolean afterGo) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), nbd.port())) {
            s.setSoTimeout(60_000); // the greeting and option replies of goRaw: a busy machine may be slow
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {0, 0, 0, 3});
            if (afterGo) {
                goRaw(out, s.getInputStream());
            }
            out.write(bytes);
            out.flush();
        }
        // A fresh connection still negotiates and reads.
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), nbd.port())) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(new byte[] {0, 0, 0, 3});
            goRaw(out, in);
            java.nio.ByteBuffer req = java.nio.ByteBuffer.allocate(28)
                    .putInt(0x25609513)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putLong(77)
                    .putLong(0)
                    .putInt(512);
            out.write(req.array());
            out.flush();
            byte[] reply = in.readNBytes(16 + 512);
            assertThat(java.nio.ByteBuffer.wrap(reply).getInt(4)).isZero();
            assertThat(java.nio.ByteBuffer.wrap(reply).getLong(8)).isEqualTo(77);
        }
    }

    /** Reads the greeting, sends GO for the default export, skips the replies up to the ACK. */
    private static void goRaw(OutputStream out, InputStream in) throws IOException {
        in.readNBytes(18);
        java.nio.ByteBuffer go = java.nio.ByteBuffer.allocate(16 + 6)
                .putLong(0x49484156454F5054L)
                .putInt(7)
                .putInt(6)
                .putInt(0)
                .putShort((short) 0);
        out.write(go.array());
        out.flush();
        while (true) {
            java.nio.ByteBuffer head = java.nio.ByteBuffer.wrap(in.readNBytes(20));
            int type = head.getInt(12);
            in.readNBytes(head.getInt(16));
            if (type == 1) {
                return;
            }
        }
    }
}
