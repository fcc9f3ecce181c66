package org.silo.control.web;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.silo.control.ControlData;
import org.silo.wire.transport.Transports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console on HTTP (docs/console.md): pages, JSON under /api, status events, metrics.
 *
 * <pre>{@code
 * try (ConsoleServer console = ConsoleServer.builder(controlData).port(7480).build().start()) {
 *     int port = console.port();   // the bound port, also when 0 was asked for
 * }
 * }</pre>
 */
public final class ConsoleServer implements AutoCloseable {
    /** The default port (docs/configuration.md, {@code console.port}). */
    public static final int DEFAULT_PORT = 7480;

    private static final Logger log = LoggerFactory.getLogger(ConsoleServer.class);

    private final Builder config;
    private final ConsoleSessions sessions;
    private EventLoopGroup group;
    private ExecutorService workers;
    private StatusStream stream;
    private ScheduledExecutorService sampler;
    private Channel channel;
    private InetSocketAddress bound;
    private final ChannelGroup connections = new DefaultChannelGroup("console", GlobalEventExecutor.INSTANCE);

    private ConsoleServer(Builder config) {
        this.config = config;
        this.sessions = new ConsoleSessions(config.sessionIdle, config.maxSessions, config.clock);
    }

    public static Builder builder(ControlData data) {
        return new Builder(data);
    }

    /** Binds and starts serving; an address in use is an IOException, and nothing is left open. */
    public synchronized ConsoleServer start() throws IOException, InterruptedException {
        if (channel != null) {
            throw new IllegalStateException("already started");
        }
        ConsoleCounters counters =
                new ConsoleCounters(sessions::size, () -> stream == null ? 0 : stream.listeners(), connections::size);
        ThroughputHistory history = new ThroughputHistory(
                config.historyPeriod.toMillis(), Duration.ofHours(1).toMillis());
        ConsoleRoutes routes = new ConsoleRoutes(config.data, sessions, counters, config.clock, history);
        sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "console-history");
            t.setDaemon(true);
            return t;
        });
        // Sampled whether or not a page is open, so the overview draws the hour before it opened; the first
        // sample one period after start, when the server that embeds the console has started too.
        sampler.scheduleAtFixedRate(
                () -> {
                    try {
                        history.sample(config.data.status(), config.clock.millis());
                    } catch (RuntimeException e) {
                        log.warn("console: cannot sample the status for the throughput history", e);
                    }
                },
                config.historyPeriod.toMillis(),
                config.historyPeriod.toMillis(),
                TimeUnit.MILLISECONDS);
        workers = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("console-", 0).factory());
        stream = new StatusStream(routes.read()::status, config.eventPeriod.toMillis(), config.maxEventListeners);
        group = Transports.group(config.threads, "console");
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(Transports.server())
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (connections.size() >= config.maxConnections) {
                            ch.close();
                            return;
                        }
                        connections.add(ch);
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, config.idleTimeout.toSeconds(), TimeUnit.SECONDS))
                                .addLast(new HttpServerCodec())
                                .addLast(new XferHandler(config.data, workers)) // /xfer/ streams, unaggregated
                                .addLast(new HttpObjectAggregator(config.maxBody))
                                .addLast(new IdleCloser())
                                .addLast(new HttpChannelHandler(routes, stream, counters, workers));
                    }
                });
        try {
            channel = b.bind(new InetSocketAddress(config.bindAddress, config.port))
                    .sync()
                    .channel();
            bound = (InetSocketAddress) channel.localAddress();
        } catch (Exception e) {
            // bind() reports a refused address as a checked IOException that the compiler cannot see.
            close();
            if (e instanceof IOException io) {
                throw io;
            }
            throw e;
        }
        return this;
    }

    /** The bound port (the one the system chose when 0 was asked for). */
    public int port() {
        return address().getPort();
    }

    /** The bound address and port; only after {@link #start()}. */
    public InetSocketAddress address() {
        if (bound == null) {
            throw new IllegalStateException("not started");
        }
        return bound;
    }

    /** Browser sessions logged in now. */
    public int loggedInSessions() {
        return sessions.size();
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly();
            channel = null;
        }
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        if (stream != null) {
            stream.close();
        }
        if (sampler != null) {
            sampler.shutdownNow();
        }
        // Workers before the event loop: a worker still answering would otherwise hand the loop a task
        // after it has terminated.
        if (workers != null) {
            workers.shutdownNow();
            try {
                workers.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    /** Closes connections idle longer than the timeout (an event stream writes every period: never idle). */
    private static final class IdleCloser extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }
    }

    /** Settings, with the defaults named on each method. */
    public static final class Builder {
        private final ControlData data;
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port = DEFAULT_PORT;
        private int threads = 1;
        private int maxBody = 16 * 1024;
        private Duration sessionIdle = Duration.ofMinutes(30);
        private int maxSessions = 1000;
        private int maxEventListeners = 256;
        private int maxConnections = 512;
        private Duration eventPeriod = Duration.ofSeconds(1);
        private Duration idleTimeout = Duration.ofSeconds(120);
        private Duration historyPeriod = Duration.ofSeconds(10);
        private Clock clock = Clock.systemUTC();

        private Builder(ControlData data) {
            this.data = Objects.requireNonNull(data, "data");
        }

        /** Where to listen; loopback by default, like the rest of Silo (docs/security.md). */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /** The TCP port, 7480 by default; 0 lets the system choose ({@link ConsoleServer#port()}). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 to 65535, not " + port);
            }
            this.port = port;
            return this;
        }

        /** Event loop threads, 1 by default (requests run on virtual threads, not on the loop). */
        public Builder threads(int threads) {
            this.threads = positive("threads", threads);
            return this;
        }

        /** The largest request body, 16 KiB by default; larger ones get 413 and the connection is closed. */
        public Builder maxBody(int bytes) {
            this.maxBody = positive("maxBody", bytes);
            return this;
        }

        /** How long a login lasts without a request, 30 minutes by default. */
        public Builder sessionIdle(Duration idle) {
            this.sessionIdle = Objects.requireNonNull(idle, "idle");
            return this;
        }

        /** Logged-in sessions at once, 1000 by default; beyond, the one nearest its expiry ends. */
        public Builder maxSessions(int max) {
            this.maxSessions = positive("maxSessions", max);
            return this;
        }

        /** Open /api/events streams at once, 256 by default; beyond, 503. */
        public Builder maxEventListeners(int max) {
            this.maxEventListeners = positive("maxEventListeners", max);
            return this;
        }

        /** Open connections at once, 512 by default; beyond, a new one is closed at once. */
        public Builder maxConnections(int max) {
            this.maxConnections = positive("maxConnections", max);
            return this;
        }

        /** How often the status event is sent, every second by default. */
        public Builder eventPeriod(Duration period) {
            if (period.toMillis() < 1) {
                throw new IllegalArgumentException("eventPeriod must be at least 1 ms");
            }
            this.eventPeriod = period;
            return this;
        }

        /** Connections without traffic for this long are closed, 120 s by default. */
        public Builder idleTimeout(Duration timeout) {
            if (timeout.toSeconds() < 1) {
                throw new IllegalArgumentException("idleTimeout must be at least 1 s");
            }
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * How often the server samples the overview's counters for the last hour's charts, every 10 s by
         * default (360 samples an hour).
         */
        public Builder historyPeriod(Duration period) {
            if (period.toMillis() < 1) {
                throw new IllegalArgumentException("historyPeriod must be at least 1 ms");
            }
            this.historyPeriod = period;
            return this;
        }

        /** The clock of session expiry and status times; for tests. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public ConsoleServer build() {
            return new ConsoleServer(this);
        }

        private static int positive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be at least 1, not " + value);
            }
            return value;
        }
    }
}
