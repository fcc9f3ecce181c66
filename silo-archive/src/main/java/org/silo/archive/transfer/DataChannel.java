package org.silo.archive.transfer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The data connection between a mover and a user's client (Enstore's encp callback): the client
 * listens, the mover connects to the address in the request. File bytes travel only here, never
 * through the server. Big-endian, strings as {@link DataOutputStream#writeUTF}. One connection carries
 * every file of a request (write_files, read_files), pipelined: a put of ten thousand small files is
 * one connection, not ten thousand (docs/archive.md, "Transfers").
 *
 * <pre>
 * mover  -> client  HELLO   u32 MAGIC 'SILD', u16 VERSION 2, utf token, i64 request, utf mover, u8 kind 'W'|'R'
 * client -> mover   u8 0 accept | u8 1, utf reason (unknown token, already served)
 *
 * write (put): the client sends the request's files (those it still has to send, any order), then END
 * client -> mover   FILE  u8 'F', u32 index, i64 size, size bytes,
 *                         u8 0, u32 adler32 (of the bytes as read)      the file
 *                       | u8 1, utf reason                              given up (it changed while read): the
 *                                                                       bytes are not the file, keep nothing
 *                   END   u8 'E'
 * mover  -> client  as files become durable and recorded (group commit), each file answered once:
 *                   STORED      u8 'S', u32 index, utf bfid, utf volume, utf cookie, utf adler32, utf hash ("" none)
 *                   NOT_STORED  u8 'X', u32 index, utf message              nothing recorded for it
 *                   DONE        u8 'D'   after END and every file answered; the mover closes
 *                   ABORT       u8 'A', utf message   the mover stops; the files not answered are not stored
 *
 * read (get): the mover sends the request's files in the order it reads them, then END
 * mover  -> client  FILE  u8 'F', u32 index, i64 size, size bytes,
 *                         u8 0, utf adler32 (the mover's, equal to the catalog's)
 *                       | u8 1, utf message (the bytes are not the file's: a CRC or size mismatch)
 *                   NOT_SENT u8 'X', u32 index, utf message                 unreadable before its first byte
 *                   END   u8 'E'
 * client -> mover   u32 n, n times (u32 index, utf message): the files that did not arrive whole; every
 *                   other file arrived and matched (the client makes them durable after it answers)
 *
 * The mover ends the request in the catalog (transfer_done) before it sends DONE, and before it closes a
 * read's connection (the client waits for the close).
 * </pre>
 */
public final class DataChannel {
    private DataChannel() {}

    public static final int MAGIC = 0x53494C44; // "SILD"
    public static final int VERSION = 2;
    public static final int OK = 0;
    public static final int ERR = 1;
    public static final byte WRITE = 'W';
    public static final byte READ = 'R';
    /** Frames of version 2 (see the layout above). */
    public static final byte FILE = 'F';

    public static final byte END = 'E';
    public static final byte STORED = 'S';
    public static final byte NOT_STORED = 'X';
    public static final byte DONE = 'D';
    public static final byte ABORT = 'A';
    /** A FILE's end: the bytes are the file's ({@code WHOLE}) or not ({@code GIVEN_UP}). */
    public static final int WHOLE = 0;

    public static final int GIVEN_UP = 1;

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
