package org.silo.files.client;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.silo.files.FilesOps;
import org.silo.wire.client.ClientOptions;

/**
 * Writes an object opened with WRITE|OOB-XFER through the server's data port (docs/files.md): an
 * OutputStream that sends 1 MiB pieces, each a write request with bit 63 of the length set, and checks
 * each answer. Up to {@link #IN_FLIGHT} pieces travel before the first answer is read (the data port
 * answers in order), so the link is not idle for a round trip per piece; {@link #flush} and
 * {@link #close} wait for every answer. Closing it does not close the handle: the caller closes that
 * (for an archive path, the close that archives it).
 */
public final class OobWriter extends OutputStream {
    static final int PIECE = 1 << 20;
    static final int IN_FLIGHT = 4;
    private final FilesOps.Opened opened;
    private final Socket socket;
    private final DataOutputStream req;
    private final DataInputStream in;
    private final byte[] buf = new byte[PIECE];
    private int filled;
    private long offset;
    /** Sizes of the pieces sent whose answers have not been read, oldest first. */
    private final java.util.ArrayDeque<Integer> unanswered = new java.util.ArrayDeque<>();

    public OobWriter(FilesOps.Opened opened, long startOffset) throws IOException {
        if (opened.dataAddress().isEmpty()) {
            throw new IOException("the object was not opened for an out-of-band transfer");
        }
        this.opened = opened;
        this.offset = startOffset;
        InetSocketAddress at = ClientOptions.parseAddress(opened.dataAddress(), 0);
        if (at.isUnresolved() || at.getPort() == 0) { // never a NullPointerException from the socket
            throw new IOException(
                    "the server named a data port this client cannot reach: '" + opened.dataAddress() + "'");
        }
        socket = new Socket(at.getAddress(), at.getPort());
        socket.setSoTimeout(120_000);
        socket.setTcpNoDelay(true);
        req = new DataOutputStream(new java.io.BufferedOutputStream(socket.getOutputStream(), 1 << 16));
        in = new DataInputStream(socket.getInputStream());
    }

    @Override
    public void write(int b) throws IOException {
        if (filled == buf.length) {
            send();
        }
        buf[filled++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (filled == buf.length) {
                send();
            }
            int n = Math.min(len, buf.length - filled);
            System.arraycopy(b, off, buf, filled, n);
            filled += n;
            off += n;
            len -= n;
        }
    }

    /** Bytes written so far, sent or not. */
    public long count() {
        return offset + filled;
    }

    private void send() throws IOException {
        if (filled == 0) {
            return;
        }
        if (unanswered.size() >= IN_FLIGHT) {
            answer();
        }
        req.write(opened.handle().bytes());
        req.writeLong(offset);
        req.writeLong(filled | Long.MIN_VALUE);
        req.write(buf, 0, filled);
        req.flush();
        unanswered.add(filled);
        offset += filled;
        filled = 0;
    }

    /** Reads the oldest piece's answer: all of it written, or the error. */
    private void answer() throws IOException {
        int sent = unanswered.remove();
        long written = in.readLong();
        if (written != sent) {
            throw new IOException(
                    written == -1
                            ? "the data port refused the write (closed handle, read-only object, or no room)"
                            : "the data port wrote " + written + " of " + sent + " bytes");
        }
    }

    @Override
    public void flush() throws IOException {
        send();
        while (!unanswered.isEmpty()) {
            answer();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            socket.close();
        }
    }
}
