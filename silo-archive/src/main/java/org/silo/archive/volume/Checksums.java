package org.silo.archive.volume;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.Adler32;

/**
 * Adler-32 as Enstore keeps it: seeded with 1 (the standard start value, so {@link Adler32} as is),
 * written as 8 lower-case hex digits.
 */
public final class Checksums {
    private Checksums() {}

    public static String adler32(byte[] data) {
        Adler32 a = new Adler32();
        a.update(data);
        return hex(a.getValue());
    }

    /** Reads the stream to its end; returns the checksum and, through {@code size[0]}, the byte count. */
    public static String adler32(InputStream in, long[] size) throws IOException {
        Adler32 a = new Adler32();
        byte[] buf = new byte[64 * 1024];
        long n = 0;
        for (int r; (r = in.read(buf)) >= 0; ) {
            a.update(buf, 0, r);
            n += r;
        }
        size[0] = n;
        return hex(a.getValue());
    }

    public static String hex(long v) {
        return String.format("%08x", v & 0xFFFFFFFFL);
    }

    public static boolean isHex8(String s) {
        return s != null && s.matches("[0-9a-f]{8}");
    }
}
