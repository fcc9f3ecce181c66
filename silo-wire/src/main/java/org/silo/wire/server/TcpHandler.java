package org.silo.wire.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import org.silo.wire.codec.Frame;
import org.silo.wire.codec.FrameCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Length-prefixed frames on a TCP connection (docs/protocol.md §1): after a LengthFieldBasedFrameDecoder,
 * each record is one frame. A record that fails to decode closes the connection: on a stream, unlike
 * datagrams, there is no telling where the next frame starts.
 */
final class TcpHandler extends SimpleChannelInboundHandler<ByteBuf> {
    private static final Logger log = LoggerFactory.getLogger(TcpHandler.class);
    /** Set once a connection has sent a whole frame (see {@link ConnectionLimiter}). */
    static final AttributeKey<Boolean> SAW_FRAME = AttributeKey.valueOf("silo.sawFrame");

    private final Endpoint endpoint;
    private TcpPeer peer;

    TcpHandler(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        peer = new TcpPeer(
                ctx.channel(),
                (InetSocketAddress) ctx.channel().remoteAddress(),
                endpoint.config().maxTcpFrame());
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf record) {
        ctx.channel().attr(SAW_FRAME).set(Boolean.TRUE);
        Frame frame;
        try {
            frame = FrameCodec.decode(record.nioBuffer());
        } catch (FrameCodec.FrameException e) {
            endpoint.refused(e.fault());
            ctx.close();
            return;
        }
        endpoint.receive(frame, peer);
    }

    /** A connection silent for the session idle time is closed, as an idle session is ended. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            endpoint.refusedTcpFrame();
        } else {
            log.debug("TCP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }

    private record TcpPeer(Channel channel, InetSocketAddress address, int maxFrame) implements Peer {
        @Override
        public boolean transportProven() {
            return true;
        }

        @Override
        public int receivedBytes() {
            return Integer.MAX_VALUE;
        }

        @Override
        public void send(byte[] frame) {
            ByteBuf length = Unpooled.buffer(4).writeInt(frame.length);
            channel.writeAndFlush(Unpooled.wrappedBuffer(length, Unpooled.wrappedBuffer(frame)), channel.voidPromise());
        }
    }
}
