package org.silo.wire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.silo.wire.ErrorCode;
import org.silo.wire.RawUdp;
import org.silo.wire.SiloException;
import org.silo.wire.TestServer;
import org.silo.wire.WireConstants;
import org.silo.wire.client.SiloClient;
import org.silo.wire.codec.Envelope;
import org.silo.wire.codec.Frame;
import org.silo.wire.codec.FrameCodec;
import org.silo.wire.codec.OperationData;
import org.silo.wire.codec.Result;
import org.silo.wire.codec.WireReader;
import org.silo.wire.codec.WireWriter;
import org.silo.wire.op.CoreOps;
import org.silo.wire.op.SessionOps;
import org.silo.wire.op.SessionOps.StartReply;

/** Seed 002's session life cycle, the address cookie and DISOLVE, spoken byte by byte. */
class SessionTest {
    /** How long a busy machine may take to do what is awaited; nothing here waits for it otherwise. */
    private static final Duration PATIENCE = Duration.ofMinutes(2);

    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Frame start(long requestId, byte[] cookie, int padTo) {
        WireWriter w = new WireWriter();
        w.lengthPrefixed(cookie);
        byte[] env = Envelope.of(new OperationData(SessionOps.START, w.toByteArray()))
                .encode();
        int pad = Math.max(0, padTo - WireConstants.MIN_FRAME - env.length);
        WireWriter padded = new WireWriter().lengthPrefixed(cookie).bytes(new byte[pad]);
        byte[] body = Envelope.of(new OperationData(SessionOps.START, padded.toByteArray()))
                .encode();
        return Frame.request(0, requestId, 0, body);
    }

    private static StartReply startReply(Frame f) throws SiloException {
        assertThat(f.isReply()).isTrue();
        assertThat(f.isError())
                .as("error: %s", f.isError() ? FrameCodec.readError(f) : null)
                .isFalse();
        Result r = Result.decode(Envelope.decode(f.body()).operations().get(0));
        return SessionOps.START_REPLY.decode(new WireReader(((Result.Success) r).data()));
    }

    @Test
    void startProvesTheAddressWithAStatelessCookie() throws Exception {
        server = new TestServer();
        try (RawUdp raw = new RawUdp(server.address())) {
            raw.send(start(1, new byte[0], 0));
            await().atMost(PATIENCE).until(() -> server.counter("silo.wire.dropped", "reason", "amplification") == 1);
            assertThat(raw.receive(100))
                    .as("an unpadded START gets nothing: the cookie is larger")
                    .isNull();

            Frame padded = start(2, new byte[0], WireConstants.START_PADDED_SIZE);
            raw.send(padded);
            byte[] answer = raw.receive((int) PATIENCE.toMillis());
            assertThat(answer.length)
                    .as("never more bytes than received")
                    .isLessThanOrEqualTo(FrameCodec.encode(padded).length);
            StartReply cookie = startReply(FrameCodec.decode(answer));
            assertThat(cookie).isInstanceOf(StartReply.Cookie.class);
            assertThat(server.server.endpoint().sessionCount())
                    .as("no state before the cookie comes back")
                    .isZero();

            raw.send(start(3, new byte[24], WireConstants.START_PADDED_SIZE));
            assertThat(startReply(raw.receiveFrame()))
                    .as("a forged cookie gets a fresh one")
                    .isInstanceOf(StartReply.Cookie.class);

            byte[] good = ((StartReply.Cookie) cookie).cookie();
            try (RawUdp elsewhere = new RawUdp(server.address(), InetAddress.getByName("127.0.0.2"))) {
                elsewhere.send(start(4, good, WireConstants.START_PADDED_SIZE));
                assertThat(startReply(elsewhere.receiveFrame()))
                        .as("a cookie works only for its address")
                        .isInstanceOf(StartReply.Cookie.class);
            }

            raw.send(start(5, good, WireConstants.START_PADDED_SIZE));
            StartReply.Session s = (StartReply.Session) startReply(raw.receiveFrame());
            assertThat(s.sessionId()).isNotZero();
            assertThat(s.maxDatagram()).isEqualTo(WireConstants.DEFAULT_MAX_DATAGRAM);
            raw.send(start(5, good, WireConstants.START_PADDED_SIZE));
            assertThat(((StartReply.Session) startReply(raw.receiveFrame())).sessionId())
                    .as("a repeated START gets the same session")
                    .isEqualTo(s.sessionId());
            assertThat(server.server.endpoint().sessionCount()).isEqualTo(1);
        }
    }

    @Test
    void nilIsAnsweredNotKnownAndSnameIsKept() throws Exception {
        server = new TestServer();
        try (SiloClient client = server.client()) {
            var reply = client.send(Envelope.of(new OperationData(SessionOps.NIL, new byte[0])), false)
                    .get();
            assertThat(reply.results()).singleElement().satisfies(r -> {
                assertThat(r).isInstanceOf(Result.Success.class);
                assertThat(r.code()).isEqualTo(SessionOps.NOT_KNOWN);
            });
        }
    }

    @Test
    void endedAndUnknownSessionsGetDisolve() throws Exception {
        server = new TestServer();
        SiloClient client = server.client();
        long session = client.sessionId();
        client.close();
        // END is answered before the session goes, and close() waits for the answer only briefly
        await().atMost(PATIENCE).until(() -> server.server.endpoint().sessionCount() == 0);
        try (RawUdp raw = new RawUdp(server.address())) {
            byte[] ping = Envelope.of(new OperationData(CoreOps.PING.code(), new byte[8]))
                    .encode();
            raw.send(Frame.request(session, 99, 0, ping));
            SiloException e = FrameCodec.readError(raw.receiveFrame());
            assertThat(e.code()).isEqualTo(ErrorCode.DISOLVE);
            raw.send(Frame.request(0x5EED, 1, 0, ping));
            assertThat(FrameCodec.readError(raw.receiveFrame()).code()).isEqualTo(ErrorCode.DISOLVE);
            raw.send(Frame.request(0x5EED, 2, 0, new byte[0]));
            await().atMost(PATIENCE).until(() -> server.counter("silo.wire.dropped", "reason", "amplification") == 1);
            assertThat(raw.receive(100))
                    .as("DISOLVE is not sent when larger than what came in")
                    .isNull();
        }
    }

    @Test
    void aSessionAnswersOnlyItsOwnAddress() throws Exception {
        server = new TestServer();
        try (SiloClient client = server.client();
                RawUdp other = new RawUdp(server.address(), InetAddress.getByName("127.0.0.2"))) {
            byte[] ping = Envelope.of(new OperationData(CoreOps.PING.code(), new byte[8]))
                    .encode();
            other.send(Frame.request(client.sessionId(), 1, 0, ping));
            assertThat(FrameCodec.readError(other.receiveFrame()).code()).isEqualTo(ErrorCode.DISOLVE);
            assertThat(client.call(CoreOps.PING, new byte[] {1})).containsExactly(1);
        }
    }

    /**
     * An idle client sends NIL every third of the idle time (2 s of 6): once the server has had four of
     * them, the session has outlived its idle time on them alone. Only a client stalled for a whole
     * 3.5 s margin could fail this.
     */
    @Test
    void keepaliveHoldsAnIdleClientsSession() throws Exception {
        server = new TestServer(WireServerConfig.DEFAULTS.withSessionIdle(Duration.ofSeconds(6)), d -> {});
        try (SiloClient kept = server.client()) {
            double before = server.counter("silo.wire.requests");
            await().atMost(PATIENCE).until(() -> server.counter("silo.wire.requests") >= before + 4);
            assertThat(server.server.endpoint().sessionCount()).isEqualTo(1);
            assertThat(kept.call(CoreOps.PING, new byte[] {7})).containsExactly(7);
        }
    }

    @Test
    void aSessionWithoutTrafficExpires() throws Exception {
        server = new TestServer(WireServerConfig.DEFAULTS.withSessionIdle(Duration.ofSeconds(1)), d -> {});
        try (RawUdp raw = new RawUdp(server.address())) {
            raw.send(start(1, new byte[0], WireConstants.START_PADDED_SIZE));
            byte[] cookie = ((StartReply.Cookie) startReply(raw.receiveFrame())).cookie();
            raw.send(start(2, cookie, WireConstants.START_PADDED_SIZE));
            long id = ((StartReply.Session) startReply(raw.receiveFrame())).sessionId();
            assertThat(id).as("a session was made").isNotZero();
            await().atMost(PATIENCE).until(() -> server.server.endpoint().sessionCount() == 0);
            raw.send(Frame.request(
                    id,
                    3,
                    0,
                    Envelope.of(new OperationData(CoreOps.PING.code(), new byte[8]))
                            .encode()));
            assertThat(FrameCodec.readError(raw.receiveFrame()).code()).isEqualTo(ErrorCode.DISOLVE);
        }
    }
}
