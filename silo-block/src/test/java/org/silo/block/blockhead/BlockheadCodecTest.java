package org.silo.block.blockhead;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/**
 * Round trips through {@link BlockheadCodec}. Layouts, from seed 001:
 *
 * <pre>
 * CONNECT [0][seq][flags][name..\0]     COMMAND [1][seq][sid:2][op][lsn:4][pad][data]
 * DISCON  [3][seq][sid:2]               KEEP    [4]
 * REPLY   [2][seq][err]  CONNECT OK [2][seq][0][sid:2]  READ OK [2][seq][0][0][data]
 * </pre>
 */
class BlockheadCodecTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private static BlockheadPacket decode(ByteBuf b) {
        try {
            int before = b.readerIndex();
            BlockheadPacket p = BlockheadCodec.decode(b);
            assertThat(b.readerIndex()).isEqualTo(before);
            return p;
        } finally {
            b.release();
        }
    }

    @Test
    void connectRoundTripsWithBoundaryNames() {
        String longest = "n".repeat(255);
        for (String name : new String[] {"", "a", longest, "disk-ü.img"}) {
            assertThat(decode(BlockheadCodec.connect(ALLOC, 255, 0xF9, name)))
                    .isEqualTo(new BlockheadPacket.Connect(255, 0xF9, name));
        }
        assertThat(decode(BlockheadCodec.connect(ALLOC, 0, 0, "n".repeat(256))))
                .isInstanceOf(BlockheadPacket.Malformed.class);
    }

    @Test
    void commandRoundTripsWithBoundaryValues() {
        long[] lsns = {0, 1, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL};
        int[] sessions = {0, 1, 0x8000, 0xFFFF};
        for (long lsn : lsns) {
            for (int sid : sessions) {
                BlockheadPacket p = decode(BlockheadCodec.command(ALLOC, 0, sid, 0, lsn, null));
                assertThat(p).isInstanceOf(BlockheadPacket.Command.class);
                BlockheadPacket.Command c = (BlockheadPacket.Command) p;
                assertThat(c.session()).isEqualTo(sid);
                assertThat(c.lsn()).isEqualTo(lsn);
                assertThat(c.op()).isEqualTo(BlockheadConstants.OP_READ);
                assertThat(c.data().readableBytes()).isZero();
            }
        }
        ByteBuf w = BlockheadCodec.command(ALLOC, 200, 7, 1, 9, new byte[] {1, 2, 3});
        try {
            BlockheadPacket.Command c = (BlockheadPacket.Command) BlockheadCodec.decode(w);
            assertThat(c.seq()).isEqualTo(200);
            assertThat(ByteBufUtil.getBytes(c.data())).containsExactly(1, 2, 3);
        } finally {
            w.release();
        }
    }

    @Test
    void disconnectAndKeep() {
        assertThat(decode(BlockheadCodec.disconnect(ALLOC, 3, 0xFFFF)))
                .isEqualTo(new BlockheadPacket.Disconnect(3, 0xFFFF));
        assertThat(decode(Unpooled.wrappedBuffer(new byte[] {4}))).isEqualTo(new BlockheadPacket.Keep());
        assertThat(decode(Unpooled.wrappedBuffer(new byte[0]))).isInstanceOf(BlockheadPacket.Ignored.class);
        assertThat(decode(Unpooled.wrappedBuffer(new byte[] {2, 0, 0}))).isInstanceOf(BlockheadPacket.Ignored.class);
        assertThat(decode(Unpooled.wrappedBuffer(new byte[] {3, 5, 0, 0, 0})))
                .isEqualTo(new BlockheadPacket.Malformed(5, "DISCON of 5 bytes, not 4"));
    }

    @Test
    void repliesHaveTheSeedLayout() {
        assertBytes(new BlockheadReply.Status(255, 7), 2, 255, 7);
        assertBytes(new BlockheadReply.Connected(1, 0xABCD), 2, 1, 0, 0xAB, 0xCD);
        assertBytes(new BlockheadReply.Keep(), 4);
        ByteBuf data = Unpooled.wrappedBuffer(new byte[] {9, 8});
        assertBytes(new BlockheadReply.Sector(3, data), 2, 3, 0, 0, 9, 8);
        assertThat(data.readableBytes()).isEqualTo(2);
    }

    @Test
    void sectorSizeTable() {
        assertThat(BlockheadConstants.sectorSize(0)).isEqualTo(128);
        assertThat(BlockheadConstants.sectorSize(1)).isEqualTo(256);
        assertThat(BlockheadConstants.sectorSize(2)).isEqualTo(512);
        assertThat(BlockheadConstants.sectorSize(0xFA)).isEqualTo(512);
        for (int f = 3; f <= 7; f++) {
            assertThat(BlockheadConstants.sectorSize(f)).isEqualTo(-1);
        }
    }

    private static void assertBytes(BlockheadReply reply, int... expected) {
        ByteBuf b = BlockheadCodec.encode(reply, ALLOC);
        try {
            byte[] want = new byte[expected.length];
            for (int i = 0; i < expected.length; i++) {
                want[i] = (byte) expected[i];
            }
            assertThat(ByteBufUtil.getBytes(b)).isEqualTo(want);
        } finally {
            b.release();
        }
    }
}
