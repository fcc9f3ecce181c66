package org.silo.files.server;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import org.silo.files.FilesOps;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * Seed 003's open flags READ and APPEND, kept for the life of a handle: a handle opened without READ
 * cannot read ("1 open 1 octet flags: read, write, append, create, cache, oob-xfer"), and one opened with
 * APPEND writes at the object's end whatever offset a WRITE names, as O_APPEND does (the offset the
 * bytes landed at is the object's size before the write; a client that needs it STATs first).
 */
final class FlaggedObject implements OpenObject {
    private final OpenObject inner;
    private final boolean read;
    private final boolean append;

    private FlaggedObject(OpenObject inner, boolean read, boolean append) {
        this.inner = inner;
        this.read = read;
        this.append = append;
    }

    /** {@code o} as the flags ask: itself when they ask nothing of it (READ without APPEND). */
    static OpenObject of(OpenObject o, int flags) {
        boolean read = (flags & FilesOps.READ) != 0;
        boolean append = (flags & FilesOps.APPEND) != 0;
        return read && !append ? o : new FlaggedObject(o, read, append);
    }

    /** The object under the flags. */
    static OpenObject unwrap(OpenObject o) {
        return o instanceof FlaggedObject f ? f.inner : o;
    }

    private void readable() throws SiloException {
        if (!read) {
            throw SiloException.of(
                    ErrorCode.PERMISSION, "this handle was opened without READ: open it with READ to read");
        }
    }

    @Override
    public long size() throws SiloException {
        return inner.size();
    }

    @Override
    public byte[] read(long offset, int length) throws SiloException {
        readable();
        return inner.read(offset, length);
    }

    @Override
    public int write(long offset, byte[] data) throws SiloException {
        if (!append) {
            return inner.write(offset, data);
        }
        synchronized (this) { // two appends through one handle must not land on the same end
            return inner.write(inner.size(), data);
        }
    }

    @Override
    public long transferTo(long offset, long count, WritableByteChannel out) throws IOException {
        // without READ: 0, so the caller falls back to read(), which refuses with the reason
        return read ? inner.transferTo(offset, count, out) : 0;
    }

    @Override
    public boolean writable() {
        return inner.writable();
    }

    @Override
    public long modifiedMillis() {
        return inner.modifiedMillis();
    }

    @Override
    public int nameType() {
        return inner.nameType();
    }

    @Override
    public FilesOps.Closed finish(long waitMillis) throws SiloException {
        return inner.finish(waitMillis);
    }

    @Override
    public void close() {
        inner.close();
    }
}
