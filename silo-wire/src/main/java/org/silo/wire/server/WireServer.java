package org.silo.wire.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.silo.wire.auth.Authenticator;
import org.silo.wire.transport.Transports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message endpoint on the network: one UDP socket and one TCP listener on the same port number
 * (docs/protocol.md §1), both feeding one {@link Endpoint}.
 *
 * <pre>{@code
 * Dispatcher d = new Dispatcher().register(CoreOps.PING, (ctx, data) -> data);
 * try (WireServer server = WireServer.start(InetAddress.getLoopbackAddress(), 0, WireServerConfig.DEFAULTS, d, registry)) {
 *     int port = server.port();
 * }
 * }</pre>
 */
public final class WireServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WireServer.class);
    private static final int BIND_ATTEMPTS = 20;

    private final Endpoint endpoint;
    private final EventLoopGroup group;
    private final Channel udp;
    private final Channel tcp;

    private WireServer(Endpoint endpoint, EventLoopGroup group, Channel udp, Channel tcp) {
        this.endpoint = endpoint;
        this.group = group;
        this.udp = udp;
        this.tcp = tcp;
    }

    /** Binds UDP and TCP on {@code port} (0: any free port, the same for both) and starts serving. */
    public static WireServer start(
            InetAddress address, int port, WireServerConfig config, Dispatcher dispatcher, MeterRegistry registry)
            throws InterruptedException {
        return start(address, port, config, dispatcher, registry, Authenticator.OPEN);
    }

    /** As above, with access lists: who may log in, and what anonymous sessions may do. */
    public static WireServer start(
            InetAddress address,
            int port,
            WireServerConfig config,
            Dispatcher dispatcher,
            MeterRegistry registry,
            Authenticator authenticator)
            throws InterruptedException {
        Endpoint endpoint = new Endpoint(config, dispatcher, registry, authenticator);
        EventLoopGroup group = Transports.group(Math.max(2, Runtime.getRuntime().availableProcessors()), "silo-wire");
        try {
            for (int attempt = 1; ; attempt++) {
                Channel udp = bindUdp(group, endpoint, new InetSocketAddress(address, port));
                int bound = ((InetSocketAddress) udp.localAddress()).getPort();
                try {
                    Channel tcp = bindTcp(group, endpoint, new InetSocketAddress(address, bound));
                    group.scheduleAtFixedRate(endpoint::tick, 1, 1, TimeUnit.SECONDS);
                    group.scheduleAtFixedRate(endpoint::remind, 100, 100, TimeUnit.MILLISECONDS);
                    log.info(
                            "message endpoint on {} UDP and TCP ({})",
                            udp.localAddress(),
                            Transports.epoll() ? "epoll" : "nio");
                    return new WireServer(endpoint, group, udp, tcp);
                } catch (Exception e) {
                    udp.close().sync();
                    if (port != 0 || attempt >= BIND_ATTEMPTS) {
                        throw e;
                    }
                    // port 0: the UDP port's TCP twin was taken; try another pair
                }
            }
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            endpoint.close();
            throw e;
        }
    }

    private static Channel bindUdp(EventLoopGroup group, Endpoint endpoint, InetSocketAddress at)
            throws InterruptedException {
        return new Bootstrap()
                .group(group)
                .channel(Transports.datagram())
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                // Netty reads 2048 bytes per datagram by default; one byte over the maximum lets an
                // oversized datagram be seen (and counted) as such rather than silently truncated
                .option(
                        ChannelOption.RECVBUF_ALLOCATOR,
                        new FixedRecvByteBufAllocator(endpoint.config().maxDatagram() + 1))
                .handler(new UdpHandler(endpoint))
                .bind(at)
                .sync()
                .channel();
    }

    private static Channel bindTcp(EventLoopGroup group, Endpoint endpoint, InetSocketAddress at)
            throws InterruptedException {
        int maxFrame = endpoint.config().maxTcpFrame();
        WireServerConfig c = endpoint.config();
        ConnectionLimiter limiter = new ConnectionLimiter(
                c.maxConnections(), c.maxConnectionsPerAddress(), 10, endpoint::refusedConnection);
        long idleSeconds = Math.max(1, endpoint.config().sessionIdle().toSeconds());
        return new ServerBootstrap()
                .group(group)
                .channel(Transports.server())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(limiter);
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, idleSeconds, TimeUnit.SECONDS));
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(maxFrame + 4, 0, 4, 0, 4));
                        ch.pipeline().addLast(new TcpHandler(endpoint));
                    }
                })
                .bind(at)
                .sync()
                .channel();
    }

    public int port() {
        return ((InetSocketAddress) udp.localAddress()).getPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) udp.localAddress();
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        udp.close().syncUninterruptibly();
        tcp.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        endpoint.close();
    }
}
