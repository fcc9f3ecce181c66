package org.silo.block.nbd;

import static org.silo.block.nbd.NbdConstants.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.silo.block.image.Extent;

/** Stateless parsing and encoding of NBD frames (layouts in {@link NbdConstants}). */
public final class NbdCodec {
    private NbdCodec() {}

    /** The fixed 28-byte request header. */
    public record RequestHeader(int magic, int flags, int type, long cookie, long offset, long length) {}

    /** NBD_OPT_INFO / NBD_OPT_GO data: export name and requested NBD_INFO_* items. */
    public record InfoRequest(String name, List<Integer> items) {}

    /** LIST_META_CONTEXT / SET_META_CONTEXT data: export name and queries. */
    public record MetaContextRequest(String name, List<String> queries) {}

    public static RequestHeader requestHeader(ByteBuf in, int at) {
        return new RequestHeader(
                in.getInt(at),
                in.getUnsignedShort(at + 4),
                in.getUnsignedShort(at + 6),
                in.getLong(at + 8),
                in.getLong(at + 16),
                in.getUnsignedInt(at + 24));
    }

    /** Parses INFO/GO data: u32 namelen, name, u16 n, u16 items[n]; null when malformed. */
    public static InfoRequest infoRequest(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data);
        String name = string(b);
        if (name == null || b.remaining() < 2) {
            return null;
        }
        int n = Short.toUnsignedInt(b.getShort());
        if (b.remaining() != 2 * n) {
            return null;
        }
        List<Integer> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            items.add(Short.toUnsignedInt(b.getShort()));
        }
        return new InfoRequest(name, items);
    }

    /** Parses meta context data: u32 namelen, name, u32 n, n x (u32 len, query); null if bad. */
    public static MetaContextRequest metaContextRequest(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data);
        String name = string(b);
        if (name == null || b.remaining() < 4) {
            return null;
        }
        long n = Integer.toUnsignedLong(b.getInt());
        List<String> queries = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            String q = string(b);
            if (q == null) {
                return null;
            }
            queries.add(q);
        }
        return b.hasRemaining() ? null : new MetaContextRequest(name, queries);
    }

    /** A u32-length-prefixed UTF-8 string, or null when it overruns or is not UTF-8. */
    private static String string(ByteBuffer b) {
        if (b.remaining() < 4) {
            return null;
        }
        long len = Integer.toUnsignedLong(b.getInt());
        if (len > b.remaining()) {
            return null;
        }
        ByteBuffer raw = b.slice(b.position(), (int) len);
        b.position(b.position() + (int) len);
        return utf8(raw);
    }

    /** Strict UTF-8, or null. */
    public static String utf8(ByteBuffer raw) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(raw)
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    // --- Handshake, server side ---

    public static ByteBuf greeting(ByteBufAllocator alloc) {
        return alloc.buffer(18)
                .writeLong(NBDMAGIC)
                .writeLong(IHAVEOPT)
                .writeShort(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES);
    }

    public static ByteBuf optionReply(ByteBufAllocator alloc, int option, int type, byte[] data) {
        return alloc.buffer(20 + data.length)
                .writeLong(OPTION_REPLY_MAGIC)
                .writeInt(option)
                .writeInt(type)
                .writeInt(data.length)
                .writeBytes(data);
    }

    /** REP_SERVER data for LIST: u32 namelen, name. */
    public static byte[] serverEntry(String name) {
        return serverEntry(name, null);
    }

    /**
     * REP_SERVER data for LIST: u32 namelen, name, then the description in UTF-8 up to the end of the
     * reply (no length, no NUL; none when null or empty). proto.md: the bytes after the name are
     * "suitable for direct display to a human being"; libnbd keeps them as the export's description
     * ({@code nbd_get_list_export_description}), which {@code nbdinfo --list} prints.
     */
    public static byte[] serverEntry(String name, String description) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] d = description == null ? new byte[0] : utf8Bytes(description, MAX_STRING);
        return ByteBuffer.allocate(4 + n.length + d.length)
                .putInt(n.length)
                .put(n)
                .put(d)
                .array();
    }

    /** NBD_INFO_EXPORT: u16 0, u64 size, u16 transmission flags. */
    public static byte[] infoExport(long size, int flags) {
        return ByteBuffer.allocate(12)
                .putShort((short) INFO_EXPORT)
                .putLong(size)
                .putShort((short) flags)
                .array();
    }

    /** NBD_INFO_NAME: u16 1, name. */
    public static byte[] infoName(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + n.length)
                .putShort((short) INFO_NAME)
                .put(n)
                .array();
    }

    /** NBD_INFO_DESCRIPTION: u16 2, description in UTF-8 to the end of the reply (no length, no NUL). */
    public static byte[] infoDescription(String description) {
        byte[] d = utf8Bytes(description, MAX_STRING);
        return ByteBuffer.allocate(2 + d.length)
                .putShort((short) INFO_DESCRIPTION)
                .put(d)
                .array();
    }

    /**
     * UTF-8 of at most {@code max} bytes, cut before the character that would go over (proto.md: no
     * string is over 4096 bytes, and clients such as qemu refuse longer ones).
     */
    static byte[] utf8Bytes(String s, int max) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= max) {
            return b;
        }
        int end = max;
        while (end > 0 && (b[end] & 0xC0) == 0x80) {
            end--; // b[end] continues the character before it: cut before that character
        }
        return java.util.Arrays.copyOf(b, end);
    }

    /** NBD_INFO_BLOCK_SIZE: u16 3, u32 minimum, u32 preferred, u32 maximum. */
    public static byte[] infoBlockSize(int min, int preferred, int max) {
        return ByteBuffer.allocate(14)
                .putShort((short) INFO_BLOCK_SIZE)
                .putInt(min)
                .putInt(preferred)
                .putInt(max)
                .array();
    }

    /** REP_META_CONTEXT data: u32 id, name. */
    public static byte[] metaContext(int id, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + n.length).putInt(id).put(n).array();
    }

    /** The reply to NBD_OPT_EXPORT_NAME. */
    public static ByteBuf exportNameReply(ByteBufAllocator alloc, long size, int flags, boolean noZeroes) {
        ByteBuf out = alloc.buffer(134).writeLong(size).writeShort(flags);
        return noZeroes ? out : out.writeZero(124);
    }

    // --- Transmission, server side ---

    /** Simple reply header; READ data, if any, follows. */
    public static ByteBuf simpleReply(ByteBuf out, int error, long cookie) {
        return out.writeInt(SIMPLE_REPLY_MAGIC).writeInt(error).writeLong(cookie);
    }

    /** Structured chunk header; {@code length} bytes of payload follow. */
    public static ByteBuf chunkHeader(ByteBuf out, int flags, int type, long cookie, int length) {
        return out.writeInt(STRUCTURED_REPLY_MAGIC)
                .writeShort(flags)
                .writeShort(type)
                .writeLong(cookie)
                .writeInt(length);
    }

    /** A final NBD_REPLY_TYPE_ERROR chunk: u32 error, u16 message length, message. */
    public static ByteBuf errorChunk(ByteBufAllocator alloc, long cookie, int error, String message) {
        byte[] m = message.getBytes(StandardCharsets.UTF_8);
        ByteBuf out = alloc.buffer(26 + m.length);
        chunkHeader(out, REPLY_FLAG_DONE, REPLY_TYPE_ERROR, cookie, 6 + m.length);
        return out.writeInt(error).writeShort(m.length).writeBytes(m);
    }

    /** A final NBD_REPLY_TYPE_BLOCK_STATUS chunk for base:allocation. */
    public static ByteBuf blockStatusChunk(ByteBufAllocator alloc, long cookie, int contextId, List<Extent> extents) {
        int length = 4 + 8 * extents.size();
        ByteBuf out = alloc.buffer(20 + length);
        chunkHeader(out, REPLY_FLAG_DONE, REPLY_TYPE_BLOCK_STATUS, cookie, length)
                .writeInt(contextId);
        for (Extent e : extents) {
            out.writeInt((int) e.length()).writeInt(e.hole() ? STATE_HOLE | STATE_ZERO : 0);
        }
        return out;
    }
}
