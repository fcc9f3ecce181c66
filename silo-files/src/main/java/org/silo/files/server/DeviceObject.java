package org.silo.files.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.silo.block.image.ImageLease;
import org.silo.files.FilesOps;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * A block image by byte offset, through a lease of the same store and locks as Blockhead and NBD; or the
 * part of one from a starting byte on (seed 003's device integer: docs/files.md, "The device's integer").
 */
final class DeviceObject implements OpenObject {
    private final ImageLease lease;
    /** The image's byte that is this object's offset 0. */
    private final long base;

    private DeviceObject(ImageLease lease, long base) {
        this.lease = lease;
        this.base = base;
    }

    /** The image from byte {@code offset} on (-1: the whole image); INVALID, and the lease let go, past its end. */
    static DeviceObject from(ImageLease lease, long offset) throws SiloException {
        if (offset > lease.size()) {
            long size = lease.size();
            lease.close();
            throw SiloException.invalid(
                    "offset " + offset + " is past the end of " + lease.name() + " (" + size + " bytes)");
        }
        return new DeviceObject(lease, Math.max(0, offset));
    }

    @Override
    public long size() {
        return lease.size() - base;
    }

    @Override
    public byte[] read(long offset, int length) throws SiloException {
        long size = size();
        if (offset < 0) {
            throw SiloException.invalid("negative offset");
        }
        if (offset >= size) {
            return new byte[0];
        }
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(length, size - offset));
        try {
            lease.read(b, base + offset);
        } catch (IOException e) {
            throw SiloException.of(ErrorCode.IO, "reading " + lease.name() + ": " + e.getMessage());
        }
        return b.array();
    }

    @Override
    public int write(long offset, byte[] data) throws SiloException {
        if (!lease.writable()) {
            throw SiloException.of(ErrorCode.READ_ONLY, lease.name() + " is open for reading only");
        }
        if (offset < 0 || offset + data.length > size()) {
            throw SiloException.of(
                    ErrorCode.NO_SPACE,
                    "a write of " + data.length + " bytes at " + offset
                            + " does not fit in " + lease.name() + (base > 0 ? " from byte " + base : "") + " ("
                            + size()
                            + " bytes); images never grow");
        }
        try {
            lease.write(ByteBuffer.wrap(data), base + offset);
        } catch (IOException e) {
            throw SiloException.of(ErrorCode.IO, "writing " + lease.name() + ": " + e.getMessage());
        }
        return data.length;
    }

    @Override
    public boolean writable() {
        return lease.writable();
    }

    @Override
    public long modifiedMillis() {
        return System.currentTimeMillis();
    }

    @Override
    public int nameType() {
        return FilesOps.DEVICE;
    }

    @Override
    public void close() {
        lease.close();
    }
}
