package org.silo.block.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.block.image.ImageStore;

/** Handshake and command edge cases, byte by byte against a running server. */
class NbdProtocolTest {
    private static final int SIZE = 1 << 20;

    @TempDir
    Path dir;

    ImageStore store;
    NbdServer server;

    @BeforeEach
    void start() throws Exception {
        store = new ImageStore(dir.resolve("images"));
        store.create("disk", SIZE, false);
        server = NbdServer.builder(store).port(0).build().start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RawNbdClient client() throws Exception {
        return new RawNbdClient(server.port());
    }

    @Test
    void greetingAdvertisesFixedNewstyleAndNoZeroes() throws Exception {
        try (var c = client()) {
            assertThat(c.handshakeFlags).isEqualTo(3);
        }
    }

    @Test
    void unknownClientFlagsCloseTheConnection() throws Exception {
        try (var c = client()) {
            c.clientFlags(1 << 7);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void unknownOptionGetsErrUnsupAndNegotiationGoesOn() throws Exception {
        try (var c = client()) {
            c.clientFlags(3);
            c.option(42, new byte[] {1, 2, 3});
            RawNbdClient.OptionReply r = c.optionReply();
            assertThat(r.option()).isEqualTo(42);
            assertThat(r.type()).isEqualTo(0x80000001);
            c.option(5, new byte[0]); // STARTTLS: not offered
            assertThat(c.optionReply().type()).isEqualTo(0x80000001);
            c.option(7, RawNbdClient.infoData("disk"));
            assertThat(c.optionReply().type()).isEqualTo(3);
            c.expectAck();
        }
    }

    @Test
    void infoReportsExportAndBlockSizeThenListAndAbort() throws Exception {
        try (var c = client()) {
            c.clientFlags(3);
            c.option(6, RawNbdClient.infoData("disk", 3, 1));
            ByteBuffer export = ByteBuffer.wrap(c.optionReply().data());
            assertThat(export.getShort()).isZero();
            assertThat(export.getLong()).isEqualTo(SIZE);
            assertThat(export.getShort() & 1).isEqualTo(1); // HAS_FLAGS
            assertThat(new String(c.optionReply().data(), 2, 4, StandardCharsets.UTF_8))
                    .isEqualTo("disk");
            ByteBuffer bs = ByteBuffer.wrap(c.optionReply().data());
            assertThat(bs.getShort()).isEqualTo((short) 3);
            assertThat(bs.getInt()).isEqualTo(1);
            assertThat(bs.getInt()).isEqualTo(4096);
            assertThat(bs.getInt()).isEqualTo(32 << 20);
            c.expectAck();
            c.option(6, RawNbdClient.infoData("../disk"));
            assertThat(c.optionReply().type()).isEqualTo(0x80000006); // ERR_UNKNOWN
            c.option(6, new byte[] {0, 0, 0, 9}); // name overruns the data
            assertThat(c.optionReply().type()).isEqualTo(0x80000003); // ERR_INVALID
            c.option(3, new byte[0]);
            assertThat(c.optionReply().type()).isEqualTo(2);
            c.expectAck();
            c.option(10, RawNbdClient.metaData("disk", "base:allocation"));
            assertThat(c.optionReply().type()).isEqualTo(0x80000003); // needs structured replies
            c.option(9, RawNbdClient.metaData("disk"));
            assertThat(new String(c.optionReply().data(), 4, 15, StandardCharsets.UTF_8))
                    .isEqualTo("base:allocation");
            c.expectAck();
            c.option(2, new byte[0]);
            c.expectAck();
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void exportNameWithAndWithoutZeroes() throws Exception {
        try (var c = client()) {
            c.clientFlags(1);
            c.option(1, "disk".getBytes(StandardCharsets.UTF_8));
            assertThat(c.in.readLong()).isEqualTo(SIZE);
            c.in.readUnsignedShort();
            c.in.readFully(new byte[124]);
            c.request(0, 0, 7, 0, 512, null);
            assertThat(c.simpleReply()).containsExactly(0, 7);
            c.in.readFully(new byte[512]);
        }
        try (var c = client()) {
            c.clientFlags(3);
            c.option(1, "nope".getBytes(StandardCharsets.UTF_8));
            assertThat(c.closedByServer()).isTrue(); // proto.md: no error reply exists for this
        }
    }

    @Test
    void badCommandsGetErrorsAndTheConnectionGoesOn() throws Exception {
        try (var c = client()) {
            c.go("disk", false);
            c.request(0, 99, 1, 0, 0, null);
            assertThat(c.simpleReply()).containsExactly(22, 1); // unknown command: EINVAL
            c.request(0x8000, 0, 2, 0, 512, null);
            assertThat(c.simpleReply()).containsExactly(22, 2); // unknown flag: EINVAL
            c.request(0, 0, 3, SIZE - 256, 512, null);
            assertThat(c.simpleReply()).containsExactly(22, 3); // read past end: EINVAL
            c.request(0, 1, 4, SIZE, 512, new byte[512]);
            assertThat(c.simpleReply()).containsExactly(28, 4); // write past end: ENOSPC
            c.request(0, 0, 5, -1L, 512, null);
            assertThat(c.simpleReply()).containsExactly(22, 5); // offset 2^64-1
            c.request(0, 7, 6, 0, 512, null);
            assertThat(c.simpleReply()).containsExactly(22, 6); // BLOCK_STATUS not negotiated
            c.request(4, 0, 8, 0, 512, null);
            assertThat(c.simpleReply()).containsExactly(22, 8); // DF without structured replies
            c.request(0, 3, 9, 0, 0, null);
            assertThat(c.simpleReply()).containsExactly(0, 9); // FLUSH
        }
    }

    @Test
    void pipelinedRequestsAreAllAnswered() throws Exception {
        try (var c = client()) {
            c.go("disk", false);
            int n = 64;
            for (int i = 0; i < n; i++) {
                byte[] data = new byte[4096];
                java.util.Arrays.fill(data, (byte) i);
                c.request(0, 1, 1000 + i, 4096L * i, 4096, data);
            }
            Set<Long> cookies = new HashSet<>();
            for (int i = 0; i < n; i++) {
                long[] r = c.simpleReply();
                assertThat(r[0]).isZero();
                cookies.add(r[1]);
            }
            assertThat(cookies).hasSize(n);
            c.request(0, 0, 5, 4096L * 9, 4096, null);
            assertThat(c.simpleReply()).containsExactly(0, 5);
            byte[] got = new byte[4096];
            c.in.readFully(got);
            assertThat(got).containsOnly(9);
            c.request(0, 2, 6, 0, 0, null); // DISC
            assertThat(c.closedByServer()).isTrue();
        }
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofMinutes(2)) // Awaitility's default is 10 s
                .until(() -> store.info("disk").holders().isEmpty());
    }

    /**
     * Small READs are answered on the event loop and flushed at the end of the read burst: a DISC sent
     * right behind them must not close the connection before their replies have left.
     */
    @Test
    void readsSentRightBeforeADiscAreAllAnsweredWithTheirBytes() throws Exception {
        try (var c = client()) {
            c.go("disk", false);
            int n = 32;
            for (int i = 0; i < n; i++) {
                byte[] data = new byte[4096];
                java.util.Arrays.fill(data, (byte) (i + 1));
                c.request(0, 1, 100 + i, 4096L * i, 4096, data);
                assertThat(c.simpleReply()).containsExactly(0, 100 + i);
            }
            for (int i = 0; i < n; i++) {
                c.request(0, 0, 200 + i, 4096L * i, 4096, null);
            }
            c.request(0, 2, 999, 0, 0, null); // DISC, before any reply is read
            Set<Long> cookies = new HashSet<>();
            for (int i = 0; i < n; i++) {
                long[] r = c.simpleReply();
                assertThat(r[0]).isZero();
                byte[] got = new byte[4096];
                c.in.readFully(got);
                assertThat(got).containsOnly((byte) (r[1] - 200 + 1));
                cookies.add(r[1]);
            }
            assertThat(cookies).hasSize(n);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    /** A READ across the 1 GiB mapping chunks cannot be served from one view: it still gets its bytes. */
    @Test
    void aReadAcrossTwoMappingChunksGetsItsBytes() throws Exception {
        store.create("big", (2L << 30), false); // sparse
        try (var c = client()) {
            c.go("big", false);
            long at = (1L << 30) - 2048;
            byte[] data = new byte[4096];
            new java.util.Random(7).nextBytes(data);
            c.request(0, 1, 1, at, 4096, data);
            assertThat(c.simpleReply()).containsExactly(0, 1);
            c.request(0, 0, 2, at, 4096, null);
            assertThat(c.simpleReply()).containsExactly(0, 2);
            byte[] got = new byte[4096];
            c.in.readFully(got);
            assertThat(got).isEqualTo(data);
            c.request(0, 0, 3, at + 4096, 4096, null); // a hole, inside the second chunk: zeros
            assertThat(c.simpleReply()).containsExactly(0, 3);
            c.in.readFully(got);
            assertThat(got).containsOnly(0);
        }
    }

    @Test
    void structuredReadAndBlockStatus() throws Exception {
        try (var c = client()) {
            c.go("disk", true);
            c.request(0, 1, 1, 65536, 512, new byte[512]);
            assertThat(c.simpleReply()).containsExactly(0, 1);
            c.request(0, 0, 2, 0, 512, null);
            assertThat(c.in.readInt()).isEqualTo(0x668e33ef);
            assertThat(c.in.readUnsignedShort()).isEqualTo(1); // DONE
            assertThat(c.in.readUnsignedShort()).isEqualTo(1); // OFFSET_DATA
            assertThat(c.in.readLong()).isEqualTo(2);
            assertThat(c.in.readInt()).isEqualTo(8 + 512);
            assertThat(c.in.readLong()).isZero();
            c.in.readFully(new byte[512]);
            c.request(8, 7, 3, 0, SIZE, null); // REQ_ONE
            assertThat(c.in.readInt()).isEqualTo(0x668e33ef);
            c.in.readUnsignedShort();
            assertThat(c.in.readUnsignedShort()).isEqualTo(5);
            assertThat(c.in.readLong()).isEqualTo(3);
            assertThat(c.in.readInt()).isEqualTo(12);
            assertThat(c.in.readInt()).isEqualTo(1); // context id
            assertThat(c.in.readInt()).isEqualTo(65536); // the hole before the write
            assertThat(c.in.readInt()).isEqualTo(3); // HOLE | ZERO
            c.request(0, 0, 4, SIZE, 512, null); // past the end: a structured ERROR chunk
            assertThat(c.in.readInt()).isEqualTo(0x668e33ef);
            assertThat(c.in.readUnsignedShort()).isEqualTo(1);
            assertThat(c.in.readUnsignedShort()).isEqualTo(0x8001);
            assertThat(c.in.readLong()).isEqualTo(4);
            byte[] payload = new byte[c.in.readInt()];
            c.in.readFully(payload);
            assertThat(ByteBuffer.wrap(payload).getInt()).isEqualTo(22);
        }
    }

    /**
     * Issue 12: a READ of 0xffffffff bytes used to drop the connection with no reply. proto.md answers
     * requests outside the size constraints with an error where it can: EINVAL, and the connection goes
     * on. The image is larger than the requests, so only their length is wrong.
     */
    @Test
    void anOverlongReadGetsEinvalAndTheConnectionGoesOn() throws Exception {
        store.create("big", 64L << 20, false); // sparse
        try (var c = client()) {
            c.go("big", false);
            c.request(0, 0, 1, 0, 0xffffffffL, null);
            assertThat(c.simpleReply()).containsExactly(22, 1);
            c.request(0, 0, 2, 0, (32 << 20) + 1, null);
            assertThat(c.simpleReply()).containsExactly(22, 2);
            c.request(0, 0, 3, 0, 32 << 20, null); // the maximum itself is served
            assertThat(c.simpleReply()).containsExactly(0, 3);
            c.in.readFully(new byte[32 << 20]);
            c.request(0, 0, 4, 512, 512, null);
            assertThat(c.simpleReply()).containsExactly(0, 4);
            c.in.readFully(new byte[512]);
        }
        try (var c = client()) {
            c.go("big", true);
            c.request(0, 0, 5, 0, 0xffffffffL, null); // structured: an ERROR chunk
            assertThat(c.in.readInt()).isEqualTo(0x668e33ef);
            assertThat(c.in.readUnsignedShort()).isEqualTo(1); // DONE
            assertThat(c.in.readUnsignedShort()).isEqualTo(0x8001); // ERROR
            assertThat(c.in.readLong()).isEqualTo(5);
            byte[] payload = new byte[c.in.readInt()];
            c.in.readFully(payload);
            assertThat(ByteBuffer.wrap(payload).getInt()).isEqualTo(22);
            c.request(0, 7, 6, 0, 512, null); // BLOCK_STATUS still answered on the same connection
            assertThat(c.in.readInt()).isEqualTo(0x668e33ef);
        }
    }

    @Test
    void oversizedWritesAndBadMagicDisconnect() throws Exception {
        try (var c = client()) {
            c.go("disk", false);
            // A WRITE's payload follows its header: over 32 MiB it is not read through (docs/block.md).
            c.request(0, 1, 1, 0, (32 << 20) + 1, null);
            assertThat(c.closedByServer()).isTrue();
        }
        try (var c = client()) {
            c.go("disk", false);
            c.out.write(new byte[28]);
            c.out.flush();
            assertThat(c.closedByServer()).isTrue();
        }
        try (var c = client()) {
            c.go("disk", false); // the image was released by the dropped connections
            c.request(0, 0, 1, 0, 512, null);
            assertThat(c.simpleReply()).containsExactly(0, 1);
        }
    }
}
