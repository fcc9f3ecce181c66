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

    private TextServer(EventLoopGroup group, Channel listener, WorkerRegistry workers) {
        this.group = group;
        this.listener = listener;
        this.workers = workers;
    }

    public static TextServer start(InetAddress address, int port, ControlData data, WorkerRegistry workers, String version)
            throws InterruptedException {
        EventLoopGroup group = Transports.group(1, "silo-control");
        TextServer[] self = new TextServer[1];
        try {
            Channel ch = new ServerBootstrap().group(group).channel(Transports.server())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(new IdleStateHandler(0, 0, TextConstants.IDLE_SECONDS, TimeUnit.SECONDS));
                            c.pipeline().addLast(new StringEncoder(StandardCharsets.UTF_8));
                            c.pipeline().addLast(new TextFrameDecoder());
                            c.pipeline().addLast(new TextSession(data, workers, self[0], version));
                        }
                    })
                    .bind(new InetSocketAddress(address, port)).sync().channel();
            self[0] = new TextServer(group, ch, workers);
            workers.subscribe(self[0]::push);
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

    void joined(Channel ch, ClientType type) {
        if (type == ClientType.DISPLAY) {
            displays.add(ch);
        }
    }

    void forget(Channel ch) {
        displays.remove(ch);
    }

    /**
     * Seed 004: displays get every worker's STATUS as it changes. Each push is queued on its display's
     * event loop, so that an answer that display is being sent goes out first.
     */
    private void push(WorkerRegistry.Worker w) {
        String text = TextCodec.encode(TextMessage.of(TextConstants.STATUS, w.id(), w.name(), w.state(), w.percent(), w.detail()));
        for (Channel display : displays) {
            display.eventLoop().execute(() -> display.writeAndFlush(text));
        }
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
