package org.silo.archive.aggregate;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.Adler32;
import org.silo.archive.volume.Checksums;

/**
 * Reads a container from its first byte to its end, header by header, as {@code tar t} would, and
 * computes each member's Adler-32 on the way: what fsck, verify and a repair after a crash need to
 * know of a container without trusting the catalog.
 *
 * <p>A container cut short (a crash while it was written, a full disk) ends without its two zero
 * blocks, or in the middle of a member: {@link Result#complete()} is then false and
 * {@link Result#wholeLength()} says where the last whole member ends.
 */
public final class ContainerScan {
    private ContainerScan() {}

    /** A member found: its tar name, where its header and data start, its size and Adler-32. */
    public record Found(String name, long headerOffset, long dataOffset, long size, String adler32) {}

    /**
     * @param members     every regular-file member found whole, manifest included
     * @param complete    the end-of-archive blocks were found after whole members, every header checksum right
     * @param wholeLength the bytes up to the end of the last whole member
     * @param problem     why it is not complete (null when it is)
     */
    public record Result(List<Found> members, boolean complete, long wholeLength, String problem) {
        /** The manifest's entries, or an empty list when it is missing. */
        public Found manifest() {
            for (Found f : members) {
                if (Manifest.isManifest(f.name())) {
                    return f;
                }
            }
            return null;
        }
    }

    /** Scans {@code in} (positioned at the container's first byte) to its end. */
    public static Result scan(InputStream in) throws IOException {
        List<Found> found = new ArrayList<>();
        byte[] block = new byte[Tar.BLOCK];
        byte[] buf = new byte[1 << 16];
        long pos = 0;
        long whole = 0;
        Map<String, String> pax = Map.of();
        long memberStart = -1;
        while (true) {
            if (!readFully(in, block)) {
                return new Result(found, false, whole, "ends at byte " + pos + " without the end-of-archive blocks");
            }
            Tar.Header h = Tar.parse(block, 0);
            long headerAt = pos;
            pos += Tar.BLOCK;
            if (h.zero()) {
                if (!readFully(in, block) || !Tar.parse(block, 0).zero()) {
                    return new Result(found, false, whole, "one zero block at " + headerAt + " but not two");
                }
                return new Result(found, true, whole, null);
            }
            if (!h.checksumOk()) {
                return new Result(found, false, whole, "bad header checksum at byte " + headerAt);
            }
            if (memberStart < 0) {
                memberStart = headerAt;
            }
            long size = pax.containsKey("size") ? parseLong(pax.get("size"), h.size()) : h.size();
            if (h.type() == Tar.TYPE_PAX) {
                byte[] data = new byte[(int) Math.min(size, 1 << 20)];
                if (size > data.length || !readFully(in, data) || !skip(in, Tar.padding(size), buf)) {
                    return new Result(found, false, whole, "pax header at " + headerAt + " cut short or too large");
                }
                pos += Tar.padded(size);
                pax = Tar.parsePax(data);
                continue;
            }
            String name = pax.getOrDefault("path", h.name());
            pax = Map.of();
            Adler32 sum = new Adler32();
            long left = size;
            while (left > 0) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) {
                    return new Result(found, false, whole, "member " + name + " at " + headerAt + " cut short");
                }
                sum.update(buf, 0, r);
                left -= r;
            }
            if (!skip(in, Tar.padding(size), buf)) {
                return new Result(
                        found, false, whole, "member " + name + " at " + headerAt + " cut short in its padding");
            }
            long dataAt = pos;
            pos += Tar.padded(size);
            if (h.type() == Tar.TYPE_FILE || h.type() == 0) {
                found.add(new Found(name, memberStart, dataAt, size, Checksums.hex(sum.getValue())));
            }
            memberStart = -1;
            whole = pos;
        }
    }

    private static long parseLong(String s, long otherwise) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static boolean readFully(InputStream in, byte[] b) throws IOException {
        int n = 0;
        while (n < b.length) {
            int r = in.read(b, n, b.length - n);
            if (r < 0) {
                return false;
            }
            n += r;
        }
        return true;
    }

    private static boolean skip(InputStream in, long n, byte[] buf) throws IOException {
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) {
                return false;
            }
            n -= r;
        }
        return true;
    }
}
