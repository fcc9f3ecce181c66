package org.silo.wire.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.silo.wire.transport.Transports;

/**
 * The client's TCP connection to its server, for frames too big for a datagram (docs/protocol.md §1:
 * the same frames, each after a 4-octet length). Opened on first use and again after it closed; let go
 * when the client moves to another server.
 */
final class TcpLink {
    private final EventLoopGroup group;
    private final Duration deadline;
    private final Supplier<InetSocketAddress> target;
    private final Consumer<ByteBuf> deliver;
    private final Consumer<Channel> lost;
    private final Object lock = new Object();
    private CompletableFuture<Channel> tcp;

    TcpLink(
            EventLoopGroup group,
            Duration deadline,
            Supplier<InetSocketAddress> target,
            Consumer<ByteBuf> deliver,
            Consumer<Channel> lost) {
        this.group = group;
        this.deadline = deadline;
        this.target = target;
        this.deliver = deliver;
        this.lost = lost;
    }

    /** The connection, or one being opened: connected now if there is none or the last one closed. */
    CompletableFuture<Channel> channel() {
        synchronized (lock) {
            if (tcp != null
                    && (!tcp.isDone()
                            || (!tcp.isCompletedExceptionally() && tcp.join().isActive()))) {
                return tcp;
            }
            CompletableFuture<Channel> f = new CompletableFuture<>();
            tcp = f;
            ChannelFuture cf = new Bootstrap()
                    .group(group)
                    .channel(Transports.socket())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(10_000, deadline.toMillis()))
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(Integer.MAX_VALUE, 0, 4, 0, 4));
                            ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, ByteBuf record) {
                                    deliver.accept(record);
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                    lost.accept(ctx.channel());
                                }
                            });
                        }
                    })
                    .connect(target.get());
            cf.addListener(done -> {
                if (done.isSuccess()) {
                    f.complete(cf.channel());
                } else {
                    f.completeExceptionally(done.cause());
                }
            });
            return f;
        }
    }

    /** Forgets the connection (the client moved to another server); the next use opens a new one. */
    void letGo() {
        synchronized (lock) {
            tcp = null;
        }
    }
}
