package org.silo.wire.codec;

import static org.silo.wire.WireConstants.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Scram;

/**
 * Frames to bytes and back (docs/protocol.md §1). Stateless. Decoding checks length, CRC32C, version
 * and flags, in that order, and reports the first fault as {@link FrameException} with a reason the
 * endpoint counts.
 */
public final class FrameCodec {
    private FrameCodec() {}

    /** Why a frame was refused; each has a counter. */
    public enum Fault {
        SHORT,
        OVERSIZE,
        CRC,
        VERSION,
        FLAGS
    }

    /** A frame that cannot be decoded. */
    public static final class FrameException extends Exception {
        private static final long serialVersionUID = 1L;
        private final Fault fault;

        FrameException(Fault fault, String message) {
            super(message, null, false, false);
            this.fault = fault;
        }

        public Fault fault() {
            return fault;
        }
    }

    public static byte[] encode(Frame f) {
        byte[] out = new byte[f.encodedSize()];
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.BIG_ENDIAN);
        b.put((byte) FRAME_VERSION)
                .put((byte) f.flags())
                .putLong(f.session())
                .putLong(f.requestId())
                .putLong(f.released())
                .put(f.body())
                .put(f.tag());
        b.putInt((int) crc(out, 0, out.length - TRAILER_LENGTH));
        return out;
    }

    public static Frame decode(byte[] buf) throws FrameException {
        return decode(ByteBuffer.wrap(buf));
    }

    /** Decodes the remaining bytes of {@code in} as one frame; the buffer's position is not moved. */
    public static Frame decode(ByteBuffer in) throws FrameException {
        ByteBuffer b = in.duplicate().order(ByteOrder.BIG_ENDIAN);
        int len = b.remaining();
        if (len < MIN_FRAME) {
            throw new FrameException(Fault.SHORT, "frame of " + len + " bytes is shorter than " + MIN_FRAME);
        }
        int start = b.position();
        int bodyEnd = start + len - TRAILER_LENGTH;
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().limit(bodyEnd));
        int expected = b.getInt(bodyEnd);
        if ((int) crc.getValue() != expected) {
            throw new FrameException(Fault.CRC, "CRC32C mismatch");
        }
        int version = b.get(start) & 0xFF;
        if (version != FRAME_VERSION) {
            throw new FrameException(Fault.VERSION, "frame version " + version + " is not supported");
        }
        int flags = b.get(start + OFFSET_FLAGS) & 0xFF;
        boolean request = (flags & FLAG_REQUEST) != 0;
        boolean reply = (flags & FLAG_REPLY) != 0;
        if ((flags & ~KNOWN_FLAGS) != 0 || request == reply) {
            throw new FrameException(Fault.FLAGS, "bad flags 0x" + Integer.toHexString(flags));
        }
        int tagLength = (flags & FLAG_MAC) != 0 ? TAG_LENGTH : 0;
        if (len < MIN_FRAME + tagLength) {
            throw new FrameException(Fault.SHORT, "frame of " + len + " bytes is too short for its tag");
        }
        long session = b.getLong(start + OFFSET_SESSION);
        long requestId = b.getLong(start + OFFSET_REQUEST);
        long released = b.getLong(start + OFFSET_RELEASED);
        byte[] body = new byte[bodyEnd - tagLength - start - HEADER_LENGTH];
        b.get(start + HEADER_LENGTH, body);
        byte[] tag = new byte[tagLength];
        b.get(bodyEnd - tagLength, tag);
        return new Frame(flags, session, requestId, released, body, tag);
    }

    /** The frame with its MAC tag: HMAC-SHA256 over header and body, first 16 bytes. */
    public static Frame sign(Frame f, byte[] key) {
        return f.withTag(tag(f, key));
    }

    /** Whether the frame carries a tag and the tag is right for this key. */
    public static boolean verify(Frame f, byte[] key) {
        return f.isSigned() && MessageDigest.isEqual(tag(f, key), f.tag());
    }

    private static byte[] tag(Frame f, byte[] key) {
        ByteBuffer signed = ByteBuffer.allocate(HEADER_LENGTH + f.body().length);
        signed.put((byte) FRAME_VERSION)
                .put((byte) (f.flags() | FLAG_MAC))
                .putLong(f.session())
                .putLong(f.requestId())
                .putLong(f.released())
                .put(f.body());
        return Arrays.copyOf(Scram.hmac(key, signed.array()), TAG_LENGTH);
    }

    /** CRC32C of the body alone: the reply cache's fingerprint of a request. */
    public static int bodyCrc(Frame f) {
        return (int) crc(f.body(), 0, f.body().length);
    }

    private static long crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return c.getValue();
    }

    /** The body of a REPLY + ERROR frame. */
    public static byte[] errorBody(ErrorCode code, String text) {
        return new WireWriter(2 + text.length()).u16(code.code()).utf8Rest(text).toByteArray();
    }

    /** The body of a REPLY + WAIT frame. */
    public static byte[] waitBody(long millis) {
        return new WireWriter(4).u32(millis).toByteArray();
    }

    /** Reads the body of a REPLY + ERROR frame as the exception it stands for. */
    public static SiloException readError(Frame f) {
        try {
            WireReader r = new WireReader(f.body());
            ErrorCode code = ErrorCode.of(r.u16());
            String text = new String(r.rest(), StandardCharsets.UTF_8);
            return SiloException.of(code, text.isEmpty() ? code.name() : text);
        } catch (SiloException e) {
            return e;
        }
    }
}
