package org.silo.wire.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.silo.wire.ErrorCode;
import org.silo.wire.LossyUdpProxy;
import org.silo.wire.SiloException;
import org.silo.wire.TestServer;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;
import org.silo.wire.codec.Frame;
import org.silo.wire.codec.FrameCodec;
import org.silo.wire.op.Codecs;
import org.silo.wire.op.Operation;
import org.silo.wire.server.WireServerConfig;

/** Seed 002's LOGIN/PASSWD with SCRAM-SHA-256, rights, and the tags that protect a logged-in session. */
class LoginTest {
    static final Operation<byte[], byte[]> READ_OP = new Operation<>(0x7F30, "look", Codecs.BYTES, Codecs.BYTES);
    static final Operation<byte[], byte[]> ADMIN_OP = new Operation<>(0x7F31, "rule", Codecs.BYTES, Codecs.BYTES);
    static final Operation<String, String> WRITE_IMAGE = new Operation<>(0x7F32, "write", Codecs.UTF8, Codecs.UTF8);

    final AtomicInteger adminRuns = new AtomicInteger();
    final Scram.Verifier alice = Scram.Verifier.of("wonderland".toCharArray(), Scram.MIN_ITERATIONS);

    /** The throttle's clock, moved by the tests: a wait of a second must not depend on how long the test takes. */
    final AtomicLong clock = new AtomicLong(1_000_000);

    final LoginThrottle throttle = new LoginThrottle(clock::get, true);

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
            return switch (name) {
                case "alice" -> Optional.of(new AccessList("alice", alice, Grants.ALL));
                case "retro" ->
                    Optional.of(new AccessList(
                            "retro", null, new Grants(List.of(new Grant("block", "retro", Right.WRITE)))));
                default -> Optional.empty();
            };
        }
    };

    TestServer server() throws InterruptedException {
        TestServer t = new TestServer(
                WireServerConfig.DEFAULTS,
                d -> {
                    d.register(READ_OP, "test", Right.READ, (ctx, b) -> b);
                    d.register(ADMIN_OP, "test", Right.ADMIN, (ctx, b) -> {
                        adminRuns.incrementAndGet();
                        return b;
                    });
                    d.register(WRITE_IMAGE, (ctx, name) -> {
                        ctx.require("block", name, Right.WRITE);
                        return "wrote " + name;
                    });
                },
                lists);
        return t;
    }

    @Test
    void anonymousGetsWhatTheListsGrantAndARefusalSaysWhatIsMissing() throws Exception {
        try (TestServer s = server();
                SiloClient c = s.client()) {
            assertThat(c.call(READ_OP, new byte[] {1})).containsExactly(1);
            assertThatThrownBy(() -> c.call(ADMIN_OP, new byte[] {1}))
                    .isInstanceOfSatisfying(SiloException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION);
                        assertThat(e.getMessage()).contains("needs admin on test;", "anonymous from 127.0.0.1");
                    });
            assertThat(adminRuns).hasValue(0);
        }
    }

    @Test
    void anUnprotectedListIsGrantedAtOnce() throws Exception {
        try (TestServer s = server();
                SiloClient c = s.client()) {
            assertThat(c.login("retro", new char[0])).isNull();
            assertThat(c.rights()).isEqualTo("block:retro:write, *::read");
            assertThat(c.call(WRITE_IMAGE, "retro-disk")).isEqualTo("wrote retro-disk");
            assertThatThrownBy(() -> c.call(WRITE_IMAGE, "other")).hasMessageContaining("needs write on block:other");
        }
    }

    @Test
    void loginNamingNoListGoesBackToTheDefaultAccess() throws Exception {
        try (TestServer s = server();
                SiloClient c = s.client()) {
            c.login("alice", "wonderland".toCharArray());
            assertThat(c.call(ADMIN_OP, new byte[] {4})).containsExactly(4);
            assertThat(c.logout()).isEqualTo("*::read");
            assertThatThrownBy(() -> c.call(ADMIN_OP, new byte[] {5}))
                    .isInstanceOfSatisfying(SiloException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION);
                        assertThat(e.getMessage()).contains("anonymous from 127.0.0.1");
                    });
            assertThat(c.call(READ_OP, new byte[] {6}))
                    .as("the session goes on, tagged as before")
                    .containsExactly(6);
            assertThat(adminRuns).hasValue(1);
            // and a login after it works as the first did
            c.login("alice", "wonderland".toCharArray());
            assertThat(c.call(ADMIN_OP, new byte[] {7})).containsExactly(7);
        }
    }

    @Test
    void aProtectedListNeedsTheProofAndThenEveryFrameIsTagged() throws Exception {
        try (TestServer s = server();
                SiloClient c = s.client()) {
            Scram.Keys keys = c.login("alice", "wonderland".toCharArray());
            assertThat(keys).isNotNull();
            assertThat(c.rights()).isEqualTo("*::admin, *::read");
            assertThat(c.call(ADMIN_OP, new byte[] {2})).containsExactly(2);
            // saved keys log in again without the password
            try (SiloClient again = s.client()) {
                again.login("alice", keys);
                assertThat(again.call(ADMIN_OP, new byte[] {3})).containsExactly(3);
            }
        }
    }

    @Test
    void aWrongPasswordIsRefusedAndChangesNothing() throws Exception {
        try (TestServer s = server();
                SiloClient c = s.client()) {
            assertThatThrownBy(() -> c.login("alice", "guess".toCharArray()))
                    .isInstanceOfSatisfying(SiloException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION);
                        assertThat(e.getMessage()).contains("wrong password");
                    });
            assertThatThrownBy(() -> c.call(ADMIN_OP, new byte[] {1})).hasMessageContaining("anonymous");
            assertThat(c.call(READ_OP, new byte[] {4}))
                    .as("the session goes on as before")
                    .containsExactly(4);
            assertThatThrownBy(() -> c.login("nobody", "x".toCharArray()))
                    .hasMessageContaining("no access list named 'nobody'");
            assertThat(s.counter("silo.wire.login_failures")).isEqualTo(1);
        }
    }

    @Test
    void afterFiveWrongPasswordsEvenTheRightOneMustWait() throws Exception {
        try (TestServer s = server();
                SiloClient c = s.client()) {
            for (int i = 0; i < LoginThrottle.FREE_FAILURES + 1; i++) {
                assertThatThrownBy(() -> c.login("alice", "guess".toCharArray()))
                        .hasMessageContaining("wrong password");
            }
            assertThatThrownBy(() -> c.login("alice", "wonderland".toCharArray()))
                    .isInstanceOfSatisfying(SiloException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION);
                        assertThat(e.getMessage())
                                .contains("too many wrong passwords for 'alice' from 127.0.0.1: try again in 1 s");
                    });
            assertThat(c.login("retro", new char[0]))
                    .as("other lists are not held up")
                    .isNull();
            clock.addAndGet(999);
            assertThatThrownBy(() -> c.login("alice", "wonderland".toCharArray()))
                    .hasMessageContaining("try again in 1 s");
            clock.addAndGet(1);
            assertThat(c.login("alice", "wonderland".toCharArray())).isNotNull();
            assertThat(c.rights()).contains("*::admin");
        }
    }

    @Test
    void replayedAndTamperedDatagramsAreRejected() throws Exception {
        try (TestServer s = server();
                LossyUdpProxy path = new LossyUdpProxy(s.address(), 0, 0, 0, 1);
                SiloClient c = SiloClient.connect(ClientOptions.to(path.address()))) {
            c.login("alice", "wonderland".toCharArray());
            assertThat(c.call(ADMIN_OP, new byte[] {9})).containsExactly(9);
            assertThat(adminRuns).hasValue(1);

            // the last datagram the client sent is that signed ADMIN_OP request; an attacker on the path has it
            Map.Entry<InetSocketAddress, byte[]> captured = path.fromClients.get(path.fromClients.size() - 1);
            Frame signed = FrameCodec.decode(captured.getValue());
            assertThat(signed.isSigned()).isTrue();

            path.injectAs(captured.getKey(), captured.getValue());
            c.call(READ_OP, new byte[] {1}); // moves the client's released mark past the captured request
            path.injectAs(captured.getKey(), captured.getValue());

            byte[] tampered = captured.getValue().clone();
            tampered[tampered.length - 4 - 16 - 1] ^= 1; // last body byte
            fixCrc(tampered);
            path.injectAs(captured.getKey(), tampered);

            byte[] unsigned = FrameCodec.encode(new Frame(
                    signed.flags(), signed.session(), signed.requestId() + 1000, signed.released(), signed.body()));
            path.injectAs(captured.getKey(), unsigned);

            await().atMost(Duration.ofMinutes(2)).until(() -> s.counter("silo.wire.dropped", "reason", "mac") == 2);
            assertThat(adminRuns).as("a replay never runs again").hasValue(1);
            assertThat(c.call(ADMIN_OP, new byte[] {10})).containsExactly(10);
        }
    }

    private static void fixCrc(byte[] frame) {
        CRC32C crc = new CRC32C();
        crc.update(frame, 0, frame.length - 4);
        ByteBuffer.wrap(frame).putInt(frame.length - 4, (int) crc.getValue());
    }
}
