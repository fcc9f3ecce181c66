package org.silo.block;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Netty's epoll transport where it loads, NIO elsewhere, decided once for both block protocols.
 * {@code -Dsilo.nio=true} forces NIO, as it does for the message layer (silo-block stands alone, so
 * it does not share silo-wire's class).
 */
public final class BlockTransports {
    private BlockTransports() {}

    private static final boolean EPOLL = Epoll.isAvailable() && !Boolean.getBoolean("silo.nio");

    public static boolean epoll() {
        return EPOLL;
    }

    /** An event loop group of daemon threads; {@code threads} 0 means Netty's default. */
    public static EventLoopGroup group(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(
                threads,
                new DefaultThreadFactory(name, true),
                EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    public static Class<? extends DatagramChannel> datagram() {
        return EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    public static Class<? extends ServerChannel> server() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
