package org.silo.control.text;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.string.StringEncoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.silo.control.ControlData;
import org.silo.control.text.TextConstants.ClientType;
import org.silo.wire.transport.Transports;

/**
 * The control protocol's listener (TCP 7401 by default): one {@link TextSession} per connection, and the
 * displays to push worker STATUS to.
 *
 * <pre>{@code
 * TextServer s = TextServer.start(InetAddress.getLoopbackAddress(), 0, data, new WorkerRegistry(null), "0.1.0");
 * }</pre>
 */
public final class TextServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel listener;
    private final ChannelGroup displays = new DefaultChannelGroup("displays", GlobalEventExecutor.INSTANCE);
    private final WorkerRegistry workers;

    private final java.util.Map<String, String> moversSeen = new java.util.HashMap<>();
    private java.util.concurrent.ScheduledExecutorService moverWatch;

    private final java.util.Map<String, Channel> workerChannels = new java.util.concurrent.ConcurrentHashMap<>();

    private TextServer(EventLoopGroup group, Channel listener, WorkerRegistry workers) {
        this.group = group;
        this.listener = listener;
        this.workers = workers;
    }

    /** A text server that pushes the workers' STATUS to displays, but not the archive's movers'. */
    public static TextServer start(
            InetAddress address, int port, ControlData data, WorkerRegistry workers, String version)
            throws InterruptedException {
        return start(address, port, data, workers, version, java.time.Duration.ZERO);
    }

    /**
     * @param moverPush how often to look at the archive's movers and push a STATUS to displays for each
     *                  that changed (state, volume, job or percent); zero: never
     */
    public static TextServer start(
            InetAddress address,
            int port,
            ControlData data,
            WorkerRegistry workers,
            String version,
            java.time.Duration moverPush)
            throws InterruptedException {
        EventLoopGroup group = Transports.group(1, "silo-control");
        TextServer[] self = new TextServer[1];
        try {
            Channel ch = new ServerBootstrap()
                    .group(group)
                    .channel(Transports.server())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline()
                                    .addLast(new IdleStateHandler(0, 0, TextConstants.IDLE_SECONDS, TimeUnit.SECONDS));
                            c.pipeline().addLast(new StringEncoder(StandardCharsets.UTF_8));
                            c.pipeline().addLast(new TextFrameDecoder());
                            c.pipeline().addLast(new TextSession(data, workers, self[0], version));
                        }
                    })
                    .bind(new InetSocketAddress(address, port))
                    .sync()
                    .channel();
            self[0] = new TextServer(group, ch, workers);
            workers.subscribe(self[0]::push);
            if (!moverPush.isZero()) {
                self[0].watchMovers(data, moverPush);
            }
            return self[0];
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    public WorkerRegistry workers() {
        return workers;
    }

    void joined(Channel ch, ClientType type, String id) {
        if (type == ClientType.DISPLAY) {
            displays.add(ch);
        }
        if (type == ClientType.WORKER) {
            workerChannels.put(id, ch);
        }
    }

    void forget(Channel ch) {
        displays.remove(ch);
        workerChannels.values().remove(ch);
    }

    /** Sends a connected worker seed 004's WHATIS (what do you hold?); false if it is not connected. */
    boolean ask(String worker) {
        Channel ch = workerChannels.get(worker);
        if (ch == null || !ch.isActive()) {
            return false;
        }
        String text = TextCodec.encode(TextMessage.of(TextConstants.WHATIS));
        ch.eventLoop().execute(() -> ch.writeAndFlush(text));
        return true;
    }

    /** A worker's INFO (its answer to WHATIS) goes to every display, as its STATUS does. */
    void pushInfo(TextMessage info) {
        String text = TextCodec.encode(info);
        for (Channel display : displays) {
            display.eventLoop().execute(() -> display.writeAndFlush(text));
        }
    }

    /**
     * Seed 004: displays get every worker's STATUS as it changes. Each push is queued on its display's
     * event loop, so that an answer that display is being sent goes out first.
     */
    private void push(WorkerRegistry.Worker w) {
        String text = TextCodec.encode(
                TextMessage.of(TextConstants.STATUS, w.id(), w.name(), w.state(), w.percent(), w.detail()));
        for (Channel display : displays) {
            display.eventLoop().execute(() -> display.writeAndFlush(text));
        }
    }

    /**
     * Seed 004's displays hear of the burners as they change; the archive's movers are burners too. Off
     * the event loop (reading the movers asks the catalog), and only while a display listens.
     */
    private void watchMovers(ControlData data, java.time.Duration period) {
        moverWatch = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "silo-control-movers");
            t.setDaemon(true);
            return t;
        });
        moverWatch.scheduleWithFixedDelay(
                () -> {
                    if (displays.isEmpty()) {
                        return;
                    }
                    try {
                        for (java.util.Map<String, Object> m : data.movers()) {
                            String id = String.valueOf(m.get("id"));
                            if (workers.get(id) != null) {
                                continue; // a text mover: its own STATUS is pushed as a worker's
                            }
                            java.util.List<String> line = TextLines.moverLine(m);
                            String seen = String.join("\t", line.subList(2, 5)) + "\t" + m.get("volume");
                            if (!seen.equals(moversSeen.put(id, seen))) {
                                String text = TextCodec.encode(TextMessage.of(
                                        TextConstants.STATUS,
                                        line.get(0),
                                        line.get(1),
                                        line.get(2),
                                        line.get(3),
                                        line.get(4)));
                                for (Channel display : displays) {
                                    display.eventLoop().execute(() -> display.writeAndFlush(text));
                                }
                            }
                        }
                    } catch (org.silo.wire.SiloException | RuntimeException e) {
                        org.slf4j.LoggerFactory.getLogger(TextServer.class)
                                .debug("movers not pushed: {}", e.toString());
                    }
                },
                period.toMillis(),
                period.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (moverWatch != null) {
            moverWatch.shutdownNow();
        }
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
