package org.silo.wire.op;

import java.util.Objects;

/**
 * One operation of a service: its code (high octet service, low octet operation), a name for logs and
 * metrics, and the codecs of its request and reply data. Clients and servers share these definitions.
 *
 * <pre>{@code
 * static final Operation<byte[], byte[]> PING = new Operation<>(0x0101, "ping", Codecs.BYTES, Codecs.BYTES);
 * byte[] echo = client.call(PING, payload);
 * }</pre>
 */
public record Operation<Q, R>(int code, String name, Codec<Q> request, Codec<R> reply) {

    public Operation {
        if (code <= 0 || code > 0xFFFF) {
            throw new IllegalArgumentException("operation code out of range: " + code);
        }
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(reply, "reply");
    }

    public int service() {
        return code >>> 8;
    }

    @Override
    public String toString() {
        return String.format("%s(0x%04x)", name, code);
    }
}
