package org.silo.files.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.silo.wire.SiloException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The out-of-band data port (docs/files.md): bytes of objects opened with OOB-XFER, by capability, on
 * plain TCP, one virtual thread per connection. A read is {@code 16-byte capability, u64 offset,
 * u64 length}; the answer {@code u64 count} and the bytes ({@code 2^64-1}: refused). A write is the same
 * with bit 63 of the length set, followed by the bytes (at most 16 MiB); the answer {@code u64 count
 * written} ({@code 2^64-1}: refused, the bytes read and dropped).
 */
final class DataPort implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DataPort.class);
    static final long REFUSED = -1L;
    private static final int PIECE = 1 << 20;
    private static final int IDLE_MILLIS = 60_000;
    static final int MAX_CONNECTIONS = 256;
    private final java.util.concurrent.Semaphore connections = new java.util.concurrent.Semaphore(MAX_CONNECTIONS);
    /** The most one write request may carry. */
    static final int MAX_WRITE = 16 << 20;

    private final ServerSocketChannel listener;
    /**
     * Platform threads, not virtual ones: a virtual thread's socket is made non-blocking underneath, and
     * sendfile to a non-blocking socket stops at every full send buffer. Connections are few and long.
     */
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "files-data-port");
        t.setDaemon(true);
        return t;
    });

    private final Function<byte[], OpenObject> capabilities;
    private volatile boolean open = true;

    DataPort(InetAddress address, int port, Function<byte[], OpenObject> capabilities) throws IOException {
        this.capabilities = capabilities;
        this.listener = ServerSocketChannel.open().bind(new InetSocketAddress(address, port));
        threads.execute(this::accept);
    }

    /**
     * Where a client at {@code peer} reaches this port: HOST:PORT, or [V6]:PORT as clients parse it. On a
     * port bound to every address (listen = 0.0.0.0) that is the local address the system routes toward the
     * peer, not the wildcard: "0:0:0:0:0:0:0:0:PORT" named no host, and the client failed with a
     * NullPointerException.
     */
    String address(InetAddress peer) throws IOException {
        InetSocketAddress a = (InetSocketAddress) listener.getLocalAddress();
        InetAddress host = a.getAddress().isAnyLocalAddress() ? localAddressToward(peer) : a.getAddress();
        String text = host.getHostAddress();
        return (host instanceof java.net.Inet6Address ? "[" + text + "]" : text) + ":" + a.getPort();
    }

    /** The source address the kernel would use toward {@code peer}: connecting a UDP socket sends nothing. */
    private static InetAddress localAddressToward(InetAddress peer) throws IOException {
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket()) {
            probe.connect(peer, 9);
            InetAddress local = probe.getLocalAddress();
            if (local == null || local.isAnyLocalAddress()) {
                throw new IOException("no route to " + peer.getHostAddress());
            }
            return local;
        }
    }

    private void accept() {
        while (open) {
            try {
                SocketChannel ch = listener.accept();
                if (!connections.tryAcquire()) {
                    log.warn(
                            "data port: {} connections already; refusing one from {}",
                            MAX_CONNECTIONS,
                            ch.getRemoteAddress());
                    ch.close();
                    continue;
                }
                threads.execute(() -> {
                    try {
                        serve(ch);
                    } finally {
                        connections.release();
                    }
                });
            } catch (IOException e) {
                if (open) {
                    log.warn("data port accept failed: {}", e.toString());
                }
                return;
            }
        }
    }

    private void serve(SocketChannel ch) {
        try (ch) {
            ch.socket().setSoTimeout(IDLE_MILLIS);
            ch.socket().setTcpNoDelay(true); // each answer is flushed whole: no Nagle wait for the ACK of its header
            var in = new java.io.DataInputStream(
                    new java.io.BufferedInputStream(ch.socket().getInputStream(), 1 << 16));
            var out = new java.io.BufferedOutputStream(ch.socket().getOutputStream(), 1 << 16);
            byte[] capability = new byte[16];
            while (true) {
                try {
                    in.readFully(capability);
                } catch (java.io.EOFException done) {
                    return;
                }
                long offset = in.readLong();
                long length = in.readLong();
                if (length < 0) { // bit 63: a write of the bytes that follow
                    write(capabilities.apply(capability.clone()), offset, length & Long.MAX_VALUE, in, out);
                    continue;
                }
                OpenObject o = capabilities.apply(capability.clone());
                if (o == null || offset < 0 || length < 0) {
                    out.write(ByteBuffer.allocate(8).putLong(REFUSED).array());
                    out.flush();
                    continue;
                }
                long count = Math.max(0, Math.min(length, o.size() - offset));
                out.write(ByteBuffer.allocate(8).putLong(count).array());
                out.flush();
                long sent = count > 0 ? Math.max(0, o.transferTo(offset, count, ch)) : 0; // sendfile: never in the JVM
                while (sent < count) {
                    byte[] piece = o.read(offset + sent, (int) Math.min(PIECE, count - sent));
                    if (piece.length == 0) {
                        throw new IOException("the object ended early");
                    }
                    out.write(piece);
                    sent += piece.length;
                }
                out.flush();
            }
        } catch (SocketTimeoutException idle) {
            // closed by the try: a silent connection holds nothing
        } catch (IOException | SiloException e) {
            log.debug("data connection ended: {}", e.toString());
        }
    }

    /** A write: the bytes are always read (so the stream stays in step), written if the handle may write. */
    private static void write(
            OpenObject o, long offset, long length, java.io.DataInputStream in, java.io.OutputStream out)
            throws IOException {
        if (length > MAX_WRITE) {
            throw new IOException("a write of " + length + " bytes in one request (at most " + MAX_WRITE + ")");
        }
        byte[] data = new byte[(int) length];
        in.readFully(data);
        long answer;
        try {
            answer = o == null || offset < 0 || !o.writable() ? REFUSED : o.write(offset, data);
        } catch (SiloException e) {
            log.debug("data port write refused: {}", e.getMessage());
            answer = REFUSED;
        }
        out.write(ByteBuffer.allocate(8).putLong(answer).array());
        out.flush();
    }

    @Override
    public void close() {
        open = false;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        threads.shutdownNow();
    }
}
