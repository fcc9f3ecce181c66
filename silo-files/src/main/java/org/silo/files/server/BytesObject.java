package org.silo.files.server;

import java.util.Arrays;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/** A read-only object held whole in memory: an archived file as read, or an application's answer. */
final class BytesObject implements OpenObject {
    private final byte[] bytes;
    private final int nameType;
    private final long modified;

    BytesObject(byte[] bytes, int nameType, long modified) {
        this.bytes = bytes;
        this.nameType = nameType;
        this.modified = modified;
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public byte[] read(long offset, int length) {
        if (offset >= bytes.length) {
            return new byte[0];
        }
        int start = (int) offset;
        return Arrays.copyOfRange(bytes, start, (int) Math.min(bytes.length, (long) start + length));
    }

    @Override
    public int write(long offset, byte[] data) throws SiloException {
        throw SiloException.of(ErrorCode.READ_ONLY, "this object is read-only");
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
        return nameType;
    }

    @Override
    public void close() {}
}
