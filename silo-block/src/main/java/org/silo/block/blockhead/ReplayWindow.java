package org.silo.block.blockhead;

import io.netty.buffer.ByteBuf;

/**
 * One session's recent COMMANDs and their replies, so that a retransmitted or duplicated datagram is
 * answered from the saved reply and never executed twice, while a new request that reuses a
 * sequence number is executed.
 *
 * <p>Seed 001 only says that "sequence numbers are transmitted from commanding clients to the
 * server"; it does not say that they increase. Keying on the number alone fails both ways (issue
 * 12): remembering only the last number re-executes a delayed duplicate of an older WRITE after a
 * newer one (the image rolls back), and a client that never increments gets the last reply back for
 * a different request. So, as ONC RPC reply caches key on the xid and a checksum of the call
 * (notes/message-layer.md), an entry here is keyed by the sequence number <em>and</em> the request
 * itself (operation, LSN and, for a WRITE, the sector compared byte for byte):
 *
 * <ul>
 *   <li>an identical repeat of a request inside the window gets the saved reply;
 *   <li>a different request under a number in the window is executed and replaces the entry.
 * </ul>
 *
 * <p>The window is the {@value #SIZE} numbers up to the newest one seen: half of the 8-bit number
 * space, the most that keeps "newer" and "older" apart. A number up to {@value #SIZE} ahead of the
 * newest moves the window forward, and the slots it moves over are cleared, because they hold the
 * requests of the previous lap (256 numbers ago) and must not be mistaken for this lap's. Any other
 * number is in the window. So for a client that numbers its requests one after another, a duplicate
 * is recognised as long as fewer than {@value #SIZE} newer requests have been sent since its
 * original; docs/block.md says what a client must do.
 *
 * <p>Confined to the handler's thread. Memory: at most {@value #SIZE} live entries, each the request
 * key (plus the sector of a WRITE) and a retained reply.
 */
final class ReplayWindow {
    /** Numbers in the window: the newest and the 127 before it. */
    static final int SIZE = 128;

    private static final int NUMBERS = 256;
    private static final long EMPTY = -1;

    /** Per sequence number: {@code op << 32 | lsn}, or {@link #EMPTY}. */
    private final long[] keys = new long[NUMBERS];
    /** Per sequence number: the sector of a WRITE (reused between laps), null for none yet. */
    private final byte[][] sectors = new byte[NUMBERS][];

    private final ByteBuf[] replies = new ByteBuf[NUMBERS];
    private int newest;
    private boolean used;

    /** A window whose newest number is {@code start}, the CONNECT's: the first command may reuse it. */
    ReplayWindow(int start) {
        java.util.Arrays.fill(keys, EMPTY);
        newest = start & 0xff;
    }

    /** Whether any COMMAND has been recorded (a CONNECT retried after that is a new mount). */
    boolean used() {
        return used;
    }

    /**
     * The saved reply (a retained duplicate, the caller sends and releases it) when this command is an
     * identical repeat of one in the window; null when it must be executed.
     */
    ByteBuf replay(BlockheadPacket.Command c) {
        int seq = c.seq() & 0xff;
        if (!inWindow(seq) || keys[seq] != key(c) || !sameSector(seq, c.data())) {
            return null;
        }
        return replies[seq].retainedDuplicate();
    }

    /** Records an executed command and its reply (retained here), moving the window if it is newer. */
    void record(BlockheadPacket.Command c, ByteBuf reply) {
        int seq = c.seq() & 0xff;
        if (!inWindow(seq)) {
            for (int n = (newest + 1) & 0xff; n != seq; n = (n + 1) & 0xff) {
                clear(n);
            }
            newest = seq;
        }
        clear(seq);
        keys[seq] = key(c);
        int length = c.data().readableBytes();
        if (length > 0) {
            byte[] s = sectors[seq];
            if (s == null || s.length != length) {
                s = sectors[seq] = new byte[length];
            }
            c.data().getBytes(c.data().readerIndex(), s);
        }
        replies[seq] = reply.retainedDuplicate();
        used = true;
    }

    /** Releases every saved reply. */
    void close() {
        for (int n = 0; n < NUMBERS; n++) {
            clear(n);
        }
    }

    /** Whether {@code seq} is the newest number or one of the {@value #SIZE} - 1 before it. */
    private boolean inWindow(int seq) {
        return ((newest - seq) & 0xff) < SIZE;
    }

    private boolean sameSector(int seq, ByteBuf data) {
        int length = data.readableBytes();
        if (length == 0) {
            return true; // a READ: the key says it all (the codec gives a READ no data)
        }
        byte[] s = sectors[seq];
        if (s == null || s.length != length) {
            return false;
        }
        int at = data.readerIndex();
        for (int i = 0; i < length; i++) {
            if (data.getByte(at + i) != s[i]) {
                return false;
            }
        }
        return true;
    }

    private void clear(int seq) {
        keys[seq] = EMPTY;
        if (replies[seq] != null) {
            replies[seq].release();
            replies[seq] = null;
        }
    }

    private static long key(BlockheadPacket.Command c) {
        return ((long) c.op() << 32) | (c.lsn() & 0xFFFFFFFFL);
    }
}
