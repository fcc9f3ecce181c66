package org.silo.block.blockhead;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.silo.block.image.ImageStore;

/**
 * Issue 12: random interleavings of commands, their losses, retransmissions and delayed duplicates
 * ({@link ReorderingNetwork}); every READ returns the last WRITE acknowledged. Run against the
 * handler in memory (many tries, each interleaving exactly reproducible from its seed) and against
 * a real server over UDP.
 */
class ReorderedDuplicatesTest {
    private static Path dir;
    private static ImageStore store;
    private static BlockheadServer server;
    private static final AtomicInteger images = new AtomicInteger();

    @BeforeContainer
    static void start() throws Exception {
        dir = Files.createTempDirectory("silo-blockhead-reorder");
        store = new ImageStore(dir.resolve("images"));
        server = BlockheadServer.builder(store)
                .port(0)
                .maxSessions(64)
                .maxSessionsPerAddress(64)
                .build()
                .start();
    }

    @AfterContainer
    static void stop() throws IOException {
        server.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    @Property(tries = 300)
    void inMemoryEveryReadReturnsTheLastAcknowledgedWrite(@ForAll long seed) throws Exception {
        String image = newImage();
        EmbeddedChannel ch = new EmbeddedChannel(new BlockheadHandler(server.config(), new BlockheadCounters()));
        try {
            ReorderingNetwork client = new ReorderingNetwork(new InMemory(ch), seed, false);
            client.run(image, 60);
            assertThat(client.reads).isPositive();
        } finally {
            ch.finishAndReleaseAll();
            store.remove(image);
        }
    }

    @Property(tries = 100)
    void inMemoryAClientThatNeverIncrementsGetsAnAnswerToEachRequest(@ForAll long seed) throws Exception {
        String image = newImage();
        EmbeddedChannel ch = new EmbeddedChannel(new BlockheadHandler(server.config(), new BlockheadCounters()));
        try {
            ReorderingNetwork client = new ReorderingNetwork(new InMemory(ch), seed, true);
            client.run(image, 200);
            assertThat(client.reads).isPositive();
        } finally {
            ch.finishAndReleaseAll();
            store.remove(image);
        }
    }

    /** The same through the real server's socket: epoll batches, pooled buffers, flushes. */
    @Property(tries = 15)
    void overUdpEveryReadReturnsTheLastAcknowledgedWrite(@ForAll long seed) throws Exception {
        String image = newImage();
        try (Udp udp = new Udp(server.port())) {
            ReorderingNetwork client = new ReorderingNetwork(udp, seed, false);
            client.run(image, 200);
            assertThat(client.reads).isPositive();
        } finally {
            store.remove(image);
        }
    }

    private static String newImage() throws Exception {
        String name = "disk" + images.incrementAndGet();
        store.create(name, 1 << 20, false);
        return name;
    }

    /** Datagrams straight into the handler; replies read off the channel. */
    private record InMemory(EmbeddedChannel ch) implements ReorderingNetwork.Transport {
        private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.1", 4000);
        private static final InetSocketAddress SERVER = new InetSocketAddress("192.0.2.2", 4444);

        @Override
        public void send(byte[] datagram) {
            ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(datagram), SERVER, CLIENT));
        }

        @Override
        public List<byte[]> replies() {
            List<byte[]> out = new ArrayList<>();
            for (DatagramPacket p; (p = ch.readOutbound()) != null; ) {
                ByteBuf b = p.content();
                byte[] bytes = new byte[b.readableBytes()];
                b.getBytes(b.readerIndex(), bytes);
                p.release();
                out.add(bytes);
            }
            return out;
        }
    }

    /** A real socket: replies() waits for the first (or gives up, then the client retransmits). */
    private static final class Udp implements ReorderingNetwork.Transport, AutoCloseable {
        private final DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        private final InetSocketAddress to;

        Udp(int port) throws IOException {
            to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout((int) Duration.ofSeconds(1).toMillis());
        }

        @Override
        public void send(byte[] datagram) throws IOException {
            socket.send(new java.net.DatagramPacket(datagram, datagram.length, to));
        }

        /** One reply, or none after a second: how long decides only when the client retransmits. */
        @Override
        public List<byte[]> replies() throws IOException {
            byte[] buf = new byte[2048];
            java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
                return List.of(Arrays.copyOf(buf, p.getLength()));
            } catch (SocketTimeoutException e) {
                return List.of();
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
