package org.silo.wire.codec;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.silo.wire.SiloException;

/**
 * Reads big-endian fields from a byte array, bounds-checked: running past the end is a
 * {@link org.silo.wire.ErrorCode#MALFORMED} error, never an index exception.
 */
public final class WireReader {
    private final byte[] buf;
    private int pos;
    private final int limit;

    public WireReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    public WireReader(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.pos = offset;
        this.limit = offset + length;
    }

    public int remaining() {
        return limit - pos;
    }

    public boolean hasRemaining() {
        return pos < limit;
    }

    private void need(int n, String what) throws SiloException {
        if (n < 0 || limit - pos < n) {
            throw SiloException.malformed("truncated " + what + ": need " + n + " bytes, have " + (limit - pos));
        }
    }

    public int u8() throws SiloException {
        need(1, "u8");
        return buf[pos++] & 0xFF;
    }

    public int u16() throws SiloException {
        need(2, "u16");
        int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    public long u32() throws SiloException {
        need(4, "u32");
        long v = ((long) (buf[pos] & 0xFF) << 24)
                | ((buf[pos + 1] & 0xFF) << 16)
                | ((buf[pos + 2] & 0xFF) << 8)
                | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    public long u64() throws SiloException {
        need(8, "u64");
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos + i] & 0xFF);
        }
        pos += 8;
        return v;
    }

    /** A BER definite length (docs/protocol.md §2). */
    public int berLength() throws SiloException {
        return Ber.read(this);
    }

    public byte[] bytes(int n) throws SiloException {
        need(n, "field");
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    /** A BER length followed by that many bytes. */
    public byte[] lengthPrefixed() throws SiloException {
        return bytes(berLength());
    }

    /** A BER length followed by that many bytes of strict UTF-8. */
    public String utf8() throws SiloException {
        int n = berLength();
        need(n, "string");
        String s = decodeUtf8(buf, pos, n);
        pos += n;
        return s;
    }

    /** The rest of the data. */
    public byte[] rest() {
        byte[] out = Arrays.copyOfRange(buf, pos, limit);
        pos = limit;
        return out;
    }

    /** The rest of the data as strict UTF-8. */
    public String utf8Rest() throws SiloException {
        String s = decodeUtf8(buf, pos, limit - pos);
        pos = limit;
        return s;
    }

    /** Asserts that a fixed-layout value was read whole: trailing bytes are malformed. */
    public void expectEnd(String what) throws SiloException {
        if (pos != limit) {
            throw SiloException.malformed(what + ": " + (limit - pos) + " unexpected trailing bytes");
        }
    }

    private static String decodeUtf8(byte[] b, int off, int len) throws SiloException {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, off, len))
                    .toString();
        } catch (CharacterCodingException e) {
            throw SiloException.malformed("string is not valid UTF-8");
        }
    }
}
