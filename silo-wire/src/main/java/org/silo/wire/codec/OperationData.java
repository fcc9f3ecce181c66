package org.silo.wire.codec;

import java.util.Arrays;
import java.util.Objects;

/** One entry of an envelope: an operation code and its undecoded data. */
public record OperationData(int code, byte[] data) {

    public OperationData {
        if (code < 0 || code > 0xFFFF) {
            throw new IllegalArgumentException("operation code out of range: " + code);
        }
        Objects.requireNonNull(data, "data");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OperationData other && other.code == code && Arrays.equals(other.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * code + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return String.format("OperationData[0x%04x, %d bytes]", code, data.length);
    }
}
