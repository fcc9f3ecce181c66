package org.silo.archive.aggregate;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.zip.Adler32;
import java.util.zip.CheckedInputStream;
import org.silo.archive.volume.Checksums;
import org.silo.archive.volume.ContentHash;

/**
 * Reads a whole container once, front to back, member by member in the order of their offsets: fsck,
 * a verify job, a put's {@code --verify} and a repack each read a container with one read (one GET on
 * S3) instead of one ranged read per member (docs/archive.md, "Containers"). The bytes between members
 * (headers, padding, deleted members, the manifest) are skipped.
 *
 * <pre>{@code
 * try (ContainerReader r = new ContainerReader(backend.open(containerCookie))) {
 *     for (Expected m : membersByOffset) {
 *         String problem = r.check(m);   // null: size and Adler-32 (and hash) as the catalog says
 *     }
 * }
 * }</pre>
 */
public final class ContainerReader implements AutoCloseable {
    /** What the catalog says of a member: where its data is, its size, Adler-32 and content hash ({@code ALG:HEX}, or null). */
    public record Expected(long offset, long size, String adler32, String hash) {}

    private final InputStream in;
    private long position;

    /** {@code in}: the container from its first byte (closed with this reader). */
    public ContainerReader(InputStream in) {
        this.in = in;
    }

    /** Where the reader is in the container. */
    public long position() {
        return position;
    }

    /**
     * The data of the member at {@code offset}, {@code size} bytes: the bytes before it are skipped. A member
     * before the reader's position (members out of order, or overlapping) is an error; so is a container that
     * ends before the member does (an {@link EOFException} when it is read).
     */
    public InputStream member(long offset, long size) throws IOException {
        if (offset < position) {
            throw new IOException(
                    "member at " + offset + " lies before the reader's position " + position + " in the container");
        }
        skip(offset - position);
        return new InputStream() {
            long left = size;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int r = in.read(b, off, (int) Math.min(len, left));
                if (r < 0) {
                    throw new EOFException(
                            "the container ends " + left + " bytes before the end of the member at " + offset);
                }
                left -= r;
                position += r;
                return r;
            }
        };
    }

    /**
     * Reads the member and compares it with what the catalog says: null if its size, Adler-32 and content
     * hash match, else what differs ({@code adler32 X, the catalog has Y}, or why it cannot be read).
     */
    public String check(Expected e) {
        Adler32 sum = new Adler32();
        String alg = e.hash() == null ? null : e.hash().substring(0, e.hash().indexOf(':'));
        MessageDigest md = alg == null ? null : ContentHash.digest(alg);
        long n = 0;
        try {
            InputStream m = new CheckedInputStream(member(e.offset(), e.size()), sum);
            InputStream r = md == null ? m : new DigestInputStream(m, md);
            byte[] buf = new byte[1 << 16];
            for (int k; (k = r.read(buf)) >= 0; ) {
                n += k;
            }
        } catch (EOFException x) {
            return "cut short: " + x.getMessage();
        } catch (IOException x) {
            return "cannot read: " + x.getMessage();
        }
        if (n != e.size()) {
            return "holds " + n + " bytes, the catalog says " + e.size();
        }
        if (!Checksums.hex(sum.getValue()).equals(e.adler32())) {
            return "adler32 " + Checksums.hex(sum.getValue()) + ", the catalog has " + e.adler32();
        }
        if (md != null) {
            String h = ContentHash.format(alg, md.digest());
            if (!h.equals(e.hash())) {
                return "content hash " + h + ", the catalog has " + e.hash();
            }
        }
        return null;
    }

    private void skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(1 << 16, Math.max(1, n))];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) {
                throw new EOFException(
                        "the container ends at " + position + ", before a member that starts " + n + " bytes further");
            }
            n -= r;
            position += r;
        }
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // read only
        }
    }
}
