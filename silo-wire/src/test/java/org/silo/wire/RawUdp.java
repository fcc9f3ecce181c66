package org.silo.wire;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import org.silo.wire.codec.Frame;
import org.silo.wire.codec.FrameCodec;

/** A bare UDP socket for tests that speak the protocol by hand, byte by byte. */
public final class RawUdp implements AutoCloseable {
    private final DatagramSocket socket;
    private final InetSocketAddress server;

    public RawUdp(InetSocketAddress server) throws IOException {
        this(server, InetAddress.getLoopbackAddress());
    }

    /** Binds to a chosen local address, e.g. 127.0.0.2, to be another host on loopback. */
    public RawUdp(InetSocketAddress server, InetAddress local) throws IOException {
        this.socket = new DatagramSocket(new InetSocketAddress(local, 0));
        this.server = server;
        socket.setSoTimeout(1000);
    }

    public void send(byte[] bytes) throws IOException {
        socket.send(new DatagramPacket(bytes, bytes.length, server));
    }

    public void send(Frame f) throws IOException {
        send(FrameCodec.encode(f));
    }

    /** The next datagram, or null when none comes within the timeout. */
    public byte[] receive(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        byte[] buf = new byte[65536];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return java.util.Arrays.copyOf(buf, p.getLength());
    }

    /** The next frame; a busy machine may take seconds to answer, so this waits up to a minute. */
    public Frame receiveFrame() throws Exception {
        return receiveFrame(java.time.Duration.ofMinutes(1));
    }

    public Frame receiveFrame(java.time.Duration patience) throws Exception {
        byte[] b = receive((int) patience.toMillis());
        if (b == null) {
            throw new AssertionError("no answer from " + server + " in " + patience);
        }
        return FrameCodec.decode(b);
    }

    public InetSocketAddress local() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void close() {
        socket.close();
    }
}
