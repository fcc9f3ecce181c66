package org.silo.wire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.silo.wire.RawUdp;
import org.silo.wire.TestServer;
import org.silo.wire.client.ClientListener;
import org.silo.wire.client.Reply;
import org.silo.wire.client.SiloClient;
import org.silo.wire.codec.Envelope;
import org.silo.wire.codec.Frame;
import org.silo.wire.codec.FrameCodec;
import org.silo.wire.codec.OperationData;
import org.silo.wire.codec.Result;
import org.silo.wire.codec.WireReader;
import org.silo.wire.op.Codecs;
import org.silo.wire.op.CoreOps;
import org.silo.wire.op.Operation;

/**
 * Work that blocks runs off the I/O thread: others are answered meanwhile, it runs once, and its client
 * hears WAIT, whether it asks again or not. The slow handler holds until the test lets it go, so no
 * outcome here depends on how long anything takes.
 */
class BlockingWorkTest {
    private static final Operation<byte[], byte[]> SLOW = new Operation<>(0x7F20, "slow", Codecs.BYTES, Codecs.BYTES);
    private static final Duration PATIENCE = Duration.ofMinutes(2);

    private final AtomicInteger runs = new AtomicInteger();
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void letGo() {
        release.countDown(); // a failed test must not leave a worker held
    }

    private TestServer server() throws InterruptedException {
        return new TestServer(
                WireServerConfig.DEFAULTS,
                d -> d.registerBlocking(SLOW, (ctx, b) -> {
                    runs.incrementAndGet();
                    entered.countDown();
                    try {
                        release.await(10, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return b;
                }));
    }

    @Test
    void aSlowHandlerStallsNothingAndRunsOnce() throws Exception {
        try (TestServer server = server();
                SiloClient client = server.client()) {
            CompletableFuture<byte[]> slow = client.callAsync(SLOW, new byte[] {1});
            assertThat(entered.await(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .as("the slow call reached its handler")
                    .isTrue();
            for (int i = 0; i < 100; i++) {
                assertThat(client.call(CoreOps.PING, new byte[] {2})).containsExactly(2);
            }
            assertThat(slow)
                    .as("pings were answered while the slow call was held")
                    .isNotDone();
            await().atMost(PATIENCE).until(() -> client.stats().waits() > 0);
            release.countDown();
            assertThat(slow.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).containsExactly(1);
            assertThat(runs).as("never run twice").hasValue(1);
            assertThat(client.stats().timeouts()).isZero();
        }
    }

    /** The CLI's line while a put is archived on close: "HOST is working on it", not "no answer". */
    @Test
    void aClientWaitingOnAWorkingServerIsToldItIsWorking() throws Exception {
        List<String> heard = new CopyOnWriteArrayList<>();
        try (TestServer server = server();
                SiloClient client = SiloClient.connect(server.options().withListener(new ClientListener() {
                    @Override
                    public void waiting(String name, long waitedMillis, int retransmissions) {
                        heard.add("no answer");
                    }

                    @Override
                    public void working(String name, long waitedMillis) {
                        heard.add("working");
                    }
                }))) {
            CompletableFuture<byte[]> slow = client.callAsync(SLOW, new byte[] {7});
            await().atMost(PATIENCE).until(() -> heard.contains("working"));
            release.countDown();
            assertThat(slow.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).containsExactly(7);
            assertThat(runs).hasValue(1);
        }
    }

    /** A client that sends its request once and never repeats it is told WAIT all the same, then answered. */
    @Test
    void aRequestSentOnceOverUdpHearsWaitUnasked() throws Exception {
        try (TestServer server = server();
                SiloClient client = server.client();
                RawUdp raw = new RawUdp(server.address())) {
            // the session is bound to 127.0.0.1, as is the raw socket: only its port differs
            raw.send(Frame.request(
                    client.sessionId(),
                    4242,
                    0,
                    Envelope.of(new OperationData(SLOW.code(), new byte[] {1, 9}))
                            .encode()));
            Frame first = raw.receiveFrame(PATIENCE);
            assertThat(first.requestId()).isEqualTo(4242);
            assertThat(first.isWait()).as("WAIT, unasked").isTrue();
            assertThat(new WireReader(first.body()).u32()).isBetween(100L, 5000L);
            release.countDown();
            Frame answer = first;
            while (answer.isWait()) {
                answer = raw.receiveFrame(PATIENCE);
            }
            assertThat(answer.requestId()).isEqualTo(4242);
            assertThat(((Result.Success) Result.decode(
                                    Envelope.decode(answer.body()).operations().get(0)))
                            .data())
                    .containsExactly(1, 9);
            assertThat(runs).hasValue(1);
        }
    }

    /** Over TCP a client never repeats a request: WAITs come on the connection until the reply does. */
    @Test
    void aRequestOverTcpHearsWaitUntilItsReply() throws Exception {
        try (TestServer server = server();
                SiloClient client = server.client();
                Socket tcp = new Socket(
                        server.address().getAddress(), server.address().getPort())) {
            tcp.setSoTimeout((int) PATIENCE.toMillis());
            DataOutputStream out = new DataOutputStream(tcp.getOutputStream());
            DataInputStream in = new DataInputStream(tcp.getInputStream());
            byte[] request = FrameCodec.encode(Frame.request(
                    client.sessionId(),
                    4343,
                    0,
                    Envelope.of(new OperationData(SLOW.code(), new byte[] {3})).encode()));
            out.writeInt(request.length);
            out.write(request);
            out.flush();
            assertThat(read(in).isWait()).isTrue();
            assertThat(read(in).isWait())
                    .as("and again, while the work goes on")
                    .isTrue();
            release.countDown();
            Frame answer;
            do {
                answer = read(in);
            } while (answer.isWait());
            assertThat(answer.requestId()).isEqualTo(4343);
            assertThat(answer.isError()).isFalse();
        }
    }

    /** The client's side of the same: a call over TCP that outlasts many WAITs is answered, not timed out. */
    @Test
    void aClientCallOverTcpOutlastsItsWaits() throws Exception {
        try (TestServer server = server();
                SiloClient client = server.client()) {
            CompletableFuture<Reply> slow =
                    client.send(client.compound().add(SLOW, new byte[] {5}).envelope(), true);
            await().atMost(PATIENCE).until(() -> client.stats().waits() >= 3);
            assertThat(slow).isNotDone();
            release.countDown();
            Reply r = slow.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(r.overTcp()).isTrue();
            assertThat(SiloClient.decode(SLOW, r.results())).containsExactly(5);
            assertThat(client.stats().timeouts()).isZero();
        }
    }

    private static Frame read(DataInputStream in) throws Exception {
        byte[] frame = new byte[in.readInt()];
        in.readFully(frame);
        return FrameCodec.decode(frame);
    }
}
