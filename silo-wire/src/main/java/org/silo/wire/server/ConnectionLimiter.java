package org.silo.wire.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps TCP connections in total and per client address, and closes a connection that has sent no frame
 * within {@code firstFrameSeconds}: half-open and silent connections cannot pile up.
 */
@ChannelHandler.Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final int maxTotal;
    private final int maxPerAddress;
    private final long firstFrameSeconds;
    private final Runnable onRefused;

    ConnectionLimiter(int maxTotal, int maxPerAddress, long firstFrameSeconds, Runnable onRefused) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
        this.firstFrameSeconds = firstFrameSeconds;
        this.onRefused = onRefused;
    }

    int open() {
        return total.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetAddress a = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        AtomicInteger mine = perAddress.computeIfAbsent(a, k -> new AtomicInteger());
        int n = mine.incrementAndGet();
        int all = total.incrementAndGet();
        ctx.channel().closeFuture().addListener(f -> {
            total.decrementAndGet();
            if (mine.decrementAndGet() <= 0) {
                perAddress.remove(a, mine);
            }
        });
        if (n > maxPerAddress || all > maxTotal) {
            onRefused.run();
            ctx.close();
            return;
        }
        ctx.executor()
                .schedule(
                        () -> {
                            if (!Boolean.TRUE.equals(
                                    ctx.channel().attr(TcpHandler.SAW_FRAME).get())) {
                                ctx.close();
                            }
                        },
                        firstFrameSeconds,
                        TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }
}
