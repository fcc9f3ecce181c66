package org.silo.wire.op;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.util.Map;
import org.silo.wire.SiloException;
import org.silo.wire.codec.WireReader;
import org.silo.wire.codec.WireWriter;

/** Codecs shared by many operations. */
public final class Codecs {
    private Codecs() {}

    /** No data: encodes nothing and refuses trailing bytes. */
    public static final Codec<Void> EMPTY = new Codec<>() {
        @Override
        public void encode(Void value, WireWriter out) {}

        @Override
        public Void decode(WireReader in) throws SiloException {
            in.expectEnd("empty operation data");
            return null;
        }
    };

    /** The whole data as bytes. */
    public static final Codec<byte[]> BYTES = new Codec<>() {
        @Override
        public void encode(byte[] value, WireWriter out) {
            out.bytes(value);
        }

        @Override
        public byte[] decode(WireReader in) {
            return in.rest();
        }
    };

    /** The whole data as strict UTF-8. */
    public static final Codec<String> UTF8 = new Codec<>() {
        @Override
        public void encode(String value, WireWriter out) {
            out.utf8Rest(value);
        }

        @Override
        public String decode(WireReader in) throws SiloException {
            return in.utf8Rest();
        }
    };

    private static final ObjectMapper CBOR = new CBORMapper();

    /**
     * A value as CBOR (RFC 8949) through Jackson: for administrative operations whose replies are
     * records and tables rather than hot-path data.
     */
    public static <T> Codec<T> cbor(Class<T> type) {
        return new Codec<>() {
            @Override
            public void encode(T value, WireWriter out) {
                out.bytes(toCbor(value));
            }

            @Override
            public T decode(WireReader in) throws SiloException {
                try {
                    return CBOR.readValue(in.rest(), type);
                } catch (IOException e) {
                    throw SiloException.malformed("bad CBOR " + type.getSimpleName() + ": " + e.getMessage());
                }
            }
        };
    }

    /** A string-keyed CBOR map. */
    public static final Codec<Map<String, Object>> CBOR_MAP = new Codec<>() {
        @Override
        public void encode(Map<String, Object> value, WireWriter out) {
            out.bytes(toCbor(value));
        }

        @Override
        public Map<String, Object> decode(WireReader in) throws SiloException {
            try {
                return CBOR.readValue(in.rest(), new TypeReference<Map<String, Object>>() {});
            } catch (IOException e) {
                throw SiloException.malformed("bad CBOR map: " + e.getMessage());
            }
        }
    };

    private static byte[] toCbor(Object value) {
        try {
            return CBOR.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot encode " + value.getClass().getSimpleName() + " as CBOR", e);
        }
    }
}
