package org.silo.block.nbd;

import io.netty.buffer.ByteBuf;

/** What {@link NbdFrameDecoder} produces from the client's byte stream. */
public sealed interface NbdMessage {

    /** The client's 32-bit flags, sent once after the greeting. */
    record ClientFlags(int flags) implements NbdMessage {}

    /** One option of the handshake; {@code data} is a copy the handler may keep. */
    record Option(int code, byte[] data) implements NbdMessage {}

    /**
     * One transmission request. {@code data} is the WRITE payload (empty otherwise), retained for
     * the handler, which must release it. {@code length} is unsigned 32-bit; {@code offset} is
     * unsigned 64-bit, so a negative value means "beyond any image".
     */
    record Request(int flags, int type, long cookie, long offset, long length, ByteBuf data) implements NbdMessage {}

    /** The stream cannot be parsed further (bad magic, oversized payload): close. */
    record Fatal(String why) implements NbdMessage {}
}
