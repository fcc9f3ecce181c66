package org.silo.block.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.silo.block.image.BlockDevice;
import org.silo.block.image.Extent;

/**
 * A snapshot served read-only over NBD as {@code IMAGE@SNAP}, read straight from its chain's files. The chain
 * is opened at the first read or block status, not when the device is: opening may stage files from a volume
 * that cannot be read in place, which takes a while, and NBD's handshake runs on an I/O thread that other
 * connections share, while its commands run on worker threads.
 */
public final class SnapshotDevice implements BlockDevice {
    /** Opens the chain (staging its files if need be). */
    public interface Opener {
        SnapshotChain open() throws IOException;
    }

    private final String name;
    private final long size;
    private final Opener opener;
    private final Runnable onClose;
    private SnapshotChain chain;
    private volatile boolean closed;

    /** {@code onClose} runs once, after the chain's files (if opened) are closed. */
    public SnapshotDevice(String name, long size, Opener opener, Runnable onClose) {
        this.name = name;
        this.size = size;
        this.opener = opener;
        this.onClose = onClose;
    }

    private synchronized SnapshotChain chain() throws IOException {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
        if (chain == null) {
            SnapshotChain c = opener.open();
            if (c.size() != size) {
                c.close();
                throw new IOException(name + " is " + c.size() + " bytes in its files, " + size + " in the catalog");
            }
            chain = c;
        }
        return chain;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean writable() {
        return false;
    }

    /** Its extents are exact: holes are the ranges no snapshot of the chain holds bytes for. */
    @Override
    public boolean sparseAware() {
        return true;
    }

    @Override
    public void read(ByteBuffer dst, long position) throws IOException {
        check(position, dst.remaining());
        chain().read(dst, position);
    }

    @Override
    public ByteBuffer view(long position, int length) {
        return null;
    }

    @Override
    public void write(ByteBuffer src, long position) {
        throw readOnly();
    }

    @Override
    public void writeZeroes(long position, long length, boolean mayPunch) {
        throw readOnly();
    }

    @Override
    public boolean trim(long position, long length) {
        throw readOnly();
    }

    @Override
    public void flush() {
        // nothing is ever written
    }

    @Override
    public List<Extent> extents(long position, long length, int max) throws IOException {
        check(position, length);
        return chain().extents(position, length, max);
    }

    @Override
    public void close() {
        SnapshotChain c;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            c = chain;
        }
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(SnapshotDevice.class).warn("closing {}: {}", name, e.toString());
        } finally {
            onClose.run();
        }
    }

    private IllegalStateException readOnly() {
        return new IllegalStateException("snapshot " + name + " is read-only");
    }

    private void check(long position, long length) {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
        if (position < 0 || length < 0 || position > size() - length) {
            throw new IllegalArgumentException(
                    "range " + position + "+" + length + " outside " + name + " of " + size());
        }
    }
}
