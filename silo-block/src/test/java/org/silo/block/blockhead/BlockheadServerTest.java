package org.silo.block.blockhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.silo.block.blockhead.RawBlockheadClient.*;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.silo.block.image.ImageStore;

/** The server against a client built from the seed's layout; one test per rule of seed 001 (docs/block.md, "Blockhead"). */
class BlockheadServerTest {
    private static final long IMAGE_SIZE = 1 << 20;

    @TempDir
    Path dir;

    ImageStore store;
    BlockheadServer server;

    @BeforeEach
    void start() throws Exception {
        store = new ImageStore(dir.resolve("images"));
        store.create("disk", IMAGE_SIZE, false);
        store.create("test.img", IMAGE_SIZE, false);
        store.create("rom", IMAGE_SIZE, true);
        server = BlockheadServer.builder(store)
                .port(0)
                .maxSessions(4)
                .maxSessionsPerAddress(3)
                .idleTimeout(Duration.ofSeconds(30))
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RawBlockheadClient client() throws Exception {
        return new RawBlockheadClient(server.port());
    }

    private static byte[] sector(int size, int fill) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) fill);
        return b;
    }

    @Test
    void keepIsAnsweredWithOneByte() throws Exception {
        try (var c = client()) {
            assertThat(c.exchange(new byte[] {4})).containsExactly(4);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void everySectorSizeReadsAndWritesFirstAndLastSector(int code) throws Exception {
        int size = 128 << code;
        long last = IMAGE_SIZE / size - 1;
        try (var c = client()) {
            byte[] r = c.exchange(connect(7, code, "disk"));
            assertThat(r).hasSize(5).startsWith(2, 7, 0);
            int sid = session(r);
            assertThat(c.exchange(write(8, sid, 0, sector(size, 0x11)))).containsExactly(2, 8, 0);
            assertThat(c.exchange(write(9, sid, last, sector(size, 0x22)))).containsExactly(2, 9, 0);
            byte[] first = c.exchange(read(10, sid, 0));
            assertThat(first).hasSize(4 + size).startsWith(2, 10, 0, 0);
            assertThat(Arrays.copyOfRange(first, 4, first.length)).isEqualTo(sector(size, 0x11));
            byte[] end = c.exchange(read(11, sid, last));
            assertThat(Arrays.copyOfRange(end, 4, end.length)).isEqualTo(sector(size, 0x22));
            // One past the end, and the LSN whose 32-bit product would wrap to 0 in the reference.
            assertThat(c.exchange(read(12, sid, last + 1))).containsExactly(2, 12, 5);
            assertThat(c.exchange(read(13, sid, 0xFFFFFFFFL))).containsExactly(2, 13, 5);
            assertThat(c.exchange(write(14, sid, (1L << 32) / size, sector(size, 1))))
                    .containsExactly(2, 14, 5);
            assertThat(c.exchange(discon(15, sid))).containsExactly(2, 15, 0);
        }
        assertThat(store.info("disk").sizeBytes()).isEqualTo(IMAGE_SIZE); // never grows
    }

    @Test
    void badFlagsAreErrorSeven() throws Exception {
        try (var c = client()) {
            for (int flags = 3; flags <= 7; flags++) {
                assertThat(c.exchange(connect(1, flags, "disk"))).containsExactly(2, 1, 7);
            }
        }
    }

    @Test
    void unknownImageAndUnsafeNamesAreErrorTwo() throws Exception {
        try (var c = client()) {
            assertThat(c.exchange(connect(1, 2, "nope"))).containsExactly(2, 1, 2);
            assertThat(c.exchange(connect(2, 2, "../images/disk"))).containsExactly(2, 2, 2);
            assertThat(c.exchange(connect(3, 2, ".."))).containsExactly(2, 3, 2);
            assertThat(c.exchange(connect(4, 2, "/etc/passwd"))).containsExactly(2, 4, 2);
            assertThat(c.exchange(connect(5, 2, "a\\b"))).containsExactly(2, 5, 2);
        }
    }

    @Test
    void emptyNameOpensTheDefaultImage() throws Exception {
        try (var c = client()) {
            byte[] r = c.exchange(connect(1, 2, ""));
            assertThat(r).hasSize(5).startsWith(2, 1, 0);
            assertThat(store.info("test.img").holders()).hasSize(1);
        }
    }

    @Test
    void badPacketsAreErrorThree() throws Exception {
        try (var c = client()) {
            int sid = session(c.exchange(connect(1, 2, "disk")));
            assertThat(c.exchange(write(2, sid, 0, new byte[511]))).containsExactly(2, 2, 3);
            assertThat(c.exchange(write(3, sid, 0, new byte[513]))).containsExactly(2, 3, 3);
            assertThat(c.exchange(Arrays.copyOf(read(4, sid, 0), 11))).containsExactly(2, 4, 3);
            assertThat(c.exchange(Arrays.copyOf(read(5, sid, 0), 9))).containsExactly(2, 5, 3);
            assertThat(c.exchange(command(6, sid, 2, 0, null))).containsExactly(2, 6, 3);
            assertThat(c.exchange(new byte[] {9, 7})).containsExactly(2, 7, 3);
            assertThat(c.exchange(new byte[] {3, 8, 0})).containsExactly(2, 8, 3);
            assertThat(c.exchange(new byte[] {4, 9})).containsExactly(2, 9, 3);
            byte[] noNul = new byte[3 + 256];
            Arrays.fill(noNul, 3, noNul.length, (byte) 'a');
            noNul[1] = 10;
            assertThat(c.exchange(noNul)).containsExactly(2, 10, 3);
            // Nothing comes back for an empty datagram, a lone non-KEEP byte or a REPLY.
            c.send(new byte[0]);
            c.send(new byte[] {1});
            c.send(new byte[] {2, 1, 0});
            assertThat(c.silentFor(300)).isTrue();
            // And the session still works.
            assertThat(c.exchange(read(11, sid, 0))).hasSize(516);
        }
    }

    @Test
    void unknownOrForeignSessionIsErrorFour() throws Exception {
        try (var a = client();
                var b = client()) {
            int sid = session(a.exchange(connect(1, 2, "disk")));
            assertThat(b.exchange(read(2, sid, 0))).containsExactly(2, 2, 4);
            assertThat(b.exchange(discon(3, sid))).containsExactly(2, 3, 4);
            assertThat(a.exchange(read(4, sid ^ 1, 0))).containsExactly(2, 4, 4);
            assertThat(a.exchange(discon(5, sid))).containsExactly(2, 5, 0);
            assertThat(a.exchange(read(6, sid, 0))).containsExactly(2, 6, 4);
        }
    }

    @Test
    void writeToReadOnlyImageIsErrorSix() throws Exception {
        try (var c = client()) {
            int sid = session(c.exchange(connect(1, 0, "rom")));
            assertThat(c.exchange(read(2, sid, 0))).hasSize(4 + 128);
            assertThat(c.exchange(write(3, sid, 0, sector(128, 1)))).containsExactly(2, 3, 6);
        }
    }

    @Test
    void sessionCapsAreErrorOne() throws Exception {
        try (var a = client();
                var b = client()) {
            store.create("d2", IMAGE_SIZE, false);
            store.create("d3", IMAGE_SIZE, false);
            store.create("d4", IMAGE_SIZE, false);
            assertThat(a.exchange(connect(1, 2, "disk"))).hasSize(5);
            assertThat(a.exchange(connect(2, 2, "d2"))).hasSize(5);
            assertThat(a.exchange(connect(3, 2, "d3"))).hasSize(5);
            assertThat(a.exchange(connect(4, 2, "d4"))).containsExactly(2, 4, 1); // per address: 3
        }
    }

    @Test
    void anIdenticalRepeatIsAnsweredFromTheSavedReplyNotExecuted() throws Exception {
        try (var c = client()) {
            int sid = session(c.exchange(connect(1, 2, "disk")));
            assertThat(c.exchange(write(42, sid, 3, sector(512, 0xAA)))).containsExactly(2, 42, 0);
            assertThat(c.exchange(write(43, sid, 3, sector(512, 0xBB)))).containsExactly(2, 43, 0);
            // The repeat of seq 42 (our reply was lost, or the network duplicated it) must not run.
            assertThat(c.exchange(write(42, sid, 3, sector(512, 0xAA)))).containsExactly(2, 42, 0);
            byte[] r = c.exchange(read(44, sid, 3));
            assertThat(Arrays.copyOfRange(r, 4, r.length)).isEqualTo(sector(512, 0xBB));
            assertThat(c.exchange(read(44, sid, 3))).isEqualTo(r);
            assertThat(server.counters().snapshot().get("replays")).isEqualTo(2);
            assertThat(server.counters().snapshot().get("writes")).isEqualTo(2);
        }
    }

    /** Issue 12: WRITE seq 4 "A", WRITE seq 5 "B", a delayed copy of seq 4, READ: "B". */
    @Test
    void aLateDuplicateOfAnOlderWriteDoesNotRollTheSectorBack() throws Exception {
        try (var c = client()) {
            int sid = session(c.exchange(connect(3, 2, "disk")));
            byte[] seq4 = write(4, sid, 5, sector(512, 'A'));
            assertThat(c.exchange(seq4)).containsExactly(2, 4, 0);
            assertThat(c.exchange(write(5, sid, 5, sector(512, 'B')))).containsExactly(2, 5, 0);
            assertThat(c.exchange(seq4)).containsExactly(2, 4, 0);
            byte[] r = c.exchange(read(6, sid, 5));
            assertThat(Arrays.copyOfRange(r, 4, r.length)).isEqualTo(sector(512, 'B'));
        }
    }

    /** Issue 12: a client that never increments: READ seq 9 lsn 1, then READ seq 9 lsn 2. */
    @Test
    void aReusedSequenceNumberWithADifferentRequestIsExecuted() throws Exception {
        try (var c = client()) {
            int sid = session(c.exchange(connect(9, 2, "disk")));
            assertThat(c.exchange(write(9, sid, 1, sector(512, 0x11)))).containsExactly(2, 9, 0);
            assertThat(c.exchange(write(9, sid, 2, sector(512, 0x22)))).containsExactly(2, 9, 0);
            byte[] one = c.exchange(read(9, sid, 1));
            byte[] two = c.exchange(read(9, sid, 2));
            assertThat(Arrays.copyOfRange(one, 4, one.length)).isEqualTo(sector(512, 0x11));
            assertThat(Arrays.copyOfRange(two, 4, two.length)).isEqualTo(sector(512, 0x22));
            assertThat(server.counters().snapshot().get("replays")).isZero();
        }
    }

    /**
     * After 128 newer requests a number is out of the window: its next use is a new request even
     * when its bytes are the same as last lap's (a WRITE of the same data after other writes).
     */
    @Test
    void theWindowForgetsTheLastLapSoAWrappedNumberIsANewRequest() throws Exception {
        try (var c = client()) {
            int sid = session(c.exchange(connect(0, 2, "disk")));
            byte[] a = write(1, sid, 7, sector(512, 'A'));
            assertThat(c.exchange(a)).containsExactly(2, 1, 0);
            int seq = 1;
            for (int i = 0; i < 255; i++) { // seq 2 .. 256 = 0: each a write of "B"
                seq = (seq + 1) & 0xff;
                assertThat(c.exchange(write(seq, sid, 7, sector(512, 'B')))).containsExactly(2, seq, 0);
            }
            assertThat(c.exchange(a)).containsExactly(2, 1, 0); // seq 1 again, next lap: it runs
            byte[] r = c.exchange(read(2, sid, 7));
            assertThat(Arrays.copyOfRange(r, 4, r.length)).isEqualTo(sector(512, 'A'));
        }
    }

    @Test
    void aRetriedDisconnectGetsItsOkAgain() throws Exception {
        try (var c = client()) {
            int sid = session(c.exchange(connect(1, 2, "disk")));
            assertThat(c.exchange(discon(2, sid))).containsExactly(2, 2, 0);
            assertThat(c.exchange(discon(2, sid))).containsExactly(2, 2, 0); // our OK was lost
            assertThat(c.exchange(discon(3, sid))).containsExactly(2, 3, 4); // a new request: gone
            assertThat(c.exchange(read(4, sid, 0))).containsExactly(2, 4, 4);
        }
    }

    @Test
    void lostConnectReplyRetriedGivesTheSameSession() throws Exception {
        try (var c = client()) {
            byte[] first = c.exchange(connect(9, 2, "disk"));
            assertThat(c.exchange(connect(9, 2, "disk"))).isEqualTo(first);
            assertThat(store.info("disk").holders()).hasSize(1);
        }
    }

    @Test
    void secondWriterIsRefusedUntilTheFirstDisconnects() throws Exception {
        try (var a = client();
                var b = client()) {
            int sid = session(a.exchange(connect(1, 2, "disk")));
            assertThat(b.exchange(connect(1, 2, "disk"))).containsExactly(2, 1, 2);
            a.exchange(discon(2, sid));
            assertThat(b.exchange(connect(3, 2, "disk"))).hasSize(5).startsWith(2, 3, 0);
        }
    }

    @Test
    void idleSessionsAreClosedAndTheirImageReleased() throws Exception {
        server.close();
        server = BlockheadServer.builder(store)
                .port(0)
                .idleTimeout(Duration.ofMillis(200))
                .build()
                .start();
        try (var a = client()) {
            int sid = session(a.exchange(connect(1, 2, "disk")));
            Awaitility.await()
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> store.info("disk").holders().isEmpty());
            assertThat(a.exchange(read(2, sid, 0))).containsExactly(2, 2, 4);
        }
    }

    @Test
    void sessionIdsAreNotSequential() throws Exception {
        try (var a = client()) {
            store.create("d2", IMAGE_SIZE, false);
            store.create("d3", IMAGE_SIZE, false);
            int s1 = session(a.exchange(connect(1, 2, "disk")));
            int s2 = session(a.exchange(connect(2, 2, "d2")));
            int s3 = session(a.exchange(connect(3, 2, "d3")));
            assertThat(s1).isNotEqualTo(s2).isNotEqualTo(s3);
            assertThat(s2 - s1 == 1 && s3 - s2 == 1).isFalse();
        }
    }

    /**
     * Seed 001's CONNECT PACKET has a fixed 256-byte image file name field: a client that sends the
     * whole field, NUL-padded (259 bytes in all), must be served like one that stops at the NUL.
     */
    @Test
    void aFullyPaddedConnectOfTheSeedsFixedSizeIsServed() throws Exception {
        byte[] padded = new byte[3 + 256];
        padded[0] = 0; // TYPE_CONNECT
        padded[1] = 21;
        padded[2] = 2; // 512-byte sectors
        byte[] name = "disk".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, padded, 3, name.length); // the rest of the field stays NUL
        try (var c = client()) {
            byte[] r = c.exchange(padded);
            assertThat(r).hasSize(5).startsWith(2, 21, 0);
            int sid = session(r);
            assertThat(c.exchange(write(22, sid, 3, sector(512, 0x5A)))).containsExactly(2, 22, 0);
            byte[] back = c.exchange(read(23, sid, 3));
            assertThat(Arrays.copyOfRange(back, 4, back.length)).isEqualTo(sector(512, 0x5A));
        }
        // a 256-byte name with no NUL inside the field is not a name: error 3, nothing opened
        byte[] unterminated = Arrays.copyOf(padded, padded.length);
        Arrays.fill(unterminated, 3, unterminated.length, (byte) 'a');
        try (var c = client()) {
            assertThat(c.exchange(unterminated)).containsExactly(2, 21, 3);
        }
    }
}
