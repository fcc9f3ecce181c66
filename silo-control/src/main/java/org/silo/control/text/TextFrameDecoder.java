package org.silo.control.text;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Splits the stream into messages at the first empty line (CRLF CRLF, or LF LF from a plain ncat).
 * Emits each message's text without its terminator; past {@link TextConstants#MAX_MESSAGE} bytes
 * without a terminator it emits {@link #TOO_LONG} once and discards the rest of the input.
 */
final class TextFrameDecoder extends ByteToMessageDecoder {
    /** Marker: the message in progress exceeded the limit. */
    static final Object TOO_LONG = new Object();
    private boolean discarding;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (discarding) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.isReadable()) {
            // a message starts with its verb: line ends before it are blank lines between messages
            while (in.isReadable() && (in.getByte(in.readerIndex()) == '\r' || in.getByte(in.readerIndex()) == '\n')) {
                in.skipBytes(1);
            }
            if (!in.isReadable()) {
                return;
            }
            int end = terminator(in);
            if (end < 0) {
                if (in.readableBytes() > TextConstants.MAX_MESSAGE) {
                    discarding = true;
                    in.skipBytes(in.readableBytes());
                    out.add(TOO_LONG);
                }
                return;
            }
            int start = in.readerIndex();
            int length = end - start;
            String text = in.toString(start, length, StandardCharsets.UTF_8);
            in.readerIndex(skipTerminator(in, end));
            if (!text.isBlank()) {
                out.add(text);
            }
        }
    }

    /** The index where the first empty line begins: "\n\n" or "\n\r\n" after the last line. */
    private static int terminator(ByteBuf in) {
        int limit = in.writerIndex();
        for (int i = in.readerIndex(); i < limit; i++) {
            if (in.getByte(i) != '\n') {
                continue;
            }
            int next = i + 1;
            if (next < limit && in.getByte(next) == '\n') {
                return i > in.readerIndex() && in.getByte(i - 1) == '\r' ? i - 1 : i;
            }
            if (next + 1 < limit && in.getByte(next) == '\r' && in.getByte(next + 1) == '\n') {
                return i > in.readerIndex() && in.getByte(i - 1) == '\r' ? i - 1 : i;
            }
        }
        return -1;
    }

    private static int skipTerminator(ByteBuf in, int end) {
        int i = end;
        int newlines = 0;
        while (i < in.writerIndex() && newlines < 2) {
            byte b = in.getByte(i++);
            if (b == '\n') {
                newlines++;
            }
        }
        return i;
    }
}
