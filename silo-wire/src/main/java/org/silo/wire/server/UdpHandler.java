package org.silo.wire.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import org.silo.wire.codec.Frame;
import org.silo.wire.codec.FrameCodec;

/** Datagrams in, frames to the endpoint; answers go back to the sender. */
@ChannelHandler.Sharable
final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final Endpoint endpoint;

    UdpHandler(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        int size = packet.content().readableBytes();
        if (size > endpoint.config().maxDatagram()) {
            endpoint.refused(FrameCodec.Fault.OVERSIZE);
            return;
        }
        Frame frame;
        try {
            frame = FrameCodec.decode(packet.content().nioBuffer());
        } catch (FrameCodec.FrameException e) {
            endpoint.refused(e.fault());
            return;
        }
        endpoint.receive(
                frame,
                new UdpPeer(
                        ctx.channel(), packet.sender(), size, endpoint.config().maxDatagram()));
    }

    private record UdpPeer(Channel channel, InetSocketAddress address, int receivedBytes, int maxFrame)
            implements Peer {
        @Override
        public boolean transportProven() {
            return false;
        }

        @Override
        public void send(byte[] frame) {
            channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(frame), address), channel.voidPromise());
        }
    }
}
