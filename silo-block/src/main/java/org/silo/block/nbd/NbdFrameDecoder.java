package org.silo.block.nbd;

import static org.silo.block.nbd.NbdConstants.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Frames the client's stream: client flags, then options, then requests once the handler calls
 * {@link #enterTransmission()}. Each frame is parsed by {@link NbdCodec}; the only state here is
 * the phase. Netty hands each decoded frame to the handler before decoding the next, so the phase
 * switch takes effect at the right byte.
 */
public final class NbdFrameDecoder extends ByteToMessageDecoder {
    private enum Phase {
        CLIENT_FLAGS,
        OPTIONS,
        TRANSMISSION,
        DEAD
    }

    private Phase phase = Phase.CLIENT_FLAGS;

    public NbdFrameDecoder() {
        // WRITE payloads of up to 32 MiB arrive in socket-sized pieces: keep the pieces instead of
        // copying each into one growing buffer; the write loops over their NIO buffers.
        setCumulator(COMPOSITE_CUMULATOR);
    }

    /** Called by the handler after a successful GO or EXPORT_NAME. */
    /** Bytes received and not yet decoded. */
    int buffered() {
        return actualReadableBytes();
    }

    public void enterTransmission() {
        phase = Phase.TRANSMISSION;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (phase) {
            case CLIENT_FLAGS -> {
                if (in.readableBytes() >= 4) {
                    out.add(new NbdMessage.ClientFlags(in.readInt()));
                    phase = Phase.OPTIONS;
                }
            }
            case OPTIONS -> decodeOption(in, out);
            case TRANSMISSION -> decodeRequest(in, out);
            case DEAD -> in.skipBytes(in.readableBytes());
        }
    }

    private void decodeOption(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 16) {
            return;
        }
        int start = in.readerIndex();
        long magic = in.getLong(start);
        long length = in.getUnsignedInt(start + 12);
        if (magic != IHAVEOPT) {
            fail(in, out, "option without IHAVEOPT magic");
        } else if (length > MAX_OPTION_LENGTH) {
            fail(in, out, "option of " + length + " bytes");
        } else if (in.readableBytes() >= 16 + length) {
            int code = in.getInt(start + 8);
            byte[] data = new byte[(int) length];
            in.getBytes(start + 16, data);
            in.skipBytes(16 + (int) length);
            out.add(new NbdMessage.Option(code, data));
        }
    }

    private void decodeRequest(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < REQUEST_HEADER_LENGTH) {
            return;
        }
        NbdCodec.RequestHeader h = NbdCodec.requestHeader(in, in.readerIndex());
        if (h.magic() != REQUEST_MAGIC) {
            fail(in, out, "request without NBD_REQUEST_MAGIC");
            return;
        }
        if (h.type() == CMD_WRITE && h.length() > MAX_PAYLOAD) {
            // proto.md ("Block size constraints"): either side may disconnect on a payload large enough to
            // be deemed a denial of service. Only a WRITE carries one here, and its up to 4 GiB of bytes
            // would have to be read through to find the next request. An over-long READ carries none: it
            // goes on to NbdCommands, which answers EINVAL and keeps the connection.
            fail(in, out, "WRITE of " + h.length() + " bytes, over 32 MiB");
            return;
        }
        int payload = h.type() == CMD_WRITE ? (int) h.length() : 0;
        if (in.readableBytes() < REQUEST_HEADER_LENGTH + payload) {
            return;
        }
        in.skipBytes(REQUEST_HEADER_LENGTH);
        ByteBuf data = payload == 0 ? Unpooled.EMPTY_BUFFER : in.readRetainedSlice(payload);
        out.add(new NbdMessage.Request(h.flags(), h.type(), h.cookie(), h.offset(), h.length(), data));
    }

    private void fail(ByteBuf in, List<Object> out, String why) {
        phase = Phase.DEAD;
        in.skipBytes(in.readableBytes());
        out.add(new NbdMessage.Fatal(why));
    }
}
