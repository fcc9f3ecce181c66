package org.silo.wire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.silo.wire.TestServer;
import org.silo.wire.client.SiloClient;
import org.silo.wire.codec.Envelope;
import org.silo.wire.codec.Frame;
import org.silo.wire.codec.FrameCodec;
import org.silo.wire.codec.OperationData;
import org.silo.wire.op.CoreOps;
import org.silo.wire.op.SessionOps;

/**
 * Seed 000's "grad student abuse": 100,000 garbage datagrams (random bytes, well-formed frames for
 * sessions that do not exist, padded STARTs) and 1,000 TCP connections that never send a frame, while a
 * real client keeps calling. Its calls keep succeeding, and what the server holds stays bounded.
 */
class FloodTest {

    @Test
    @Timeout(600)
    void aRealClientKeepsWorkingThroughAFlood() throws Exception {
        // the kernel drops some of the real client's datagrams too while the socket buffer is full of
        // junk: give it the retry budget a lossy network needs (as the loss test does)
        try (TestServer server = new TestServer();
                SiloClient client = SiloClient.connect(server.options().withRetries(12))) {
            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicLong ok = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            java.util.concurrent.atomic.AtomicReference<String> lastFailure =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Thread user = new Thread(() -> {
                while (flooding.get()) {
                    try {
                        client.call(CoreOps.PING, new byte[] {1, 2, 3});
                        ok.incrementAndGet();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        lastFailure.set(e.toString());
                    }
                }
            });
            user.start();

            InetSocketAddress target = server.address();
            List<Socket> halfOpen = new ArrayList<>();
            long floodStarted = System.nanoTime();
            try (DatagramSocket junk = new DatagramSocket()) {
                Random random = new Random(99);
                byte[] start = FrameCodec.encode(Frame.request(
                        0,
                        1,
                        0,
                        Envelope.of(new OperationData(SessionOps.START, new byte[250]))
                                .encode()));
                for (int i = 0; i < 100_000; i++) {
                    byte[] d = switch (i % 3) {
                        case 0 -> randomBytes(random);
                        case 1 ->
                            FrameCodec.encode(Frame.request(
                                    random.nextLong(),
                                    i,
                                    0,
                                    Envelope.of(new OperationData(CoreOps.PING.code(), new byte[16]))
                                            .encode()));
                        default -> start;
                    };
                    junk.send(new DatagramPacket(d, d.length, target));
                    if (i % 1000 == 0) {
                        Thread.sleep(1);
                    }
                    if (i % 100 == 0 && halfOpen.size() < 1000) {
                        try {
                            halfOpen.add(new Socket(target.getAddress(), target.getPort()));
                        } catch (java.io.IOException refused) {
                            // the backlog is full: also fine
                        }
                    }
                }
                long answersToFlooder = 0;
                junk.setSoTimeout(200);
                byte[] buf = new byte[2048];
                try {
                    while (true) {
                        junk.receive(new DatagramPacket(buf, buf.length));
                        answersToFlooder++;
                    }
                } catch (java.net.SocketTimeoutException drained) {
                    // counted what was answered
                }
                while (halfOpen.size() < 1000) {
                    halfOpen.add(new Socket(target.getAddress(), target.getPort()));
                }
                // The kernel has completed all 1000 handshakes; the server accepts them when it gets to it and
                // closes those beyond 64 at once. An admitted one keeps its place until the server closes it
                // for sending no frame in 10 s, so on a machine slow enough for the connections to span more
                // than 10 s a few more are admitted: at most 64 per 10 s.
                await().atMost(Duration.ofMinutes(2))
                        .until(() -> server.counter("silo.wire.dropped", "reason", "connection")
                                >= 1000
                                        - 64
                                                * (1
                                                        + TimeUnit.NANOSECONDS.toSeconds(
                                                                        System.nanoTime() - floodStarted)
                                                                / 10));
                flooding.set(false);
                user.join();

                assertThat(failed)
                        .as("the real client's calls all succeeded; last failure: %s", lastFailure)
                        .hasValue(0);
                assertThat(ok.get()).isPositive();
                assertThat(server.server.endpoint().sessionCount())
                        .as("no session was made by the flood")
                        .isEqualTo(1);
                assertThat(server.server.endpoint().replyCache().size()).isLessThanOrEqualTo(2);
                // 33,334 STARTs and 33,333 DISOLVEs were owed an answer (those the kernel did not drop first).
                // The per-address rate limit (100/s, bursts of 200) lets through at most what it allows in the
                // time the flood took, however long that was on this machine; every other owed answer was
                // dropped as "rate".
                double disolveOwed = server.counter("silo.wire.disolve");
                double rateDropped = server.counter("silo.wire.dropped", "reason", "rate");
                long allowed = 200 + 100 * (TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - floodStarted) + 1);
                assertThat(answersToFlooder)
                        .as("answers to the flooder, within the limit")
                        .isLessThanOrEqualTo(allowed);
                assertThat(disolveOwed).as("the server saw the flood").isPositive();
                assertThat(rateDropped)
                        .as("owed a DISOLVE but over the limit")
                        .isGreaterThanOrEqualTo(disolveOwed - allowed);
            } finally {
                for (Socket s : halfOpen) {
                    s.close();
                }
            }
            assertThat(client.call(CoreOps.PING, new byte[] {4})).containsExactly(4);
        }
    }

    private static byte[] randomBytes(Random r) {
        byte[] b = new byte[1 + r.nextInt(1200)];
        r.nextBytes(b);
        return b;
    }
}
