package org.silo.wire.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.silo.wire.LossyUdpProxy;
import org.silo.wire.RawUdp;
import org.silo.wire.WireConstants;
import org.silo.wire.auth.Authenticator;
import org.silo.wire.auth.Grants;
import org.silo.wire.auth.LoginThrottle;
import org.silo.wire.auth.Right;
import org.silo.wire.auth.Scram;
import org.silo.wire.codec.Envelope;
import org.silo.wire.codec.Frame;
import org.silo.wire.codec.FrameCodec;
import org.silo.wire.codec.OperationData;
import org.silo.wire.codec.Result;
import org.silo.wire.codec.WireReader;
import org.silo.wire.codec.WireWriter;
import org.silo.wire.op.Codecs;
import org.silo.wire.op.CoreOps;
import org.silo.wire.op.Operation;
import org.silo.wire.op.SessionOps;
import org.silo.wire.op.SessionOps.StartReply;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.WireServer;
import org.silo.wire.server.WireServerConfig;

/**
 * A client whose server forgot its session (a restart) starts a new one by itself, logged in as before;
 * the services hear of every session's end once (seed 002's ACTION_NETWORK_END), by END before END is
 * answered, and by expiry.
 */
class NewSessionTest {
    static final Operation<byte[], byte[]> ADMIN_OP = new Operation<>(0x7F41, "rule", Codecs.BYTES, Codecs.BYTES);
    static final Operation<byte[], byte[]> NOTE = new Operation<>(0x7F42, "note", Codecs.BYTES, Codecs.BYTES);

    /** What a server saw of each NOTE: its session, the session's client id and the request id. */
    record Seen(long session, long clientId, long requestId) {}

    final List<Seen> seen = new CopyOnWriteArrayList<>();

    final Scram.Verifier alice = Scram.Verifier.of("wonderland".toCharArray(), Scram.MIN_ITERATIONS);
    final LoginThrottle throttle = new LoginThrottle();
    final Authenticator lists = new Authenticator() {
        @Override
        public LoginThrottle throttle() {
            return throttle;
        }

        @Override
        public Grants anonymous(InetAddress peer) {
            return Grants.READ;
        }

        @Override
        public Optional<AccessList> list(String name) {
            return name.equals("alice") ? Optional.of(new AccessList("alice", alice, Grants.ALL)) : Optional.empty();
        }
    };

    /** Sessions ended, by id: true if by expiry. */
    final Map<Long, Boolean> ended = new ConcurrentHashMap<>();

    final AtomicInteger endings = new AtomicInteger();
    WireServer server;

    WireServer start(int port, WireServerConfig config) throws InterruptedException {
        Dispatcher d = new Dispatcher();
        d.register(CoreOps.PING, (ctx, data) -> data);
        d.register(ADMIN_OP, "test", Right.ADMIN, (ctx, b) -> b);
        d.registerBlocking(NOTE, (ctx, b) -> {
            seen.add(new Seen(ctx.session().id(), ctx.session().clientId(), ctx.requestId()));
            return b;
        });
        d.onSessionEnd((s, expired) -> {
            endings.incrementAndGet();
            ended.put(s.id(), expired);
        });
        return WireServer.start(InetAddress.getLoopbackAddress(), port, config, d, new SimpleMeterRegistry(), lists);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aCallAfterTheServerRestartedRunsInANewSessionLoggedInAsBefore() throws Exception {
        server = start(0, WireServerConfig.DEFAULTS);
        int port = server.port();
        try (SiloClient c = SiloClient.connect(ClientOptions.to(server.address()))) {
            c.login("alice", "wonderland".toCharArray());
            assertThat(c.call(ADMIN_OP, new byte[] {1})).containsExactly(1);
            long before = c.sessionId();

            server.close(); // the server forgets every session, as a restarted one has
            server = start(port, WireServerConfig.DEFAULTS);

            assertThat(c.call(ADMIN_OP, new byte[] {2}))
                    .as("a new session, with alice's rights again")
                    .containsExactly(2);
            assertThat(c.sessionId()).isNotEqualTo(before).isNotZero();
            assertThat(c.rights()).isNotEmpty();
            assertThat(server.endpoint().sessionCount()).isEqualTo(1);
        }
    }

    /**
     * Issue 17: the server ran the call, its answer was lost, and it restarted; the call's next repeat is
     * answered DISOLVE. The client sends it again in its new session with the same request id, the one the
     * archive's record of the call is kept by (docs/archive.md, "At most once across servers"), and keeps
     * that id below {@code released} meanwhile, or the new session would drop the repeat as stale.
     */
    @Test
    void aCallRunButUnansweredBeforeARestartIsSentAgainWithItsRequestId() throws Exception {
        server = start(0, WireServerConfig.DEFAULTS);
        int port = server.port();
        try (LossyUdpProxy proxy = new LossyUdpProxy(server.address(), 0, 0, 0, 1);
                SiloClient c = SiloClient.connect(ClientOptions.to(proxy.address())
                        .withRetries(1000) // given up only at the deadline, however long the restart takes
                        .withDeadline(Duration.ofMinutes(2)))) {
            proxy.withholdReplies.set(true); // the server runs the call; its answers never arrive
            CompletableFuture<byte[]> call = c.callAsync(NOTE, new byte[] {5});
            await().atMost(Duration.ofMinutes(2)).until(() -> seen.size() == 1);

            server.close();
            server = start(port, WireServerConfig.DEFAULTS);
            proxy.withholdReplies.set(false);

            assertThat(SiloClient.await(call)).containsExactly(5);
            assertThat(seen).hasSize(2);
            Seen first = seen.get(0);
            Seen again = seen.get(1);
            assertThat(again.requestId()).as("the same request id").isEqualTo(first.requestId());
            assertThat(again.clientId()).isEqualTo(first.clientId()).isEqualTo(c.clientId());
            assertThat(again.session()).as("in a new session").isNotEqualTo(first.session());
        }
    }

    @Test
    void endTellsTheServicesBeforeItIsAnsweredAndOnlyOnce() throws Exception {
        server = start(0, WireServerConfig.DEFAULTS);
        SiloClient c = SiloClient.connect(ClientOptions.to(server.address()));
        long id = c.sessionId();
        c.close(Duration.ofMinutes(2)); // returns when END is answered
        assertThat(ended).containsExactly(Map.entry(id, false));
        assertThat(endings.get()).isEqualTo(1);
        assertThat(server.endpoint().sessionCount()).isZero();
    }

    @Test
    void aSilentSessionIsToldAsExpired() throws Exception {
        server = start(0, WireServerConfig.DEFAULTS.withSessionIdle(Duration.ofSeconds(1)));
        long id;
        try (RawUdp raw = new RawUdp(server.address())) {
            id = startSession(raw);
        } // and then not a word
        await().atMost(Duration.ofMinutes(2)).until(() -> ended.containsKey(id));
        assertThat(ended).containsExactly(Map.entry(id, true));
        assertThat(endings.get()).isEqualTo(1);
    }

    /** START by hand (cookie, then session), sent again until answered. */
    private static long startSession(RawUdp raw) throws Exception {
        byte[] cookie = new byte[0];
        for (long request = 1; request < 1000; request++) {
            WireWriter w = new WireWriter().lengthPrefixed(cookie).bytes(new byte[WireConstants.START_PADDED_SIZE]);
            raw.send(Frame.request(
                    0,
                    request,
                    0,
                    Envelope.of(new OperationData(SessionOps.START, w.toByteArray()))
                            .encode()));
            byte[] answer = raw.receive(1000);
            if (answer == null) {
                continue;
            }
            Frame f = FrameCodec.decode(answer);
            Result r = Result.decode(Envelope.decode(f.body()).operations().get(0));
            StartReply reply = SessionOps.START_REPLY.decode(new WireReader(((Result.Success) r).data()));
            switch (reply) {
                case StartReply.Cookie c -> cookie = c.cookie();
                case StartReply.Session s -> {
                    return s.sessionId();
                }
            }
        }
        throw new AssertionError("no session");
    }
}
