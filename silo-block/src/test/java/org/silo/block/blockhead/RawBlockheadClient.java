package org.silo.block.blockhead;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A Blockhead client written straight from seed 001's byte layout, independent of the codec under
 * test: every packet is assembled by hand.
 */
public final class RawBlockheadClient implements AutoCloseable {
    /** How long an answer may take: a minute, since a busy machine may take seconds. */
    static final int ANSWER_MS = 60_000;

    private final DatagramSocket socket;
    private final InetAddress host = InetAddress.getLoopbackAddress();
    private final int port;

    public RawBlockheadClient(int port) throws IOException {
        this(port, InetAddress.getLoopbackAddress());
    }

    /** A client whose datagrams come from {@code local}, e.g. 127.0.0.2 as "another host". */
    RawBlockheadClient(int port, InetAddress local) throws IOException {
        this.port = port;
        this.socket = new DatagramSocket(0, local);
        socket.setSoTimeout(ANSWER_MS);
    }

    /** Sends a datagram and returns the reply. */
    public byte[] exchange(byte[] datagram) throws IOException {
        send(datagram);
        return receive();
    }

    void send(byte[] datagram) throws IOException {
        socket.send(new DatagramPacket(datagram, datagram.length, host, port));
    }

    byte[] receive() throws IOException {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        return Arrays.copyOf(buf, p.getLength());
    }

    /** True when nothing arrives within {@code millis}. */
    boolean silentFor(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            receive();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(ANSWER_MS);
        }
    }

    public static byte[] connect(int seq, int flags, String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0); // TYPE_CONNECT
        out.write(seq);
        out.write(flags);
        out.writeBytes(name.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        return out.toByteArray();
    }

    static byte[] command(int seq, int session, int op, long lsn, byte[] data) {
        byte[] out = new byte[10 + (data == null ? 0 : data.length)];
        out[0] = 1; // TYPE_COMMAND
        out[1] = (byte) seq;
        out[2] = (byte) (session >> 8);
        out[3] = (byte) session;
        out[4] = (byte) op;
        out[5] = (byte) (lsn >> 24);
        out[6] = (byte) (lsn >> 16);
        out[7] = (byte) (lsn >> 8);
        out[8] = (byte) lsn;
        if (data != null) {
            System.arraycopy(data, 0, out, 10, data.length);
        }
        return out;
    }

    public static byte[] read(int seq, int session, long lsn) {
        return command(seq, session, 0, lsn, null);
    }

    public static byte[] write(int seq, int session, long lsn, byte[] data) {
        return command(seq, session, 1, lsn, data);
    }

    public static byte[] discon(int seq, int session) {
        return new byte[] {3, (byte) seq, (byte) (session >> 8), (byte) session};
    }

    /** The session id of a 5-byte CONNECT reply. */
    public static int session(byte[] reply) {
        return ((reply[3] & 0xff) << 8) | (reply[4] & 0xff);
    }

    @Override
    public void close() {
        socket.close();
    }
}
