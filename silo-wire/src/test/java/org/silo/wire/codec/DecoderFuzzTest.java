package org.silo.wire.codec;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.silo.wire.SiloException;
import org.silo.wire.op.SessionOps;

/**
 * Random bytes into every decoder of the message layer: each either decodes or refuses with its own
 * checked exception, never anything else (no index, state or arithmetic exception escapes). A longer run:
 * {@code mvn -pl silo-wire test -Dtest=DecoderFuzzTest -Djqwik.tries.default=1000000}.
 */
class DecoderFuzzTest {

    @Property
    void frames(@ForAll @Size(max = 200) byte[] bytes) {
        try {
            Frame f = FrameCodec.decode(bytes);
            assertThat(FrameCodec.encode(f)).isEqualTo(bytes);
        } catch (FrameCodec.FrameException expected) {
            // refused: fine
        }
    }

    @Property
    void framesWithValidCrc(@ForAll @Size(min = 26, max = 200) byte[] header) {
        // a random header and body with a correct CRC, so decoding gets past the checksum
        byte[] bytes = java.util.Arrays.copyOf(header, header.length + 4);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 0, header.length);
        java.nio.ByteBuffer.wrap(bytes).putInt(header.length, (int) crc.getValue());
        try {
            FrameCodec.decode(bytes);
        } catch (FrameCodec.FrameException expected) {
            // refused: fine
        }
    }

    @Property
    void envelopesAndResults(@ForAll @Size(max = 300) byte[] bytes) {
        try {
            for (OperationData op : Envelope.decode(bytes).operations()) {
                Result.decode(op);
            }
        } catch (SiloException expected) {
            // refused: fine
        }
    }

    @Property
    void startCodecs(@ForAll @Size(max = 100) byte[] bytes) {
        try {
            SessionOps.START_REQUEST.decode(new WireReader(bytes));
        } catch (SiloException expected) {
            // refused
        }
        try {
            SessionOps.START_REPLY.decode(new WireReader(bytes));
        } catch (SiloException expected) {
            // refused
        }
    }
}
