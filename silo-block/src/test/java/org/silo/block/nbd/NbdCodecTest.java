package org.silo.block.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.silo.block.image.Extent;

/**
 * Framing and encoding in memory. Request layout (proto.md "Transmission"):
 *
 * <pre>
 * C: 32 bits 0x25609513 | 16 bits flags | 16 bits type | 64 bits cookie | 64 bits offset
 *    | 32 bits length | data (WRITE only)
 * </pre>
 */
class NbdCodecTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private static ByteBuf request(int flags, int type, long cookie, long offset, int length, byte[] data) {
        ByteBuf b = Unpooled.buffer()
                .writeInt(0x25609513)
                .writeShort(flags)
                .writeShort(type)
                .writeLong(cookie)
                .writeLong(offset)
                .writeInt(length);
        return data == null ? b : b.writeBytes(data);
    }

    @Test
    void framesClientFlagsOptionsAndRequestsWithBoundaryValues() {
        NbdFrameDecoder decoder = new NbdFrameDecoder();
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ch.writeInbound(Unpooled.buffer().writeInt(3));
        assertThat(ch.<Object>readInbound()).isEqualTo(new NbdMessage.ClientFlags(3));
        ch.writeInbound(Unpooled.buffer()
                .writeLong(RawNbdClient.IHAVEOPT)
                .writeInt(7)
                .writeInt(2)
                .writeShort(0xABCD));
        NbdMessage.Option o = ch.readInbound();
        assertThat(o.code()).isEqualTo(7);
        assertThat(o.data()).containsExactly(0xAB, 0xCD);
        decoder.enterTransmission();
        long[] offsets = {0, 1L << 31, Long.MAX_VALUE, -1L};
        int[] lengths = {0, 1, -1};
        for (long offset : offsets) {
            for (int length : lengths) {
                ch.writeInbound(request(0xFFFF, 7, offset ^ 5, offset, length, null));
                NbdMessage.Request r = ch.readInbound();
                assertThat(r.flags()).isEqualTo(0xFFFF);
                assertThat(r.type()).isEqualTo(7);
                assertThat(r.cookie()).isEqualTo(offset ^ 5);
                assertThat(r.offset()).isEqualTo(offset);
                assertThat(r.length()).isEqualTo(Integer.toUnsignedLong(length));
                r.data().release();
            }
        }
        // A WRITE split across two reads, with the next request's first byte behind it.
        ByteBuf w = request(1, 1, 9, 512, 3, new byte[] {1, 2, 3});
        ch.writeInbound(w.readRetainedSlice(20));
        assertThat(ch.<Object>readInbound()).isNull();
        ch.writeInbound(w);
        NbdMessage.Request r = ch.readInbound();
        assertThat(ByteBufUtil.getBytes(r.data())).containsExactly(1, 2, 3);
        r.data().release();
        assertThat(ch.<Object>readInbound()).isNull();
        assertThat(ch.finish()).isFalse(); // nothing left over
    }

    @Test
    void oversizedWriteAndBadMagicAreFatalAnOversizedReadIsNot() {
        NbdFrameDecoder decoder = new NbdFrameDecoder();
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ch.writeInbound(Unpooled.buffer().writeInt(3));
        ch.readInbound();
        decoder.enterTransmission();
        // A READ carries no payload: it is decoded, and the command handler answers EINVAL.
        ch.writeInbound(request(0, 0, 1, 0, 0xffffffff, null));
        NbdMessage.Request read = ch.readInbound();
        assertThat(read.length()).isEqualTo(0xffffffffL);
        ch.writeInbound(request(0, 1, 1, 0, (32 << 20) + 1, null));
        assertThat(ch.<Object>readInbound()).isInstanceOf(NbdMessage.Fatal.class);
        EmbeddedChannel ch2 = new EmbeddedChannel(new NbdFrameDecoder());
        ch2.writeInbound(Unpooled.buffer().writeInt(3).writeLong(0x1234).writeLong(0));
        ch2.readInbound();
        assertThat(ch2.<Object>readInbound()).isInstanceOf(NbdMessage.Fatal.class);
        // Trim and write-zeroes may exceed the payload limit: they carry no payload.
        ch.finish();
    }

    @Test
    void parsesInfoAndMetaContextData() {
        assertThat(NbdCodec.infoRequest(RawNbdClient.infoData("", 3)))
                .isEqualTo(new NbdCodec.InfoRequest("", List.of(3)));
        assertThat(NbdCodec.infoRequest(RawNbdClient.infoData("disk", 0, 1, 2, 3))
                        .items())
                .containsExactly(0, 1, 2, 3);
        assertThat(NbdCodec.infoRequest(new byte[] {-1, -1, -1, -1, 0, 0})).isNull();
        byte[] extra = java.util.Arrays.copyOf(RawNbdClient.infoData("d"), 8);
        assertThat(NbdCodec.infoRequest(extra)).isNull();
        assertThat(NbdCodec.metaContextRequest(RawNbdClient.metaData("d", "base:", "x")))
                .isEqualTo(new NbdCodec.MetaContextRequest("d", List.of("base:", "x")));
        assertThat(NbdCodec.metaContextRequest(new byte[] {0, 0, 0, 0, 0x7f, 0, 0, 0}))
                .isNull();
    }

    @Test
    void encodesHandshakeAndChunks() {
        assertBytes(NbdCodec.greeting(ALLOC), "4e42444d41474943" + "49484156454f5054" + "0003");
        ByteBuf zeroes = NbdCodec.exportNameReply(ALLOC, 1, 3, false);
        assertThat(zeroes.readableBytes()).isEqualTo(134);
        zeroes.release();
        assertBytes(NbdCodec.exportNameReply(ALLOC, 1, 3, true), "0000000000000001" + "0003");
        assertBytes(
                NbdCodec.optionReply(ALLOC, 7, 1, new byte[0]),
                "0003e889045565a9" + "00000007" + "00000001" + "00000000");
        assertBytes(
                NbdCodec.blockStatusChunk(
                        ALLOC, 2, 1, List.of(new Extent(0, 4096, true), new Extent(4096, 512, false))),
                "668e33ef" + "0001" + "0005" + "0000000000000002" + "00000014" + "00000001" + "00001000" + "00000003"
                        + "00000200" + "00000000");
        assertBytes(
                NbdCodec.errorChunk(ALLOC, 3, 22, "x"),
                "668e33ef" + "0001" + "8001" + "0000000000000003" + "00000007" + "00000016" + "0001" + "78");
    }

    /** REP_SERVER: u32 name length, name, description to the end; INFO_DESCRIPTION: u16 2, description. */
    @Test
    void serverEntriesAndDescriptionsWithTheirLimit() {
        assertThat(ByteBufUtil.hexDump(NbdCodec.serverEntry("d@1"))).isEqualTo("00000003" + "644031");
        assertThat(ByteBufUtil.hexDump(NbdCodec.serverEntry("d@1", "hi"))).isEqualTo("00000003" + "644031" + "6869");
        assertThat(ByteBufUtil.hexDump(NbdCodec.serverEntry("d", ""))).isEqualTo("00000001" + "64");
        assertThat(ByteBufUtil.hexDump(NbdCodec.infoDescription("hi"))).isEqualTo("0002" + "6869");
        // Over 4096 bytes: cut before the character that would go over, never inside it.
        String euros = "\u20ac".repeat(1366); // 3 bytes each: 4098 bytes
        assertThat(NbdCodec.utf8Bytes(euros, 4096)).hasSize(4095);
        assertThat(new String(NbdCodec.utf8Bytes(euros, 4096), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("\u20ac".repeat(1365));
        assertThat(NbdCodec.infoDescription("x".repeat(5000))).hasSize(2 + 4096);
        assertThat(NbdCodec.utf8Bytes("x".repeat(4096), 4096)).hasSize(4096);
    }

    private static void assertBytes(ByteBuf b, String hex) {
        try {
            assertThat(ByteBufUtil.hexDump(b)).isEqualTo(hex);
        } finally {
            b.release();
        }
    }
}
