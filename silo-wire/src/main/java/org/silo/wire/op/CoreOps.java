package org.silo.wire.op;

import java.util.Map;

/** Service 0x01: operations every Silo server answers. */
public final class CoreOps {
    private CoreOps() {}

    /** Echoes its data: the round trip that `silo ping` measures. */
    public static final Operation<byte[], byte[]> PING = new Operation<>(0x0101, "ping", Codecs.BYTES, Codecs.BYTES);

    /** The server's status as a CBOR map: name, version, uptime, sessions, reply cache, services. */
    public static final Operation<Void, Map<String, Object>> STATUS =
            new Operation<>(0x0102, "status", Codecs.EMPTY, Codecs.CBOR_MAP);
}
