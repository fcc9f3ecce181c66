package org.silo.block.blockhead;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A Blockhead client behind a hostile network, driven by one seed: it sends batches of up to
 * {@code window} commands (distinct LSNs in a batch), and the network between it and the server
 * delivers them in any order, loses some (the client sends them again, byte for byte), loses some
 * replies (again: a retransmission) and keeps copies of some to deliver later, up to
 * {@code maxDelay} of the client's requests later. After each batch the client checks what every
 * READ answered against the last WRITE acknowledged before the batch began; at the end it reads
 * every sector once more.
 *
 * <p>What docs/block.md asks of a client is what this client does: it numbers requests one after
 * another (or, with {@code constantSeq}, never changes the number and waits for each answer), and
 * sends a retransmission with the same number and the same bytes. What the network does is the
 * worst it may do within the window: a copy older than {@link ReplayWindow#SIZE} requests is out of
 * bounds for any 8-bit numbering and is not made.
 */
final class ReorderingNetwork {

    /** How datagrams reach the server and replies come back: in memory or over a real socket. */
    interface Transport {
        void send(byte[] datagram) throws Exception;

        /**
         * Replies that have arrived (at least one, unless none came for a while: then the client
         * retransmits what is unanswered).
         */
        List<byte[]> replies() throws Exception;
    }

    private static final int SECTORS = 8;

    private final Transport net;
    private final Random random;
    private final int sectorSize;
    private final int window;
    private final int maxDelay;
    private final boolean constantSeq;
    private final byte[] expected = new byte[SECTORS]; // the fill byte of each sector; 0 = never written
    private final List<Held> held = new ArrayList<>();
    private int session;
    private int seq;
    private long issued; // requests made so far (new numbers), the clock of delayed copies
    int reads;
    int duplicatesDelivered;

    private record Held(long due, byte[] datagram) {}

    private record Op(int seq, boolean write, int lsn, int fill, byte[] datagram) {}

    ReorderingNetwork(Transport net, long seed, boolean constantSeq) {
        this.net = net;
        this.random = new Random(seed);
        this.sectorSize = 128 << random.nextInt(3);
        this.constantSeq = constantSeq;
        this.window = constantSeq ? 1 : 1 + random.nextInt(SECTORS);
        // A copy is delivered at most maxDelay + 2 batches after its original was made: keep that
        // below the window, the bound docs/block.md gives clients.
        this.maxDelay = constantSeq ? 0 : random.nextInt(ReplayWindow.SIZE - 3 * SECTORS);
        this.seq = random.nextInt(256);
    }

    /** Connects to {@code image}, runs {@code batches} batches, checks every answer; fails on a wrong one. */
    void run(String image, int batches) throws Exception {
        byte[] connected = exchangeOne(RawBlockheadClient.connect(seq, sectorSize >> 8, image), seq);
        assertThat(connected).as("CONNECT reply").hasSize(5).startsWith(2, seq, 0);
        session = RawBlockheadClient.session(connected);
        for (int b = 0; b < batches; b++) {
            batch();
        }
        // Every copy still held is delivered now, then every sector is read back.
        deliverDue(Long.MAX_VALUE);
        List<Op> check = new ArrayList<>();
        for (int lsn = 0; lsn < SECTORS; lsn++) {
            check.add(newOp(false, lsn, 0));
        }
        for (Op op : check) {
            deliver(op.datagram);
            verify(op, awaitReplies(List.of(op)).get(op.seq));
        }
        int last = constantSeq ? seq : (seq + 1) & 0xff;
        assertThat(exchangeOne(RawBlockheadClient.discon(last, session), last))
                .as("DISCON reply")
                .containsExactly(2, last, 0);
    }

    private void batch() throws Exception {
        List<Integer> lsns = new ArrayList<>();
        for (int i = 0; i < SECTORS; i++) {
            lsns.add(i);
        }
        java.util.Collections.shuffle(lsns, random);
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < window; i++) {
            boolean write = random.nextBoolean();
            ops.add(newOp(write, lsns.get(i), 1 + random.nextInt(255)));
        }
        List<Op> order = new ArrayList<>(ops);
        java.util.Collections.shuffle(order, random);
        List<Op> lost = new ArrayList<>();
        for (Op op : order) {
            if (random.nextInt(5) == 0) {
                lost.add(op); // lost on the way: the client's retransmission follows the others
            } else {
                deliver(op.datagram);
            }
            if (maxDelay > 0 && random.nextInt(3) == 0) {
                held.add(new Held(issued + 1 + random.nextInt(maxDelay), op.datagram.clone()));
            }
            deliverDue(issued);
        }
        for (Op op : lost) {
            deliver(op.datagram);
        }
        Map<Integer, byte[]> answers = awaitReplies(ops);
        for (Op op : ops) {
            verify(op, answers.get(op.seq));
        }
        for (Op op : ops) {
            if (op.write) {
                expected[op.lsn] = (byte) op.fill; // acknowledged: every later READ must see it
            }
        }
    }

    private Op newOp(boolean write, int lsn, int fill) {
        if (!constantSeq) {
            seq = (seq + 1) & 0xff;
        }
        issued++;
        byte[] datagram = write
                ? RawBlockheadClient.write(seq, session, lsn, filled(fill))
                : RawBlockheadClient.read(seq, session, lsn);
        return new Op(seq, write, lsn, fill, datagram);
    }

    private void verify(Op op, byte[] reply) {
        if (op.write) {
            assertThat(reply).as("WRITE seq %d lsn %d", op.seq, op.lsn).containsExactly(2, op.seq, 0);
            return;
        }
        reads++;
        assertThat(reply)
                .as("READ seq %d lsn %d", op.seq, op.lsn)
                .hasSize(4 + sectorSize)
                .startsWith(2, op.seq, 0, 0);
        assertThat(Arrays.copyOfRange(reply, 4, reply.length))
                .as("READ seq %d lsn %d returns the last acknowledged WRITE", op.seq, op.lsn)
                .isEqualTo(filled(expected[op.lsn] & 0xff));
    }

    /**
     * Collects one reply per op, retransmitting those not answered yet, and losing one reply in five
     * on the way back (which makes the client retransmit a request the server already ran).
     */
    private Map<Integer, byte[]> awaitReplies(List<Op> ops) throws Exception {
        Map<Integer, Op> waiting = new HashMap<>();
        ops.forEach(op -> waiting.put(op.seq, op));
        Map<Integer, byte[]> answers = new HashMap<>();
        while (!waiting.isEmpty()) {
            List<byte[]> replies = net.replies();
            for (byte[] r : replies) {
                int s = r.length > 1 ? r[1] & 0xff : -1;
                if (r.length < 3 || r[0] != 2 || !waiting.containsKey(s)) {
                    continue; // the answer to a delayed copy, or to a retransmission already answered
                }
                if (random.nextInt(5) == 0) {
                    deliver(waiting.get(s).datagram); // lost on the way back: the client sends it again
                    continue;
                }
                answers.put(s, r);
                waiting.remove(s);
            }
            if (replies.isEmpty()) {
                for (Op op : waiting.values()) {
                    deliver(op.datagram); // nothing came back (a real loss): send them again, byte for byte
                }
            }
        }
        return answers;
    }

    private byte[] exchangeOne(byte[] datagram, int s) throws Exception {
        while (true) {
            net.send(datagram);
            for (byte[] r : net.replies()) {
                if (r.length >= 3 && (r[1] & 0xff) == s) {
                    return r;
                }
            }
        }
    }

    private void deliver(byte[] datagram) throws Exception {
        net.send(datagram);
    }

    private void deliverDue(long now) throws Exception {
        List<Held> due = new ArrayList<>();
        for (Iterator<Held> it = held.iterator(); it.hasNext(); ) {
            Held h = it.next();
            if (h.due <= now) {
                due.add(h);
                it.remove();
            }
        }
        java.util.Collections.shuffle(due, random);
        for (Held h : due) {
            duplicatesDelivered++;
            deliver(h.datagram);
        }
    }

    private byte[] filled(int fill) {
        byte[] b = new byte[sectorSize];
        Arrays.fill(b, (byte) fill);
        return b;
    }
}
