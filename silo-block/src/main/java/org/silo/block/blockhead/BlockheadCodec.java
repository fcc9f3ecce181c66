package org.silo.block.blockhead;

import static org.silo.block.blockhead.BlockheadConstants.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bytes to {@link BlockheadPacket} and {@link BlockheadReply} to bytes. Stateless; every length is
 * checked exactly (the reference server checks none). Only the WRITE payload length depends on the
 * session's sector size, so the handler checks that one.
 */
public final class BlockheadCodec {
    private BlockheadCodec() {}

    /** Decodes one datagram without consuming it. Never throws on any input. */
    public static BlockheadPacket decode(ByteBuf in) {
        int base = in.readerIndex();
        int len = in.readableBytes();
        if (len == 0) {
            return new BlockheadPacket.Ignored("empty datagram");
        }
        int type = in.getUnsignedByte(base + OFF_TYPE);
        if (len == 1) {
            return type == TYPE_KEEP
                    ? new BlockheadPacket.Keep()
                    : new BlockheadPacket.Ignored("one-byte datagram of type " + type);
        }
        int seq = in.getUnsignedByte(base + OFF_SEQ);
        return switch (type) {
            case TYPE_CONNECT -> connect(in, base, len, seq);
            case TYPE_COMMAND -> command(in, base, len, seq);
            case TYPE_DISCON ->
                len == DISCON_LENGTH
                        ? new BlockheadPacket.Disconnect(seq, in.getUnsignedShort(base + OFF_SESSION))
                        : new BlockheadPacket.Malformed(seq, "DISCON of " + len + " bytes, not 4");
            case TYPE_KEEP -> new BlockheadPacket.Malformed(seq, "KEEP of " + len + " bytes, not 1");
            // A REPLY sent to a server is never answered: answering could loop two servers forever.
            case TYPE_REPLY -> new BlockheadPacket.Ignored("REPLY sent to the server");
            default -> new BlockheadPacket.Malformed(seq, "unknown type " + type);
        };
    }

    private static BlockheadPacket connect(ByteBuf in, int base, int len, int seq) {
        if (len < OFF_FILENAME + 1 || len > CONNECT_MAX_LENGTH) {
            return new BlockheadPacket.Malformed(seq, "CONNECT of " + len + " bytes");
        }
        int nameStart = base + OFF_FILENAME;
        int nul = in.indexOf(nameStart, base + len, (byte) 0);
        if (nul < 0) {
            return new BlockheadPacket.Malformed(seq, "CONNECT name without NUL within 256 bytes");
        }
        ByteBuffer raw = in.nioBuffer(nameStart, nul - nameStart);
        try {
            String name = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(raw)
                    .toString();
            return new BlockheadPacket.Connect(seq, in.getUnsignedByte(base + OFF_FLAGS), name);
        } catch (CharacterCodingException e) {
            return new BlockheadPacket.Malformed(seq, "CONNECT name is not UTF-8");
        }
    }

    private static BlockheadPacket command(ByteBuf in, int base, int len, int seq) {
        if (len < COMMAND_HEADER_LENGTH) {
            return new BlockheadPacket.Malformed(seq, "COMMAND of " + len + " bytes");
        }
        int op = in.getUnsignedByte(base + OFF_OPCODE);
        if (op != OP_READ && op != OP_WRITE) {
            return new BlockheadPacket.Malformed(seq, "unknown operation " + op);
        }
        if (op == OP_READ && len != COMMAND_HEADER_LENGTH) {
            return new BlockheadPacket.Malformed(seq, "READ of " + len + " bytes, not 10");
        }
        return new BlockheadPacket.Command(
                seq,
                in.getUnsignedShort(base + OFF_SESSION),
                op,
                in.getUnsignedInt(base + OFF_LSN),
                in.slice(base + OFF_WRDATA, len - OFF_WRDATA));
    }

    /** Encodes a reply into a new buffer from {@code alloc}. */
    public static ByteBuf encode(BlockheadReply reply, ByteBufAllocator alloc) {
        return switch (reply) {
            case BlockheadReply.Status s ->
                alloc.buffer(REPLY_LENGTH)
                        .writeByte(TYPE_REPLY)
                        .writeByte(s.seq())
                        .writeByte(s.error());
            case BlockheadReply.Connected c ->
                alloc.buffer(CONNECT_REPLY_LENGTH)
                        .writeByte(TYPE_REPLY)
                        .writeByte(c.seq())
                        .writeByte(ERR_OK)
                        .writeShort(c.session());
            case BlockheadReply.Sector s -> {
                ByteBuf data = s.data();
                ByteBuf out = alloc.buffer(OFF_RDDATA + data.readableBytes());
                out.writeByte(TYPE_REPLY).writeByte(s.seq()).writeByte(ERR_OK).writeByte(0);
                yield out.writeBytes(data, data.readerIndex(), data.readableBytes());
            }
            case BlockheadReply.Keep k -> alloc.buffer(1).writeByte(TYPE_KEEP);
        };
    }

    /**
     * A READ reply straight from the image's bytes, with no intermediate copy (the READ hot path);
     * the same bytes as {@code encode(new Sector(seq, data))}.
     */
    public static ByteBuf sectorReply(ByteBufAllocator alloc, int seq, java.nio.ByteBuffer data) {
        ByteBuf out = alloc.buffer(OFF_RDDATA + data.remaining());
        out.writeByte(TYPE_REPLY).writeByte(seq).writeByte(ERR_OK).writeByte(0);
        try {
            return out.writeBytes(data);
        } catch (RuntimeException | Error e) {
            out.release(); // a mapped read that faulted (InternalError) must not leak the buffer
            throw e;
        }
    }

    // --- Client side, for tests and the load driver ---

    /** Encodes a CONNECT: the name is UTF-8 with its NUL (no padding). */
    public static ByteBuf connect(ByteBufAllocator alloc, int seq, int flags, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return alloc.buffer(OFF_FILENAME + n.length + 1)
                .writeByte(TYPE_CONNECT)
                .writeByte(seq)
                .writeByte(flags)
                .writeBytes(n)
                .writeByte(0);
    }

    /** Encodes a COMMAND; {@code data} is null for READ. */
    public static ByteBuf command(ByteBufAllocator alloc, int seq, int session, int op, long lsn, byte[] data) {
        ByteBuf out = alloc.buffer(OFF_WRDATA + (data == null ? 0 : data.length));
        out.writeByte(TYPE_COMMAND)
                .writeByte(seq)
                .writeShort(session)
                .writeByte(op)
                .writeInt((int) lsn)
                .writeByte(0);
        return data == null ? out : out.writeBytes(data);
    }

    /** Encodes a DISCON. */
    public static ByteBuf disconnect(ByteBufAllocator alloc, int seq, int session) {
        return alloc.buffer(DISCON_LENGTH).writeByte(TYPE_DISCON).writeByte(seq).writeShort(session);
    }
}
