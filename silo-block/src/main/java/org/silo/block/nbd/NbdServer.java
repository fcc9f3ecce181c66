package org.silo.block.nbd;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.silo.block.BlockTransports;
import org.silo.block.image.ImageStore;

/**
 * The NBD server: fixed newstyle over TCP, every image of the store is an export, and so is every
 * read-only export of {@link MoreExports} (the snapshots, {@code IMAGE@SNAP}).
 *
 * <pre>{@code
 * try (NbdServer server = NbdServer.builder(store).port(10809).build().start()) {
 *   // nbdinfo nbd://127.0.0.1:10809/disk0
 * }
 * }</pre>
 */
public final class NbdServer implements AutoCloseable {

    /**
     * Settings; see {@link Builder} for the defaults.
     *
     * @param tls the server's TLS context for NBD_OPT_STARTTLS, or null for no TLS
     * @param requireTls whether every option but STARTTLS and ABORT needs TLS first (FORCEDTLS)
     */
    public record Config(
            ImageStore store,
            InetAddress bindAddress,
            int port,
            String defaultExport,
            int workers,
            SslContext tls,
            boolean requireTls) {
        public Config {
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(bindAddress, "bindAddress");
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1");
            }
            if (requireTls && tls == null) {
                throw new IllegalArgumentException("requireTls needs a TLS context");
            }
            if (tls != null && !tls.isServer()) {
                throw new IllegalArgumentException("the TLS context must be a server context");
            }
        }

        /** Without TLS. */
        public Config(ImageStore store, InetAddress bindAddress, int port, String defaultExport, int workers) {
            this(store, bindAddress, port, defaultExport, workers, null, false);
        }
    }

    /**
     * What every connection shares.
     *
     * @param moreExports the server's current {@link MoreExports}, read at each handshake option
     */
    record Shared(ExecutorService workers, NbdCounters counters, Supplier<MoreExports> moreExports) {}

    private final Config config;
    private final NbdCounters counters = new NbdCounters();
    private volatile MoreExports moreExports;
    private EventLoopGroup group;
    private ExecutorService workers;
    private Channel channel;

    private NbdServer(Config config, MoreExports moreExports) {
        this.config = config;
        this.moreExports = Objects.requireNonNull(moreExports, "moreExports");
    }

    public static Builder builder(ImageStore store) {
        return new Builder(store);
    }

    /** Binds the socket; returns this. */
    public synchronized NbdServer start() throws InterruptedException {
        group = BlockTransports.group(0, "nbd");
        workers = Executors.newFixedThreadPool(config.workers(), new DefaultThreadFactory("nbd-io", true));
        Shared shared = new Shared(workers, counters, () -> moreExports);
        try {
            channel = new ServerBootstrap()
                    .group(group)
                    .channel(BlockTransports.server())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    // Big socket buffers: notes/block.md section 4 (qemu commit e9f4550b, 2 MiB SO_SNDBUF).
                    .childOption(ChannelOption.SO_SNDBUF, 4 << 20)
                    .childOption(ChannelOption.SO_RCVBUF, 4 << 20)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(8 << 20, 64 << 20))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            counters.connections.increment();
                            ch.pipeline().addLast("nbd-frames", new NbdFrameDecoder());
                            ch.pipeline().addLast("nbd-handshake", new NbdHandshakeHandler(config, shared));
                        }
                    })
                    .bind(new InetSocketAddress(config.bindAddress(), config.port()))
                    .sync()
                    .channel();
        } catch (RuntimeException | InterruptedException e) {
            close();
            throw e;
        }
        return this;
    }

    /** The bound TCP port (the real one when built with port 0). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public Config config() {
        return config;
    }

    /**
     * Replaces the read-only exports served beside the images, on a running server too (the snapshot
     * service is wired after the NBD server starts). Handshakes from then on see the new one;
     * connections already transmitting keep the device they opened.
     */
    public void moreExports(MoreExports exports) {
        this.moreExports = Objects.requireNonNull(exports, "exports");
    }

    public MoreExports moreExports() {
        return moreExports;
    }

    public NbdCounters counters() {
        return counters;
    }

    /** Closes the listening socket and every connection, releasing their images. */
    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
            channel = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            group = null;
        }
        if (workers != null) {
            workers.shutdown();
            try {
                workers.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            workers = null;
        }
    }

    /** Builds a server. */
    public static final class Builder {
        private final ImageStore store;
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port = NbdConstants.DEFAULT_PORT;
        private String defaultExport;
        private int workers = 16;
        private SslContext tls;
        private boolean requireTls;
        private MoreExports moreExports = MoreExports.NONE;

        private Builder(ImageStore store) {
            this.store = store;
        }

        /** Default: loopback. */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = address;
            return this;
        }

        /** Default 10809; 0 picks a free port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Image served for the empty export name; default none (the empty name is unknown). */
        public Builder defaultExport(String name) {
            this.defaultExport = name;
            return this;
        }

        /** Threads running disk I/O for all connections; default 16 (nbdkit's default per connection). */
        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        /**
         * Offers NBD_OPT_STARTTLS with this server context (see {@link NbdTls#serverContext} for a
         * PEM certificate and key). Default none: STARTTLS gets ERR_UNSUP.
         */
        public Builder tls(SslContext context) {
            this.tls = context;
            return this;
        }

        /**
         * Refuses every option but STARTTLS and ABORT until TLS is up (proto.md FORCEDTLS mode).
         * Default false; true needs {@link #tls}.
         */
        public Builder requireTls(boolean require) {
            this.requireTls = require;
            return this;
        }

        /** Read-only exports served beside the images; default {@link MoreExports#NONE}. */
        public Builder moreExports(MoreExports exports) {
            this.moreExports = exports;
            return this;
        }

        public NbdServer build() {
            return new NbdServer(
                    new Config(store, bindAddress, port, defaultExport, workers, tls, requireTls), moreExports);
        }
    }
}
