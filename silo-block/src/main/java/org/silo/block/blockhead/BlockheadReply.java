package org.silo.block.blockhead;

import io.netty.buffer.ByteBuf;

/** A server datagram; see {@link BlockheadConstants} for the layouts. */
public sealed interface BlockheadReply {

    /** The 3-byte reply: WRITE and DISCON success, and every error. */
    record Status(int seq, int error) implements BlockheadReply {}

    /** A successful CONNECT. */
    record Connected(int seq, int session) implements BlockheadReply {}

    /** A successful READ; the encoder copies {@code data} and does not release it. */
    record Sector(int seq, ByteBuf data) implements BlockheadReply {}

    /** The answer to KEEP. */
    record Keep() implements BlockheadReply {}
}
