package org.silo.block.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.silo.block.image.BlockDevice;
import org.silo.block.image.Extent;

/** A snapshot served read-only over NBD as {@code IMAGE@SNAP}, read straight from its chain's files. */
public final class SnapshotDevice implements BlockDevice {
    private final String name;
    private final SnapshotChain chain;
    private final Runnable onClose;
    private volatile boolean closed;

    /** {@code onClose} runs once, after the chain's files are closed. */
    public SnapshotDevice(String name, SnapshotChain chain, Runnable onClose) {
        this.name = name;
        this.chain = chain;
        this.onClose = onClose;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long size() {
        return chain.size();
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
        chain.read(dst, position);
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
    public List<Extent> extents(long position, long length, int max) {
        check(position, length);
        return chain.extents(position, length, max);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            chain.close();
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
