package org.silo.block.nbd;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A byte-level NBD client written from proto.md, for the cases real clients never send. */
final class RawNbdClient implements AutoCloseable {
    static final long IHAVEOPT = 0x49484156454F5054L;

    Socket socket;
    DataInputStream in;
    DataOutputStream out;
    int handshakeFlags;

    RawNbdClient(int port) throws IOException {
        this(port, InetAddress.getLoopbackAddress());
    }

    /** A client connecting from {@code local}, e.g. 127.0.0.2 as "another host". */
    RawNbdClient(int port, InetAddress local) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port, local, 0);
        socket.setSoTimeout(60_000); // a busy machine may take seconds to answer or to close
        in = new DataInputStream(socket.getInputStream());
        out = new DataOutputStream(socket.getOutputStream());
        if (in.readLong() != 0x4e42444d41474943L || in.readLong() != IHAVEOPT) {
            throw new IOException("bad greeting");
        }
        handshakeFlags = in.readUnsignedShort();
    }

    /** After STARTTLS's ACK: runs the TLS handshake on the same socket and talks through it. */
    void upgrade(javax.net.ssl.SSLSocketFactory tls) throws IOException {
        javax.net.ssl.SSLSocket s =
                (javax.net.ssl.SSLSocket) tls.createSocket(socket, "localhost", socket.getPort(), true);
        s.startHandshake();
        socket = s;
        in = new DataInputStream(s.getInputStream());
        out = new DataOutputStream(s.getOutputStream());
    }

    void clientFlags(int flags) throws IOException {
        out.writeInt(flags);
        out.flush();
    }

    void option(int code, byte[] data) throws IOException {
        out.writeLong(IHAVEOPT);
        out.writeInt(code);
        out.writeInt(data.length);
        out.write(data);
        out.flush();
    }

    /** One option reply. */
    record OptionReply(int option, int type, byte[] data) {}

    OptionReply optionReply() throws IOException {
        if (in.readLong() != 0x3e889045565a9L) {
            throw new IOException("bad option reply magic");
        }
        int option = in.readInt();
        int type = in.readInt();
        byte[] data = new byte[in.readInt()];
        in.readFully(data);
        return new OptionReply(option, type, data);
    }

    static byte[] infoData(String name, int... items) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + n.length + 2 + 2 * items.length);
        b.putInt(n.length).put(n).putShort((short) items.length);
        for (int i : items) {
            b.putShort((short) i);
        }
        return b.array();
    }

    static byte[] metaData(String name, String... queries) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(bytes);
        try {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            d.writeInt(n.length);
            d.write(n);
            d.writeInt(queries.length);
            for (String q : queries) {
                byte[] b = q.getBytes(StandardCharsets.UTF_8);
                d.writeInt(b.length);
                d.write(b);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bytes.toByteArray();
    }

    /** Fixed newstyle + NO_ZEROES, optional structured replies and base:allocation, then GO. */
    long go(String export, boolean structured) throws IOException {
        clientFlags(3);
        if (structured) {
            option(8, new byte[0]);
            expectAck();
            option(10, metaData(export, "base:allocation"));
            OptionReply ctx = optionReply();
            if (ctx.type() != 4) {
                throw new IOException("no meta context: " + ctx.type());
            }
            expectAck();
        }
        option(7, infoData(export));
        long size = -1;
        while (true) {
            OptionReply r = optionReply();
            if (r.type() == 1) {
                return size;
            }
            if (r.type() != 3) {
                throw new IOException("GO failed: type " + Integer.toHexString(r.type()));
            }
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(r.data());
            if (b.getShort() == 0) {
                size = b.getLong();
            }
        }
    }

    void expectAck() throws IOException {
        OptionReply r = optionReply();
        if (r.type() != 1) {
            throw new IOException("expected ACK, got " + Integer.toHexString(r.type()));
        }
    }

    void request(int flags, int type, long cookie, long offset, long length, byte[] data) throws IOException {
        out.writeInt(0x25609513);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(cookie);
        out.writeLong(offset);
        out.writeInt((int) length);
        if (data != null) {
            out.write(data);
        }
        out.flush();
    }

    /** Reads a simple reply header: returns {error, cookie}. */
    long[] simpleReply() throws IOException {
        int magic = in.readInt();
        if (magic != 0x67446698) {
            throw new IOException("not a simple reply: " + Integer.toHexString(magic));
        }
        return new long[] {in.readInt(), in.readLong()};
    }

    /** True when the server has closed the connection (reads EOF within the timeout). */
    boolean closedByServer() {
        try {
            while (in.read() >= 0) {
                // drain whatever was in flight
            }
            return true;
        } catch (EOFException e) {
            return true;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("reset");
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
