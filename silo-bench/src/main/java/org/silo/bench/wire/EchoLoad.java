package org.silo.bench.wire;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.transport.Transports;

/**
 * The peer's load: datagrams of the same size to a plain UDP echo server, W in flight, on the same
 * Netty transport the silo client uses, each echoed datagram answered with the next one. No ids,
 * CRC, timers or cache: what is left is the cost of the network path itself.
 *
 * <pre>java -cp silo-bench/target/silo-bench.jar org.silo.bench.wire.EchoLoad HOST:PORT WINDOW SECONDS BYTES</pre>
 */
public final class EchoLoad {
    public static void main(String[] args) throws Exception {
        InetSocketAddress target = ClientOptions.parseAddress(args[0], 7);
        int window = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int bytes = Integer.parseInt(args[3]);
        run(target, window, 2, bytes);
        System.out.println(run(target, window, seconds, bytes).json());
    }

    static LoadResult run(InetSocketAddress target, int window, int seconds, int bytes) throws Exception {
        EventLoopGroup group = Transports.group(1, "echo-load");
        long[] latencies = new long[50_000_000];
        long[] count = new long[1];
        long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        CountDownLatch finished = new CountDownLatch(window);
        try {
            Channel ch = new Bootstrap()
                    .group(group)
                    .channel(Transports.datagram())
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                            long now = System.nanoTime();
                            long sent = p.content().getLong(0);
                            if (count[0] < latencies.length) {
                                latencies[(int) count[0]] = now - sent;
                            }
                            count[0]++;
                            if (now < stopAt) {
                                ctx.writeAndFlush(packet(bytes, target));
                            } else {
                                finished.countDown();
                            }
                        }
                    })
                    .bind(0)
                    .sync()
                    .channel();
            long start = System.nanoTime();
            ch.eventLoop().execute(() -> {
                for (int i = 0; i < window; i++) {
                    ch.writeAndFlush(packet(bytes, target));
                }
            });
            if (!finished.await(seconds + 10L, TimeUnit.SECONDS)) {
                System.err.println("echo-load: some datagrams were lost; counting what came back");
            }
            long end = System.nanoTime();
            int n = (int) Math.min(count[0], latencies.length);
            return new LoadResult(
                    "udp-echo", window, bytes, count[0], 0, (end - start) / 1e9, Arrays.copyOf(latencies, n));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static DatagramPacket packet(int bytes, InetSocketAddress to) {
        ByteBuf b = Unpooled.buffer(bytes);
        b.writeLong(System.nanoTime());
        b.writeZero(bytes - 8);
        return new DatagramPacket(b, to);
    }
}
