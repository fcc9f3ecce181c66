package org.silo.wire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.DataOutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.silo.wire.ErrorCode;
import org.silo.wire.RawUdp;
import org.silo.wire.TestServer;
import org.silo.wire.client.SiloClient;
import org.silo.wire.codec.Envelope;
import org.silo.wire.codec.Frame;
import org.silo.wire.codec.FrameCodec;
import org.silo.wire.codec.OperationData;
import org.silo.wire.codec.Result;
import org.silo.wire.op.CoreOps;

/** Garbage in: dropped or answered with a clear error; the server keeps serving and keeps nothing. */
class BadInputTest {
    private static final Duration PATIENCE = Duration.ofMinutes(2);

    private static double garbageDropped(TestServer server) {
        return server.counter("silo.wire.dropped", "reason", "crc")
                + server.counter("silo.wire.dropped", "reason", "short")
                + server.counter("silo.wire.dropped", "reason", "oversize");
    }

    @Test
    void randomDatagramsAreDroppedSilently() throws Exception {
        try (TestServer server = new TestServer();
                RawUdp raw = new RawUdp(server.address());
                SiloClient client = server.client()) {
            Random random = new Random(7);
            for (int i = 1; i <= 5000; i++) {
                byte[] junk = new byte[1 + random.nextInt(1500)];
                random.nextBytes(junk);
                raw.send(junk);
                if (i % 50 == 0) {
                    // bursts of 50, each counted before the next: a server slower than this loop must not
                    // lose datagrams in a full socket buffer (that is the kernel's doing, not the server's)
                    int sent = i;
                    await().atMost(PATIENCE)
                            .pollDelay(Duration.ZERO)
                            .pollInterval(Duration.ofMillis(1))
                            .until(() -> garbageDropped(server) == sent);
                }
            }
            assertThat(raw.receive(100))
                    .as("garbage gets no answer: no reflection, no amplification")
                    .isNull();
            assertThat(client.call(CoreOps.PING, new byte[] {5})).containsExactly(5);
            assertThat(garbageDropped(server)).isEqualTo(5000);
            assertThat(server.server.endpoint().replyCache().size()).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void aMalformedEnvelopeInASessionGetsMalformed() throws Exception {
        try (TestServer server = new TestServer();
                SiloClient client = server.client();
                RawUdp raw = new RawUdp(server.address())) {
            // the session is bound to 127.0.0.1, as is the raw socket: only its port differs
            raw.send(Frame.request(
                    client.sessionId(), 12345, 0, new byte[] {1, 0x01, 0x01, (byte) 0x85, 0, 0, 0, 0, 0}));
            Frame f = raw.receiveFrame();
            assertThat(f.isError()).isTrue();
            assertThat(FrameCodec.readError(f).code()).isEqualTo(ErrorCode.MALFORMED);
            raw.send(Frame.request(
                    client.sessionId(),
                    12346,
                    0,
                    Envelope.of(new OperationData(CoreOps.STATUS.code(), new byte[] {9}))
                            .encode()));
            Result r = Result.decode(
                    Envelope.decode(raw.receiveFrame().body()).operations().get(0));
            assertThat(r).isInstanceOf(Result.Failure.class);
            assertThat(client.call(CoreOps.PING, new byte[] {6})).containsExactly(6);
        }
    }

    @Test
    void anOversizedTcpRecordClosesOnlyThatConnection() throws Exception {
        try (TestServer server = new TestServer();
                SiloClient client = server.client();
                Socket s = new Socket(
                        server.address().getAddress(), server.address().getPort())) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(Integer.MAX_VALUE);
            out.write(new byte[1024]);
            out.flush();
            s.setSoTimeout((int) PATIENCE.toMillis());
            // closed: an end of stream, or a reset when the server closed with our bytes still unread in its
            // receive buffer (RFC 2525 §2.17: then the kernel answers the close with RST, not FIN)
            int end;
            try {
                end = s.getInputStream().read();
            } catch (java.net.SocketException e) {
                assertThat(e.getMessage()).as("connection closed").contains("reset");
                end = -1;
            }
            assertThat(end).as("connection closed").isEqualTo(-1);
            assertThat(client.call(CoreOps.PING, new byte[] {8})).containsExactly(8);
        }
    }
}
