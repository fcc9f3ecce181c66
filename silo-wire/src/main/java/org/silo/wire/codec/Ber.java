package org.silo.wire.codec;

import org.silo.wire.SiloException;

/**
 * ASN.1 BER definite lengths (X.690 §8.1.3), as seed 003's "asn1length": below 128 one octet;
 * otherwise {@code 0x80 | k} and k big-endian octets. Silo writes the shortest form and reads any
 * definite form of 1..4 length octets up to 2^31-1; the indefinite form {@code 0x80} is malformed.
 */
public final class Ber {
    private Ber() {}

    public static final int MAX_LENGTH = Integer.MAX_VALUE;

    /** How many octets {@link #write} uses for this length. */
    public static int size(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
        if (length < 0x80) {
            return 1;
        }
        return 1 + (4 - Integer.numberOfLeadingZeros(length) / 8);
    }

    public static void write(WireWriter out, int length) {
        int n = size(length);
        if (n == 1) {
            out.u8(length);
            return;
        }
        out.u8(0x80 | (n - 1));
        for (int i = n - 2; i >= 0; i--) {
            out.u8(length >>> (8 * i));
        }
    }

    public static int read(WireReader in) throws SiloException {
        int first = in.u8();
        if (first < 0x80) {
            return first;
        }
        int k = first & 0x7F;
        if (k == 0) {
            throw SiloException.malformed("BER indefinite length is not allowed");
        }
        if (k > 4) {
            throw SiloException.malformed("BER length of " + k + " octets is too long");
        }
        long v = 0;
        for (int i = 0; i < k; i++) {
            v = (v << 8) | in.u8();
        }
        if (v > MAX_LENGTH) {
            throw SiloException.malformed("BER length " + v + " exceeds 2^31-1");
        }
        return (int) v;
    }
}
