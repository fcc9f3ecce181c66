package org.silo.block.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.silo.block.image.Extent;
import org.silo.block.image.FrozenImage;

/**
 * A snapshot read through its chain: the full snapshot at its root and the incremental ones after it, up to
 * the one wanted, each an open snapshot file. Every byte is read from the newest member whose table covers
 * it; a byte none covers is zero. What a restore reads, and what an {@code IMAGE@SNAP} export serves.
 *
 * <p>The tables are folded once, oldest first, into one map of pieces (a later extent replaces what it
 * covers), so a read finds its bytes with one lookup, whatever the chain's length.
 */
public final class SnapshotChain implements AutoCloseable {
    /** An open snapshot file: its table and where its bytes are (a file of its own, or a container's member). */
    public record Member(SnapshotFormat.Parsed parsed, FileChannel channel, long base) {
        public SnapshotFormat.Header header() {
            return parsed.header();
        }

        /** Opens the snapshot file at {@code base} in {@code channel}, {@code size} bytes long. */
        public static Member open(FileChannel channel, long base, long size) throws IOException {
            return new Member(SnapshotFormat.read(channel, base, size), channel, base);
        }

        /** The change blocks its extents cover (what an incremental snapshot after it must store again without it). */
        public BitSet blocks() {
            BitSet b = new BitSet();
            for (SnapshotFormat.Entry e : parsed.entries()) {
                FrozenImage.setBlocks(b, e.offset(), e.length());
            }
            return b;
        }
    }

    /** [start, end) read from {@code member} at {@code fileOffset} (for start), or zeros when member < 0. */
    private record Piece(long start, long end, int member, long fileOffset) {}

    private final List<Member> members;
    private final Runnable afterClose;
    private final long size;
    private final TreeMap<Long, Piece> pieces = new TreeMap<>();

    /**
     * @param members oldest first: each one's parent is the one before it; the first is full, unless
     *     {@code partial}, which reads only what the members themselves hold (a merge of two of them)
     */
    public SnapshotChain(List<Member> members, boolean partial) throws IOException {
        this(members, partial, () -> {});
    }

    /** As {@link #SnapshotChain(List, boolean)}; {@code afterClose} runs once the members' files are closed. */
    public SnapshotChain(List<Member> members, boolean partial, Runnable afterClose) throws IOException {
        this.afterClose = afterClose;
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a chain has at least one snapshot");
        }
        this.members = List.copyOf(members);
        this.size = members.getFirst().header().imageSize();
        if (!partial && members.getFirst().header().incremental()) {
            throw new IOException("the chain's first snapshot is incremental: its parent is missing");
        }
        for (int i = 0; i < members.size(); i++) {
            SnapshotFormat.Header h = members.get(i).header();
            if (i > 0 && !members.get(i - 1).header().uid().equals(h.parent())) {
                throw new IOException("snapshot " + h.uid() + " is not the child of "
                        + members.get(i - 1).header().uid());
            }
            if (h.imageSize() != size) {
                throw new IOException("snapshot " + h.uid() + " is of an image of " + h.imageSize()
                        + " bytes, its parent of " + size);
            }
            for (SnapshotFormat.Entry e : members.get(i).parsed().entries()) {
                put(new Piece(e.offset(), e.end(), e.zero() ? -1 : i, e.fileOffset()));
            }
        }
    }

    private void put(Piece p) {
        Map.Entry<Long, Piece> before = pieces.lowerEntry(p.start());
        if (before != null && before.getValue().end() > p.start()) {
            Piece b = before.getValue();
            pieces.put(b.start(), new Piece(b.start(), p.start(), b.member(), b.fileOffset()));
            if (b.end() > p.end()) {
                pieces.put(p.end(), tail(b, p.end()));
            }
        }
        for (Piece q = at(p.start()); q != null && q.start() < p.end(); q = at(q.start())) {
            pieces.remove(q.start());
            if (q.end() > p.end()) {
                pieces.put(p.end(), tail(q, p.end()));
                break;
            }
        }
        pieces.put(p.start(), p);
    }

    private Piece at(long from) {
        Map.Entry<Long, Piece> e = pieces.ceilingEntry(from);
        return e == null ? null : e.getValue();
    }

    private static Piece tail(Piece p, long from) {
        return new Piece(
                from, p.end(), p.member(), p.member() < 0 ? p.fileOffset() : p.fileOffset() + (from - p.start()));
    }

    public long size() {
        return size;
    }

    /** The newest member: the snapshot this chain reads. */
    public SnapshotFormat.Header head() {
        return members.getLast().header();
    }

    /** Fills {@code dst} with the snapshot's bytes from {@code position}. */
    public void read(ByteBuffer dst, long position) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            Map.Entry<Long, Piece> e = pieces.floorEntry(pos);
            Piece p = e == null || e.getValue().end() <= pos ? null : e.getValue();
            long stop;
            if (p == null) {
                Long next = pieces.higherKey(pos);
                stop = next == null ? size : next;
            } else {
                stop = p.end();
            }
            int n = (int) Math.min(dst.remaining(), stop - pos);
            if (p == null || p.member() < 0) {
                for (int i = 0; i < n; i++) {
                    dst.put((byte) 0);
                }
            } else {
                Member m = members.get(p.member());
                ByteBuffer part = dst.slice(dst.position(), n);
                SnapshotFormat.readFully(m.channel(), part, m.base() + p.fileOffset() + (pos - p.start()));
                dst.position(dst.position() + n);
            }
            pos += n;
        }
    }

    /** Data and hole extents of a range, at most {@code max}: data where a member holds bytes, holes elsewhere. */
    public List<Extent> extents(long position, long length, int max) {
        List<Extent> out = new ArrayList<>();
        long end = position + length;
        long pos = position;
        while (pos < end && out.size() <= max) {
            Map.Entry<Long, Piece> e = pieces.floorEntry(pos);
            Piece p = e == null || e.getValue().end() <= pos ? null : e.getValue();
            long stop;
            if (p == null) {
                Long next = pieces.higherKey(pos);
                stop = next == null ? end : Math.min(next, end);
            } else {
                stop = Math.min(p.end(), end);
            }
            boolean hole = p == null || p.member() < 0;
            Extent last = out.isEmpty() ? null : out.getLast();
            if (last != null && last.hole() == hole) {
                out.set(out.size() - 1, new Extent(last.offset(), stop - last.offset(), hole));
            } else {
                if (out.size() == max) {
                    break;
                }
                out.add(new Extent(pos, stop - pos, hole));
            }
            pos = stop;
        }
        return out;
    }

    /**
     * Writes what this chain holds as one snapshot (thinning: the merge of a snapshot into its child): its
     * data pieces as data, its zero pieces as ZERO extents (dropped when {@code w} writes a full snapshot).
     */
    public void writeTo(SnapshotWriter w) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        for (Piece p : pieces.values()) {
            if (p.member() < 0) {
                w.zero(p.start(), p.end() - p.start());
                continue;
            }
            for (long at = p.start(); at < p.end(); ) {
                buf.clear().limit((int) Math.min(buf.capacity(), p.end() - at));
                read(buf, at);
                buf.flip();
                w.data(at, buf);
                at += buf.limit();
            }
        }
    }

    /** The change blocks the members' extents cover. */
    public BitSet blocks() {
        BitSet b = new BitSet();
        members.forEach(m -> b.or(m.blocks()));
        return b;
    }

    /** Closes every member's file, then runs what was to run after. */
    @Override
    public void close() throws IOException {
        try {
            closeMembers();
        } finally {
            afterClose.run();
        }
    }

    private void closeMembers() throws IOException {
        IOException first = null;
        for (Member m : members) {
            try {
                m.channel().close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
