package org.silo.block.blockhead;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.silo.block.BlockTransports;
import org.silo.block.image.ImageStore;

/**
 * The Blockhead server: UDP, one datagram per request and per reply (seed 001).
 *
 * <pre>{@code
 * try (BlockheadServer server = BlockheadServer.builder(store).port(4444).build().start()) {
 *   int port = server.port();
 *   ...
 * }
 * }</pre>
 */
public final class BlockheadServer implements AutoCloseable {

    /** Settings; see {@link Builder} for the defaults. */
    public record Config(
            ImageStore store,
            InetAddress bindAddress,
            int port,
            String defaultImage,
            Duration idleTimeout,
            int maxSessions,
            int maxSessionsPerAddress) {
        public Config {
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(bindAddress, "bindAddress");
            Objects.requireNonNull(defaultImage, "defaultImage");
            if (idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("idle timeout must be positive");
            }
            if (maxSessions < 1 || maxSessions > 65536 || maxSessionsPerAddress < 1) {
                throw new IllegalArgumentException("session caps must be in 1..65536");
            }
        }
    }

    private final Config config;
    private final BlockheadCounters counters = new BlockheadCounters();
    private EventLoopGroup group;
    private Channel channel;
    private BlockheadHandler handler;

    private BlockheadServer(Config config) {
        this.config = config;
    }

    public static Builder builder(ImageStore store) {
        return new Builder(store);
    }

    /**
     * Binds the socket; returns this.
     *
     * <p>Threading: one event-loop thread of its own runs the socket and the handler, disk I/O
     * included. Blockhead sessions are served one packet at a time anyway (the replay rule needs
     * that order), so a separate disk thread would stall exactly as long on a slow read; it only
     * added two thread hand-offs per packet and halved the packet rate (94k against 44k 512-byte
     * READs/s, docs/block.md). Nothing else shares this loop: NBD has its own groups.
     */
    public synchronized BlockheadServer start() throws InterruptedException {
        boolean epoll = BlockTransports.epoll();
        group = BlockTransports.group(1, "blockhead");
        handler = new BlockheadHandler(config, counters);
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(BlockTransports.datagram())
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("blockhead", handler);
                    }
                });
        if (epoll) {
            // recvmmsg: up to 16 datagrams per system call, each cut at 2048 bytes (any valid packet
            // fits; a longer one is cut and then fails the length checks).
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 2048)
                    .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(16 * 2048));
        } else {
            b.option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048));
        }
        try {
            channel = b.bind(new InetSocketAddress(config.bindAddress(), config.port()))
                    .sync()
                    .channel();
        } catch (RuntimeException | InterruptedException e) {
            close();
            throw e;
        }
        return this;
    }

    /** The bound UDP port (the real one when built with port 0). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public Config config() {
        return config;
    }

    public BlockheadCounters counters() {
        return counters;
    }

    /** Closes the socket and every session, releasing their images. */
    @Override
    public synchronized void close() {
        if (channel != null) {
            // Sessions live on the event loop: close them there, then the socket.
            channel.eventLoop().submit(handler::closeAll).syncUninterruptibly();
            channel.close().syncUninterruptibly();
            channel = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            group = null;
        }
    }

    /** Builds a server; defaults are the reference server's. */
    public static final class Builder {
        private final ImageStore store;
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port = BlockheadConstants.DEFAULT_PORT;
        private String defaultImage = BlockheadConstants.DEFAULT_IMAGE;
        private Duration idleTimeout = Duration.ofMinutes(BlockheadConstants.DEFAULT_IDLE_MINUTES);
        private int maxSessions = BlockheadConstants.DEFAULT_MAX_SESSIONS;
        private int maxSessionsPerAddress = 4;

        private Builder(ImageStore store) {
            this.store = store;
        }

        /** Default: loopback. */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = address;
            return this;
        }

        /** Default 4444; 0 picks a free port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Image opened by a CONNECT with an empty name; default {@code test.img}. */
        public Builder defaultImage(String name) {
            this.defaultImage = name;
            return this;
        }

        /** Default 60 minutes. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        /** Default 16. */
        public Builder maxSessions(int max) {
            this.maxSessions = max;
            return this;
        }

        /** Default 4. */
        public Builder maxSessionsPerAddress(int max) {
            this.maxSessionsPerAddress = max;
            return this;
        }

        public BlockheadServer build() {
            return new BlockheadServer(new Config(
                    store, bindAddress, port, defaultImage, idleTimeout, maxSessions, maxSessionsPerAddress));
        }
    }
}
