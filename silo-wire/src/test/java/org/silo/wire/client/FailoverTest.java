package org.silo.wire.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.silo.wire.LossyUdpProxy;
import org.silo.wire.TestServer;
import org.silo.wire.op.Codecs;
import org.silo.wire.op.CoreOps;
import org.silo.wire.op.Operation;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.WireServerConfig;

/**
 * A client given two servers (docs/protocol.md §7, "Several servers"): when the first stops answering a
 * call, the client starts a session with the second, says so to its listener, and sends the call there
 * with the same request id, in a session that carries the same client id.
 */
class FailoverTest {
    private static final Operation<byte[], byte[]> NOTE = new Operation<>(0x7F31, "note", Codecs.BYTES, Codecs.BYTES);

    /** What a server saw of each call: the client id of its session and the request id. */
    record Seen(long clientId, long requestId) {}

    private static void noting(Dispatcher d, List<Seen> into) {
        d.registerBlocking(NOTE, (ctx, b) -> {
            into.add(new Seen(ctx.session().clientId(), ctx.requestId()));
            return b;
        });
    }

    private static ClientOptions both(InetSocketAddress first, InetSocketAddress second, List<String> moves) {
        return ClientOptions.to(first)
                .withServers(
                        List.of(new ClientOptions.Server(first, "first"), new ClientOptions.Server(second, "second")))
                .withRetries(1)
                .withDeadline(Duration.ofMinutes(2))
                .withListener(new ClientListener() {
                    @Override
                    public void waiting(String server, long waitedMillis, int retransmissions) {}

                    @Override
                    public void moved(String from, String to) {
                        moves.add(from + " -> " + to);
                    }
                });
    }

    @Test
    void aCallTheFirstServerNeverAnswersIsSentToTheSecondWithItsRequestId() throws Exception {
        List<Seen> atA = new CopyOnWriteArrayList<>();
        List<Seen> atB = new CopyOnWriteArrayList<>();
        List<String> moves = new CopyOnWriteArrayList<>();
        try (TestServer a = new TestServer(WireServerConfig.DEFAULTS, d -> noting(d, atA));
                TestServer b = new TestServer(WireServerConfig.DEFAULTS, d -> noting(d, atB));
                LossyUdpProxy toA = new LossyUdpProxy(a.address(), 0, 0, 0, 1);
                SiloClient client = SiloClient.connect(both(toA.address(), b.address(), moves))) {
            toA.withholdReplies.set(true); // A runs the call; its answers never arrive

            assertThat(client.call(NOTE, new byte[] {7})).containsExactly(7);

            assertThat(moves).containsExactly("first -> second");
            assertThat(atA)
                    .as("A ran it once (its reply cache answered the repeats)")
                    .hasSize(1);
            assertThat(atB).containsExactly(atA.get(0));
            assertThat(atA.get(0).clientId()).isEqualTo(client.clientId()).isNotZero();
            assertThat(client.server().name()).isEqualTo("second");
            assertThat(client.call(CoreOps.PING, new byte[] {1}))
                    .as("later calls go to the second")
                    .containsExactly(1);
        }
    }

    @Test
    void aFirstServerThatIsDownAtConnectIsPassedOver() throws Exception {
        List<String> moves = new CopyOnWriteArrayList<>();
        InetSocketAddress closed;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            closed = (InetSocketAddress) s.getLocalSocketAddress();
        }
        try (TestServer b = new TestServer();
                SiloClient client = SiloClient.connect(both(closed, b.address(), moves))) {
            assertThat(client.call(CoreOps.PING, new byte[] {3})).containsExactly(3);
            assertThat(moves).containsExactly("first -> second");
        }
    }

    @Test
    void aListIsParsedInOrderAndAMalformedOneIsRefused() {
        ClientOptions o = ClientOptions.to("db1:7401, db2 ,[::1]:7500");
        assertThat(o.servers()).extracting(ClientOptions.Server::name).containsExactly("db1:7401", "db2", "[::1]:7500");
        assertThat(o.servers()).extracting(s -> s.address().getPort()).containsExactly(7401, 7400, 7500);
        assertThat(o.serverName()).isEqualTo("db1:7401");
        assertThatThrownBy(() -> ClientOptions.to("a:7400,,b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("an empty entry");
        assertThatThrownBy(() -> ClientOptions.to("a:7400,"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("an empty entry");
        assertThatThrownBy(() -> ClientOptions.to("a:7400,b:70000"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port must be 1..65535");
    }
}
