package org.silo.archive.transfer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The data connection between a mover and a user's client (Enstore's encp callback): the client
 * listens, the mover connects to the address in the request. File bytes travel only here, never
 * through the server. Big-endian, strings as {@link DataOutputStream#writeUTF}.
 *
 * <pre>
 * mover  -> client  HELLO   u32 MAGIC 'SILD', u16 VERSION 1, utf token, i64 request, utf mover, u8 kind 'W'|'R'
 * client -> mover   u8 0 accept | u8 1, utf reason (unknown token, already served)
 *
 * write (put):
 * client -> mover   i64 size, size bytes, u32 adler32 of the source (computed while reading it)
 * mover  -> client  u8 0, utf bfid, utf volume, utf cookie, utf adler32     (fsynced and recorded)
 *                 | u8 1, utf message                                       (nothing recorded)
 * read (get):
 * mover  -> client  i64 size, size bytes,
 *                   u8 0, utf adler32 (the mover's, equal to the catalog's) | u8 1, utf message
 * client -> mover   u8 0 (written, fsynced, checksum equal) | u8 1, utf message
 * </pre>
 */
public final class DataChannel {
    private DataChannel() {}

    public static final int MAGIC = 0x53494C44; // "SILD"
    public static final int VERSION = 1;
    public static final int OK = 0;
    public static final int ERR = 1;
    public static final byte WRITE = 'W';
    public static final byte READ = 'R';
    /** Socket buffers and copy chunks. */
    public static final int BUFFER = 1 << 20;

    /** What a mover says when it connects. */
    public record Hello(String token, long request, String mover, byte kind) {}

    public static void writeHello(DataOutputStream out, Hello h) throws IOException {
        out.writeInt(MAGIC);
        out.writeShort(VERSION);
        out.writeUTF(h.token());
        out.writeLong(h.request());
        out.writeUTF(h.mover());
        out.writeByte(h.kind());
        out.flush();
    }

    public static Hello readHello(DataInputStream in) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new IOException(String.format("not a silo data connection (magic %08x)", magic));
        }
        int version = in.readUnsignedShort();
        if (version != VERSION) {
            throw new IOException("data connection version " + version + " is not supported (only " + VERSION + ")");
        }
        return new Hello(in.readUTF(), in.readLong(), in.readUTF(), in.readByte());
    }

    /** Reads a status byte and, for ERR, its message; returns null for OK. */
    public static String readStatus(DataInputStream in) throws IOException {
        int s = in.readUnsignedByte();
        if (s == OK) {
            return null;
        }
        return s == ERR ? in.readUTF() : "bad status byte " + s;
    }

    public static void writeError(DataOutputStream out, String message) throws IOException {
        out.writeByte(ERR);
        out.writeUTF(message == null ? "error" : message.length() > 16_000 ? message.substring(0, 16_000) : message);
        out.flush();
    }

    /** A stream that gives at most {@code limit} bytes of another and counts them in a progress counter. */
    public static final class Counted extends InputStream {
        private final InputStream in;
        private long left;
        private final java.util.concurrent.atomic.AtomicLong done;

        public Counted(InputStream in, long limit, java.util.concurrent.atomic.AtomicLong done) {
            this.in = in;
            this.left = limit;
            this.done = done;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int r = in.read(b, off, (int) Math.min(len, left));
            if (r > 0) {
                left -= r;
                done.addAndGet(r);
            }
            return r;
        }
    }
}
