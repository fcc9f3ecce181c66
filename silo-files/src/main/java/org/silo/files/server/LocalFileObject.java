package org.silo.files.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.silo.files.FilesOps;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * An archived file read by offset from a file on this host: where it lies on a directory volume (in
 * place: a file of its own, or its range in a container, from {@code base}), or its staged copy in the
 * cache. Never loaded whole; {@code onClose} unpins a cached copy.
 */
final class LocalFileObject implements OpenObject, Warnings.Warned {
    private final FileChannel channel;
    /** What its open tells the client (a copy, a staging waited for); null: nothing. */
    private FilesOps.Warning warning;

    private final long base;
    private final long size;
    private final long modified;
    private final Runnable onClose;

    private LocalFileObject(FileChannel channel, long base, long size, long modified, Runnable onClose) {
        this.channel = channel;
        this.base = base;
        this.size = size;
        this.modified = modified;
        this.onClose = onClose;
    }

    static LocalFileObject open(Path file, long size, long modified, Runnable onClose) throws SiloException {
        return open(file, 0, size, modified, onClose);
    }

    /** The {@code size} bytes of {@code file} from {@code base} (a container's member). */
    static LocalFileObject open(Path file, long base, long size, long modified, Runnable onClose) throws SiloException {
        try {
            return new LocalFileObject(FileChannel.open(file, StandardOpenOption.READ), base, size, modified, onClose);
        } catch (IOException e) {
            onClose.run();
            throw SiloException.of(ErrorCode.IO, "cannot open " + file + ": " + e);
        }
    }

    /** This object, whose open's reply carries {@code w}. */
    LocalFileObject warn(FilesOps.Warning w) {
        this.warning = w;
        return this;
    }

    @Override
    public FilesOps.Warning warning() {
        return warning;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public byte[] read(long offset, int length) throws SiloException {
        if (offset >= size || length <= 0) {
            return new byte[0];
        }
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(length, size - offset));
        try {
            while (b.hasRemaining()) {
                if (channel.read(b, base + offset + b.position()) < 0) {
                    throw SiloException.of(
                            ErrorCode.IO, "the file ended at " + (offset + b.position()) + " of " + size + " bytes");
                }
            }
        } catch (IOException e) {
            throw SiloException.of(ErrorCode.IO, "reading at " + offset + ": " + e);
        }
        return b.array();
    }

    @Override
    public long transferTo(long offset, long count, java.nio.channels.WritableByteChannel out) throws IOException {
        long sent = 0;
        count = Math.max(0, Math.min(count, size - offset)); // never past the file's end, into the next member
        while (sent < count) {
            long n = channel.transferTo(base + offset + sent, count - sent, out);
            if (n <= 0) {
                break; // a non-blocking socket that is full, or the end: the caller copies the rest
            }
            sent += n;
        }
        return sent;
    }

    @Override
    public int write(long offset, byte[] data) throws SiloException {
        throw SiloException.of(ErrorCode.READ_ONLY, "archived files are write-once; write a new path");
    }

    @Override
    public boolean writable() {
        return false;
    }

    @Override
    public long modifiedMillis() {
        return modified;
    }

    @Override
    public int nameType() {
        return FilesOps.FILESYSTEM;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only: nothing lost
        } finally {
            onClose.run();
        }
    }
}
