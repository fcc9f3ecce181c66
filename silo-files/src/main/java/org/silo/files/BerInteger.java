package org.silo.files;

import org.silo.wire.SiloException;
import org.silo.wire.codec.WireReader;
import org.silo.wire.codec.WireWriter;

/**
 * A BER INTEGER without its tag (X.690 §8.3), seed 003's "asn1int": a BER length, then that many octets
 * of two's complement, big-endian, in the shortest form. Used for integer handles and a device name's
 * integer (docs/files.md, "BER INTEGER").
 */
public final class BerInteger {
    private BerInteger() {}

    /** The most octets Silo reads: a Java long. */
    public static final int MAX_OCTETS = 8;

    /** The content octets of {@code v}: as few as hold it with its sign bit. */
    public static byte[] octets(long v) {
        int n = 1;
        while (n < MAX_OCTETS && (v >> (8 * n - 1)) != 0 && (v >> (8 * n - 1)) != -1) {
            n++;
        }
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[n - 1 - i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    public static void write(long v, WireWriter w) {
        w.lengthPrefixed(octets(v));
    }

    public static long read(WireReader r) throws SiloException {
        return value(r.lengthPrefixed());
    }

    /** The value of content octets; INVALID if empty, longer than 8, or not the shortest form. */
    public static long value(byte[] b) throws SiloException {
        if (b.length == 0 || b.length > MAX_OCTETS) {
            throw SiloException.invalid("a BER INTEGER is 1 to " + MAX_OCTETS + " octets here, not " + b.length);
        }
        // X.690 8.3.2: the first nine bits are neither all zero nor all one
        if (b.length > 1 && ((b[0] == 0 && (b[1] & 0x80) == 0) || (b[0] == (byte) 0xFF && (b[1] & 0x80) != 0))) {
            throw SiloException.invalid("a BER INTEGER must be in its shortest form");
        }
        long v = b[0]; // sign-extended
        for (int i = 1; i < b.length; i++) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }
}
