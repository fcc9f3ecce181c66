package org.silo.files.server;

import static org.silo.block.nbd.NbdConstants.CMD_DISC;
import static org.silo.block.nbd.NbdConstants.CMD_FLUSH;
import static org.silo.block.nbd.NbdConstants.CMD_READ;
import static org.silo.block.nbd.NbdConstants.CMD_WRITE;
import static org.silo.block.nbd.NbdConstants.FLAG_FIXED_NEWSTYLE;
import static org.silo.block.nbd.NbdConstants.FLAG_NO_ZEROES;
import static org.silo.block.nbd.NbdConstants.IHAVEOPT;
import static org.silo.block.nbd.NbdConstants.INFO_EXPORT;
import static org.silo.block.nbd.NbdConstants.NBDMAGIC;
import static org.silo.block.nbd.NbdConstants.OPTION_REPLY_MAGIC;
import static org.silo.block.nbd.NbdConstants.OPT_GO;
import static org.silo.block.nbd.NbdConstants.REP_ACK;
import static org.silo.block.nbd.NbdConstants.REP_INFO;
import static org.silo.block.nbd.NbdConstants.REQUEST_MAGIC;
import static org.silo.block.nbd.NbdConstants.SIMPLE_REPLY_MAGIC;
import static org.silo.block.nbd.NbdConstants.TF_READ_ONLY;
import static org.silo.block.nbd.NbdConstants.TF_SEND_FLUSH;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.silo.files.FilesOps;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * The {@code nbd://HOST[:PORT]/EXPORT} gateway: Silo as an NBD client of any NBD server (Silo's own,
 * nbdkit, qemu-nbd). Fixed newstyle, NBD_OPT_GO for the export's size and flags, then simple replies
 * to NBD_CMD_READ (and NBD_CMD_WRITE when opened for writing and the export allows it), one request at a
 * time on one connection per open object.
 *
 * <pre>
 * S: u64 NBDMAGIC, u64 IHAVEOPT, u16 handshake flags     C: u32 client flags (FIXED_NEWSTYLE|NO_ZEROES)
 * C: u64 IHAVEOPT, u32 OPT_GO, u32 length, u32 name length, name, u16 0 (no info requests)
 * S: u64 REPLY_MAGIC, u32 OPT_GO, u32 type, u32 length, data   ... REP_INFO(EXPORT: u16 0, u64 size, u16 flags) ... REP_ACK
 * C: u32 REQUEST_MAGIC, u16 flags, u16 type, u64 cookie, u64 offset, u32 length [, data]
 * S: u32 SIMPLE_REPLY_MAGIC, u32 error, u64 cookie [, data]
 * </pre>
 */
final class NbdObject implements OpenObject {
    /** The most asked of the server in one NBD_CMD_READ or NBD_CMD_WRITE (servers accept at least 32 MiB). */
    static final int PIECE = 1 << 20;

    private final String url;
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final long size;
    private final int flags;
    private final boolean writable;
    private long cookie;

    private NbdObject(
            String url, Socket socket, DataInputStream in, DataOutputStream out, long size, int flags, boolean write) {
        this.url = url;
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.size = size;
        this.flags = flags;
        this.writable = write;
    }

    /** Opens {@code nbd://HOST[:PORT]/EXPORT}, connecting only to an address {@code addresses} allows. */
    static NbdObject open(String url, boolean write, GatewayAddressPolicy addresses) throws SiloException {
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw SiloException.invalid("not a URL: " + url + " (" + e.getReason() + ")");
        }
        if (uri.getHost() == null) {
            throw SiloException.invalid("an nbd:// URL names a host: nbd://HOST[:PORT]/EXPORT, not " + url);
        }
        String export = uri.getPath() == null || uri.getPath().isEmpty()
                ? ""
                : uri.getPath().substring(1);
        int port = uri.getPort() < 0 ? org.silo.block.nbd.NbdConstants.DEFAULT_PORT : uri.getPort();
        // the checked address itself is connected to: a name resolved again could answer another (rebinding)
        java.net.InetAddress to = addresses.resolve(uri.getHost(), url).get(0);
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(to, port), 10_000);
            s.setSoTimeout(30_000);
            s.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
            if (in.readLong() != NBDMAGIC || in.readLong() != IHAVEOPT) {
                throw refused(url, "not an NBD server speaking newstyle");
            }
            int handshake = in.readUnsignedShort();
            if ((handshake & FLAG_FIXED_NEWSTYLE) == 0) {
                throw refused(url, "the server does not speak fixed newstyle");
            }
            out.writeInt(FLAG_FIXED_NEWSTYLE | (handshake & FLAG_NO_ZEROES));
            byte[] name = export.getBytes(StandardCharsets.UTF_8);
            out.writeLong(IHAVEOPT);
            out.writeInt(OPT_GO);
            out.writeInt(4 + name.length + 2);
            out.writeInt(name.length);
            out.write(name);
            out.writeShort(0);
            out.flush();
            long size = -1;
            int tflags = 0;
            while (true) {
                if (in.readLong() != OPTION_REPLY_MAGIC) {
                    throw refused(url, "bad option reply magic");
                }
                in.readInt(); // the option: OPT_GO
                int type = in.readInt();
                int length = in.readInt();
                if (length < 0 || length > 65536) {
                    throw refused(url, "an option reply of " + length + " bytes");
                }
                byte[] data = new byte[length];
                in.readFully(data);
                if (type == REP_ACK) {
                    break;
                }
                if (type < 0) { // an error reply: the top bit is set
                    String text = new String(data, StandardCharsets.UTF_8);
                    throw SiloException.of(
                            type == org.silo.block.nbd.NbdConstants.REP_ERR_UNKNOWN
                                    ? ErrorCode.NOT_FOUND
                                    : ErrorCode.IO,
                            url + ": the NBD server refused export '" + export + "' (" + Integer.toHexString(type) + ")"
                                    + (text.isEmpty() ? "" : ": " + text));
                }
                if (type == REP_INFO && length >= 12) {
                    var info = java.nio.ByteBuffer.wrap(data);
                    if (info.getShort() == INFO_EXPORT) {
                        size = info.getLong();
                        tflags = info.getShort() & 0xFFFF;
                    }
                }
            }
            if (size < 0) {
                throw refused(url, "the server sent no size for the export");
            }
            if (write && (tflags & TF_READ_ONLY) != 0) {
                throw SiloException.of(ErrorCode.READ_ONLY, url + " is a read-only export");
            }
            return new NbdObject(url, s, in, out, size, tflags, write);
        } catch (IOException e) {
            closeQuietly(s);
            throw SiloException.of(ErrorCode.IO, url + ": " + e.getMessage());
        } catch (SiloException e) {
            closeQuietly(s);
            throw e;
        }
    }

    private static SiloException refused(String url, String why) {
        return SiloException.of(ErrorCode.IO, url + ": " + why);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public synchronized byte[] read(long offset, int length) throws SiloException {
        if (offset < 0) {
            throw SiloException.invalid("negative offset");
        }
        if (offset >= size || length <= 0) {
            return new byte[0];
        }
        byte[] b = new byte[(int) Math.min(length, size - offset)];
        for (int done = 0; done < b.length; ) {
            int n = Math.min(PIECE, b.length - done);
            request(CMD_READ, offset + done, n, null, 0);
            try {
                in.readFully(b, done, n);
            } catch (IOException e) {
                throw broken(e);
            }
            done += n;
        }
        return b;
    }

    @Override
    public synchronized int write(long offset, byte[] data) throws SiloException {
        if (!writable) {
            throw SiloException.of(ErrorCode.READ_ONLY, url + " is open for reading only");
        }
        if (offset < 0 || offset + data.length > size) {
            throw SiloException.of(
                    ErrorCode.NO_SPACE,
                    "a write of " + data.length + " bytes at " + offset + " does not fit in " + url + " (" + size
                            + " bytes)");
        }
        for (int done = 0; done < data.length; ) {
            int n = Math.min(PIECE, data.length - done);
            request(CMD_WRITE, offset + done, n, data, done);
            done += n;
        }
        return data.length;
    }

    /** Sends one request and reads its simple reply's header; a READ's data follows it. */
    private void request(int type, long offset, int length, byte[] data, int from) throws SiloException {
        long mine = ++cookie;
        try {
            out.writeInt(REQUEST_MAGIC);
            out.writeShort(0);
            out.writeShort(type);
            out.writeLong(mine);
            out.writeLong(offset);
            out.writeInt(length);
            if (data != null) {
                out.write(data, from, length);
            }
            out.flush();
            if (in.readInt() != SIMPLE_REPLY_MAGIC) {
                throw new IOException("bad reply magic");
            }
            int error = in.readInt();
            if (in.readLong() != mine) {
                throw new IOException("a reply to another request");
            }
            if (error != 0) {
                throw SiloException.of(
                        error == 1 ? ErrorCode.PERMISSION : error == 28 ? ErrorCode.NO_SPACE : ErrorCode.IO,
                        url + ": the NBD server answered errno " + error + " at offset " + offset);
            }
        } catch (IOException e) {
            throw broken(e);
        }
    }

    private SiloException broken(IOException e) {
        closeQuietly(socket);
        return SiloException.of(ErrorCode.IO, url + ": the NBD connection failed: " + e.getMessage());
    }

    @Override
    public boolean writable() {
        return writable;
    }

    @Override
    public long modifiedMillis() {
        return 0;
    }

    @Override
    public int nameType() {
        return FilesOps.URL;
    }

    @Override
    public synchronized void close() {
        try {
            if (writable && (flags & TF_SEND_FLUSH) != 0 && !socket.isClosed()) {
                request(CMD_FLUSH, 0, 0, null, 0);
            }
            if (!socket.isClosed()) {
                out.writeInt(REQUEST_MAGIC);
                out.writeShort(0);
                out.writeShort(CMD_DISC);
                out.writeLong(++cookie);
                out.writeLong(0);
                out.writeInt(0);
                out.flush();
            }
        } catch (IOException | SiloException ignored) {
            // going anyway
        } finally {
            closeQuietly(socket);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
