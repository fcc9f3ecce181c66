package org.silo.control.text;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Splits the stream into messages at the first empty line (CRLF CRLF, or LF LF from a plain ncat).
 * Emits each message's text without its terminator; past {@link TextConstants#MAX_MESSAGE} bytes
 * without a terminator it emits {@link #TOO_LONG} once and discards the rest of the input.
 *
 * <p>A message is UTF-8 without NUL (docs/control-protocol.md). As soon as the bytes of the message in
 * progress hold a NUL or a sequence that is not UTF-8, it emits one {@link Malformed}, without waiting
 * for the terminator (a client that ends its text with a NUL, C-style, may never send one), and drops
 * the message through its terminator; the next message is read as usual.
 */
final class TextFrameDecoder extends ByteToMessageDecoder {
    /** Marker: the message in progress exceeded the limit. */
    static final Object TOO_LONG = new Object();

    /** A message that is not UTF-8 text without NUL; {@code why} says where, for the ERROR 400. */
    record Malformed(String why) {}

    private final CharsetDecoder utf8 = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private boolean discarding;
    private boolean skippingMalformed;
    private int skipped;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (discarding) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.isReadable()) {
            if (skippingMalformed && !skipThroughTerminator(in)) {
                return; // every byte read was dropped; the terminator is still to come
            }
            // a message starts with its verb: line ends before it are blank lines between messages
            while (in.isReadable() && (in.getByte(in.readerIndex()) == '\r' || in.getByte(in.readerIndex()) == '\n')) {
                in.skipBytes(1);
            }
            if (!in.isReadable()) {
                return;
            }
            int end = terminator(in);
            int start = in.readerIndex();
            int length = (end < 0 ? in.writerIndex() : end) - start;
            String problem = problem(in, start, length, end >= 0);
            if (problem != null) {
                out.add(new Malformed(problem));
                skippingMalformed = true;
                continue; // drops it through its terminator, now or as the rest arrives
            }
            if (end < 0) {
                if (in.readableBytes() > TextConstants.MAX_MESSAGE) {
                    discarding = true;
                    in.skipBytes(in.readableBytes());
                    out.add(TOO_LONG);
                }
                return;
            }
            String text = in.toString(start, length, StandardCharsets.UTF_8);
            in.readerIndex(skipTerminator(in, end));
            if (!text.isBlank()) {
                out.add(text);
            }
        }
    }

    /**
     * Drops a malformed message's bytes through its terminator, byte by byte, so that a terminator cut
     * between two reads is still seen: {@code skipped} is 1 after a LF, 2 after LF CR. False when the
     * terminator has not come yet.
     */
    private boolean skipThroughTerminator(ByteBuf in) {
        while (in.isReadable()) {
            byte b = in.readByte();
            if (b == '\n' && skipped > 0) {
                skippingMalformed = false;
                skipped = 0;
                return true;
            }
            skipped = b == '\n' ? 1 : b == '\r' && skipped == 1 ? 2 : 0;
        }
        return false;
    }

    /**
     * What is wrong with the message's bytes so far, or null. {@code complete}: the bytes are the whole
     * message; otherwise a sequence cut short at the end may still be completed by the next read.
     */
    private String problem(ByteBuf in, int start, int length, boolean complete) {
        int nul = in.indexOf(start, start + length, (byte) 0);
        if (nul >= 0) {
            return "the message holds a NUL byte (at byte " + (nul - start) + "): send UTF-8 text without NUL";
        }
        ByteBuffer bytes = in.nioBuffer(start, length);
        CoderResult r = utf8.reset().decode(bytes, CharBuffer.allocate(length), complete);
        if (r.isError()) {
            return "the message is not UTF-8 (a bad sequence at byte " + bytes.position() + "): send UTF-8 text";
        }
        return null;
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
