package org.silo.wire.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Writes big-endian fields into a growing byte array. */
public final class WireWriter {
    private byte[] buf;
    private int pos;

    public WireWriter() {
        this(64);
    }

    public WireWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(int n) {
        if (buf.length - pos < n) {
            long want = Math.max((long) buf.length * 2, (long) pos + n);
            if (want > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("message too large: " + want + " bytes");
            }
            buf = Arrays.copyOf(buf, (int) want);
        }
    }

    public int size() {
        return pos;
    }

    public WireWriter u8(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
        return this;
    }

    public WireWriter u16(int v) {
        ensure(2);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
        return this;
    }

    public WireWriter u32(long v) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buf[pos++] = (byte) (v >>> shift);
        }
        return this;
    }

    public WireWriter u64(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[pos++] = (byte) (v >>> shift);
        }
        return this;
    }

    public WireWriter berLength(int length) {
        Ber.write(this, length);
        return this;
    }

    public WireWriter bytes(byte[] b) {
        return bytes(b, 0, b.length);
    }

    public WireWriter bytes(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
        return this;
    }

    /** A BER length followed by the bytes. */
    public WireWriter lengthPrefixed(byte[] b) {
        berLength(b.length);
        return bytes(b);
    }

    /** A BER length followed by the UTF-8 bytes of the string. */
    public WireWriter utf8(String s) {
        return lengthPrefixed(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The UTF-8 bytes of the string, unprefixed (for a string that runs to the end of its data). */
    public WireWriter utf8Rest(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }
}
