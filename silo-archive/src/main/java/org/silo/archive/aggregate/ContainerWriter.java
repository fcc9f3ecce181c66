package org.silo.archive.aggregate;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Adler32;
import org.silo.archive.volume.Checksums;
import org.silo.archive.volume.ContentHash;

/**
 * Writes a container: small files one after another as tar members, then the manifest, then the end
 * of the archive ({@link Tar}). Each member's data offset is known as it is written, so the catalog
 * can point at the member's bytes and a read of one member is one ranged read.
 *
 * <pre>{@code
 * ContainerWriter w = new ContainerWriter(out, "vol0001", "0000_000000000_0000042", now);
 * Member m = w.add("exp/a.dat", size, in, "alice", null);   // exactly size bytes of in; no content hash
 * ...
 * long length = w.finish();                                  // manifest and end blocks
 * }</pre>
 *
 * <p>Not thread-safe; one writer per container. The caller makes the bytes durable (fsync, upload).
 */
public final class ContainerWriter {
    private static final byte[] ZEROS = new byte[Tar.END];

    /**
     * One member as written: the offset of its first header block, of its first data byte, its size,
     * Adler-32 (8 hex digits) and content hash (null when none was asked for).
     */
    public record Member(
            String name, long headerOffset, long dataOffset, long size, String adler32, String hash, String owner) {}

    private final OutputStream out;
    private final String volume;
    private final String cookie;
    private final long mtimeSeconds;
    private final List<Member> members = new ArrayList<>();
    private final byte[] buf = new byte[1 << 16];
    private long position;
    private boolean finished;

    /**
     * @param out    where the container's bytes go (buffered by the caller)
     * @param volume the volume's label, for the manifest
     * @param cookie the container's location cookie, for the manifest
     * @param mtimeMillis the members' modification time
     */
    public ContainerWriter(OutputStream out, String volume, String cookie, long mtimeMillis) {
        this.out = out;
        this.volume = volume;
        this.cookie = cookie;
        this.mtimeSeconds = mtimeMillis / 1000;
    }

    /** Bytes written so far. */
    public long position() {
        return position;
    }

    public List<Member> members() {
        return List.copyOf(members);
    }

    /**
     * Appends a member of exactly {@code size} bytes read from {@code in}, computing its Adler-32 (and
     * its content hash, {@code ALG:HEX}, when {@code hashAlg} is md5 or sha256). {@code name} is the namespace path without its
     * leading '/'. An end of stream before {@code size} bytes is an {@link EOFException}; the container
     * is then unusable (the caller abandons it).
     */
    public Member add(String name, long size, InputStream in, String owner, String hashAlg) throws IOException {
        if (finished) {
            throw new IllegalStateException("container already finished");
        }
        long header = position;
        write(Tar.headers(name, size, mtimeSeconds, owner));
        long data = position;
        Adler32 sum = new Adler32();
        MessageDigest digest = hashAlg == null ? null : ContentHash.digest(hashAlg);
        long left = size;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                throw new EOFException("the stream ended " + left + " bytes short of " + name + "'s " + size);
            }
            sum.update(buf, 0, r);
            if (digest != null) {
                digest.update(buf, 0, r);
            }
            out.write(buf, 0, r);
            position += r;
            left -= r;
        }
        write(ZEROS, Tar.padding(size));
        Member m = new Member(
                name,
                header,
                data,
                size,
                Checksums.hex(sum.getValue()),
                digest == null ? null : ContentHash.format(hashAlg, digest.digest()),
                owner);
        members.add(m);
        return m;
    }

    /** Takes the member written last out again: {@code rewind} cuts the output back to where it began. */
    public interface Rewind {
        void to(long position) throws IOException;
    }

    /**
     * Takes out the member written last (the client gave it up, or its checksum was wrong): the output is
     * cut back to its first header block, and the next member goes there.
     */
    public void dropLast(Rewind rewind) throws IOException {
        Member last = members.remove(members.size() - 1);
        rewind.to(last.headerOffset());
        position = last.headerOffset();
    }

    /** Whether any member is written. */
    public boolean isEmpty() {
        return members.isEmpty();
    }

    /**
     * Writes the manifest member and the two end blocks; returns the container's length. The manifest
     * is the last member so that it can list every member written before it (a container is written
     * as a stream, its members not known in advance).
     */
    public long finish() throws IOException {
        byte[] manifest = Manifest.format(volume, cookie, members);
        write(Tar.headers(Manifest.name(cookie), manifest.length, mtimeSeconds, "silo"));
        write(manifest);
        write(ZEROS, Tar.padding(manifest.length));
        write(ZEROS, Tar.END);
        out.flush();
        finished = true;
        return position;
    }

    private void write(byte[] b) throws IOException {
        write(b, b.length);
    }

    private void write(byte[] b, int n) throws IOException {
        out.write(b, 0, n);
        position += n;
    }
}
