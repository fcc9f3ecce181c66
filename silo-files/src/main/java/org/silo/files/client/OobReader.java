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
 * Reads an object opened with OOB-XFER from the server's data port (docs/files.md): straight TCP,
 * 1 MiB requests pipelined behind each other.
 *
 * <pre>{@code
 * FilesOps.Opened o = client.call(FilesOps.OPEN, new FilesOps.Open(READ | OOB_XFER, CAPABILITY, List.of(name)));
 * OobReader.copy(o, out);
 * }</pre>
 */
public final class OobReader {
    private OobReader() {}

    static final int PIECE = 1 << 20;
    /** Requests in flight on the connection. */
    static final int AHEAD = 4;

    private static long ask(DataOutputStream req, FilesOps.Opened opened, long offset, long size) throws IOException {
        long n = Math.min(PIECE, size - offset);
        req.write(opened.handle().bytes());
        req.writeLong(offset);
        req.writeLong(n);
        req.flush();
        return n;
    }

    /** Copies the whole object to {@code out}; returns the byte count. */
    public static long copy(FilesOps.Opened opened, OutputStream out) throws IOException {
        if (opened.dataAddress().isEmpty()) {
            throw new IOException("the object was not opened for an out-of-band transfer");
        }
        InetSocketAddress at = ClientOptions.parseAddress(opened.dataAddress(), 0);
        if (at.isUnresolved() || at.getPort() == 0) { // never a NullPointerException from the socket
            throw new IOException(
                    "the server named a data port this client cannot reach: '" + opened.dataAddress() + "'");
        }
        byte[] buf = new byte[PIECE];
        try (Socket s = new Socket(at.getAddress(), at.getPort())) {
            s.setSoTimeout(60_000);
            s.setTcpNoDelay(true);
            // one buffered write per request: three small writes under Nagle wait out a delayed ACK (40 ms) each
            DataOutputStream req = new DataOutputStream(new java.io.BufferedOutputStream(s.getOutputStream(), 64));
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(s.getInputStream(), 1 << 16));
            long size = opened.size();
            long asked = 0; // requests go out up to AHEAD pieces before their answers, so the link never idles
            long done = 0;
            while (asked < size && asked - done < AHEAD * (long) PIECE) {
                asked += ask(req, opened, asked, size);
            }
            while (done < size) {
                long count = in.readLong();
                if (count == -1) {
                    throw new IOException("the data port refused the handle (closed or expired?)");
                }
                if (count == 0) {
                    break;
                }
                long left = count;
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        throw new IOException("the data connection closed " + left + " bytes early");
                    }
                    out.write(buf, 0, n);
                    left -= n;
                }
                done += count;
                if (asked < size) {
                    asked += ask(req, opened, asked, size);
                }
            }
            return done;
        }
    }
}
