package org.silo.wire.op;

import org.silo.wire.SiloException;
import org.silo.wire.codec.WireReader;
import org.silo.wire.codec.WireWriter;

/** Encodes one operation's request or reply data to bytes and back. Stateless. */
public interface Codec<T> {

    void encode(T value, WireWriter out);

    /** Decodes a whole operation's data; trailing bytes are the codec's to refuse. */
    T decode(WireReader in) throws SiloException;
}
