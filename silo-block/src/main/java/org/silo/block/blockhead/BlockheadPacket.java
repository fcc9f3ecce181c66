package org.silo.block.blockhead;

import io.netty.buffer.ByteBuf;

/** A decoded client datagram; see {@link BlockheadConstants} for the layouts. */
public sealed interface BlockheadPacket {

    /** CONNECT: {@code name} is empty for the default image. */
    record Connect(int seq, int flags, String name) implements BlockheadPacket {}

    /**
     * COMMAND. {@code data} is the WRITE payload (empty for READ), a slice of the datagram that is
     * valid only while the datagram is being handled.
     */
    record Command(int seq, int session, int op, long lsn, ByteBuf data) implements BlockheadPacket {}

    /** DISCON. */
    record Disconnect(int seq, int session) implements BlockheadPacket {}

    /** KEEP: a keep-alive with no sequence number. */
    record Keep() implements BlockheadPacket {}

    /** A datagram that has a sequence number but is not a valid packet: answer ERR_FORMAT. */
    record Malformed(int seq, String why) implements BlockheadPacket {}

    /** A datagram to drop without a reply (empty, a lone non-KEEP byte, or a REPLY sent to us). */
    record Ignored(String why) implements BlockheadPacket {}
}
