package org.silo.wire.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.silo.wire.WireConstants.*;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * <pre>
 *  0 ver | 1 flags | 2..9 session | 10..17 request id | 18..25 released | body | CRC32C(4)
 * </pre>
 */
class FrameCodecTest {

    @Test
    void layoutIsAsDocumented() throws Exception {
        Frame f = Frame.request(0x0102030405060708L, 0x1112131415161718L, 0x2122232425262728L, new byte[] {1, 2, 3});
        byte[] bytes = FrameCodec.encode(f);
        assertThat(bytes).hasSize(MIN_FRAME + 3);
        assertThat(HexFormat.of().formatHex(bytes, 0, HEADER_LENGTH + 3))
                .isEqualTo("01" + "01" + "0102030405060708" + "1112131415161718" + "2122232425262728" + "010203");
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        assertThat(ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()).isEqualTo((int) crc.getValue());
        assertThat(FrameCodec.decode(bytes)).usingRecursiveComparison().isEqualTo(f);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 1L << 31, Long.MAX_VALUE, -1, Long.MIN_VALUE})
    void roundTripsBoundaryIds(long v) throws Exception {
        for (int flags : new int[] {FLAG_REQUEST, FLAG_REPLY, FLAG_REPLY | FLAG_WAIT, FLAG_REPLY | FLAG_ERROR}) {
            Frame f = new Frame(flags, v, v, v, new byte[0]);
            Frame back = FrameCodec.decode(FrameCodec.encode(f));
            assertThat(back).usingRecursiveComparison().isEqualTo(f);
        }
    }

    @Test
    void bodyOfMaximumDatagramRoundTrips() throws Exception {
        byte[] body = new byte[MAX_DATAGRAM - MIN_FRAME];
        body[body.length - 1] = 42;
        Frame back = FrameCodec.decode(FrameCodec.encode(Frame.reply(1, 2, body)));
        assertThat(back.body()).isEqualTo(body);
    }

    @Test
    void everySingleBitFlipIsCaught() {
        byte[] good = FrameCodec.encode(Frame.request(7, 8, 9, "hello".getBytes()));
        for (int bit = 0; bit < good.length * 8; bit++) {
            byte[] bad = good.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> FrameCodec.decode(bad)).isInstanceOf(FrameCodec.FrameException.class);
        }
    }

    @Test
    void refusesShortWrongVersionAndBadFlags() {
        assertFault(new byte[MIN_FRAME - 1], FrameCodec.Fault.SHORT);
        assertFault(reencode(FrameCodec.encode(Frame.request(1, 1, 0, new byte[0])), 0, 2), FrameCodec.Fault.VERSION);
        assertFault(
                reencode(FrameCodec.encode(Frame.request(1, 1, 0, new byte[0])), 1, FLAG_REQUEST | FLAG_REPLY),
                FrameCodec.Fault.FLAGS);
        assertFault(reencode(FrameCodec.encode(Frame.request(1, 1, 0, new byte[0])), 1, 0), FrameCodec.Fault.FLAGS);
        assertFault(reencode(FrameCodec.encode(Frame.request(1, 1, 0, new byte[0])), 1, 0x41), FrameCodec.Fault.FLAGS);
    }

    @Test
    void errorAndWaitBodiesRoundTrip() throws Exception {
        Frame err = new Frame(FLAG_REPLY | FLAG_ERROR, 1, 2, 0, FrameCodec.errorBody(ErrorCode.TOO_BIG, "use TCP"));
        SiloException e = FrameCodec.readError(FrameCodec.decode(FrameCodec.encode(err)));
        assertThat(e.code()).isEqualTo(ErrorCode.TOO_BIG);
        assertThat(e.getMessage()).isEqualTo("use TCP");
        assertThat(new WireReader(FrameCodec.waitBody(1234)).u32()).isEqualTo(1234);
    }

    /** Changes one byte and fixes the CRC, so the fault under test is the only one. */
    private static byte[] reencode(byte[] frame, int offset, int value) {
        frame[offset] = (byte) value;
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(frame, 0, frame.length - 4);
        ByteBuffer.wrap(frame).putInt(frame.length - 4, (int) crc.getValue());
        return frame;
    }

    private static void assertFault(byte[] bytes, FrameCodec.Fault fault) {
        assertThatThrownBy(() -> FrameCodec.decode(bytes))
                .isInstanceOfSatisfying(
                        FrameCodec.FrameException.class,
                        e -> assertThat(e.fault()).isEqualTo(fault));
    }
}
