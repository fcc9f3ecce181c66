package org.silo.bench.block;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Blockhead load driver: one session, a window of 16 requests in flight, 512-byte sectors; prints
 * READ or WRITE operations per second. Built from seed 001's layout only (no Silo classes), so the
 * same driver also measures the plain C UDP echo ({@code silo-bench/src/main/c/udp_echo.c}) with
 * {@code --raw}, which skips CONNECT and error checks.
 *
 * <pre>
 * java org.silo.bench.block.BlockheadLoad HOST PORT read|write SECONDS [IMAGE] [--raw]
 * </pre>
 *
 * <p>LSNs are random within the first 32 MiB. A lost datagram would stall its window slot: after
 * 200 ms of silence the driver refills the whole window and counts the loss.
 */
public final class BlockheadLoad {
    private static final int WINDOW = 16;
    private static final int SECTOR = 512;
    private static final long SECTORS = (32L << 20) / SECTOR;

    private BlockheadLoad() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 4) {
            System.err.println("usage: BlockheadLoad HOST PORT read|write SECONDS [IMAGE] [--raw]");
            System.exit(2);
        }
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        boolean write = args[2].equals("write");
        long seconds = Long.parseLong(args[3]);
        boolean raw = args[args.length - 1].equals("--raw");
        String image = args.length > 4 && !args[4].equals("--raw") ? args[4] : "";

        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setReceiveBufferSize(4 << 20);
            socket.setSoTimeout(200);
            socket.connect(server);
            int session = raw ? 0 : connect(socket, image);
            byte[] request = new byte[10 + (write ? SECTOR : 0)];
            DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
            int seq = 0;
            for (int i = 0; i < WINDOW; i++) {
                send(socket, request, ++seq, session, write);
            }
            long ops = 0;
            long lost = 0;
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            while (System.nanoTime() < end) {
                try {
                    socket.receive(reply);
                } catch (SocketTimeoutException e) {
                    lost += WINDOW;
                    for (int i = 0; i < WINDOW; i++) {
                        send(socket, request, ++seq, session, write);
                    }
                    continue;
                }
                if (!raw && reply.getData()[2] != 0) {
                    throw new IOException("error reply " + reply.getData()[2]);
                }
                ops++;
                send(socket, request, ++seq, session, write);
            }
            double secs = (System.nanoTime() - start) / 1e9;
            if (!raw) {
                disconnect(socket, session); // release the image's writer slot at once
            }
            System.out.printf(
                    "%s %s window=%d ops=%d lost<=%d ops/s=%.0f%n",
                    raw ? "echo" : "blockhead", write ? "write" : "read", WINDOW, ops, lost, ops / secs);
        }
    }

    /** CONNECT with 512-byte sectors (flags 2); returns the session id. */
    private static int connect(DatagramSocket socket, String image) throws IOException {
        byte[] name = image.getBytes(StandardCharsets.UTF_8);
        byte[] c = new byte[4 + name.length];
        c[2] = 2;
        System.arraycopy(name, 0, c, 3, name.length);
        socket.send(new DatagramPacket(c, c.length));
        DatagramPacket r = new DatagramPacket(new byte[16], 16);
        socket.receive(r);
        if (r.getLength() != 5 || r.getData()[2] != 0) {
            throw new IOException("CONNECT failed with error " + r.getData()[2]);
        }
        return ByteBuffer.wrap(r.getData()).getShort(3) & 0xffff;
    }

    /** DISCON; late replies of the window may arrive first and are skipped. */
    private static void disconnect(DatagramSocket socket, int session) throws IOException {
        byte[] d = {3, 0, (byte) (session >> 8), (byte) session};
        socket.send(new DatagramPacket(d, d.length));
        DatagramPacket r = new DatagramPacket(new byte[2048], 2048);
        try {
            do {
                socket.receive(r);
            } while (r.getLength() != 3 || r.getData()[1] != 0);
        } catch (SocketTimeoutException e) {
            System.err.println("no reply to DISCON; the session stays until it idles out");
        }
    }

    private static void send(DatagramSocket socket, byte[] request, int seq, int session, boolean write)
            throws IOException {
        long lsn = ThreadLocalRandom.current().nextLong(SECTORS);
        ByteBuffer.wrap(request)
                .put((byte) 1)
                .put((byte) seq)
                .putShort((short) session)
                .put((byte) (write ? 1 : 0))
                .putInt((int) lsn);
        socket.send(new DatagramPacket(request, request.length));
    }
}
