package org.silo.wire.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.silo.wire.TestServer;
import org.silo.wire.client.Reply;
import org.silo.wire.client.SiloClient;
import org.silo.wire.codec.Envelope;
import org.silo.wire.codec.OperationData;
import org.silo.wire.codec.Result;
import org.silo.wire.codec.WireReader;
import org.silo.wire.codec.WireWriter;
import org.silo.wire.op.Codec;
import org.silo.wire.op.Codecs;
import org.silo.wire.op.CoreOps;
import org.silo.wire.op.Operation;

/** Messages too large for a datagram take TCP, with the same frames, and still run once. */
class TcpPathTest {
    private static final Codec<Integer> U32 = new Codec<>() {
        @Override
        public void encode(Integer value, WireWriter out) {
            out.u32(value);
        }

        @Override
        public Integer decode(WireReader in) throws org.silo.wire.SiloException {
            int v = (int) in.u32();
            in.expectEnd("u32");
            return v;
        }
    };
    private static final Operation<Integer, byte[]> BIG = new Operation<>(0x7F01, "big", U32, Codecs.BYTES);

    @Test
    void aLargeRequestGoesOverTcp() throws Exception {
        try (TestServer server = new TestServer();
                SiloClient client = server.client()) {
            byte[] payload = new byte[200_000];
            new Random(1).nextBytes(payload);
            Reply r = client.send(client.compound().add(CoreOps.PING, payload).envelope(), false)
                    .get();
            assertThat(r.overTcp()).isTrue();
            assertThat(((Result.Success) r.results().get(0)).data()).isEqualTo(payload);
        }
    }

    @Test
    void aReplyTooBigForADatagramIsFetchedOverTcpWithoutRunningTwice() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        try (TestServer server = new TestServer(
                        WireServerConfig.DEFAULTS,
                        d -> d.register(BIG, (ctx, n) -> {
                            runs.incrementAndGet();
                            return new byte[n];
                        }));
                SiloClient client = server.client()) {
            Reply r = client.send(client.compound().add(BIG, 50_000).envelope(), false)
                    .get();
            assertThat(r.overTcp()).isTrue();
            assertThat(((Result.Success) r.results().get(0)).data()).hasSize(50_000);
            assertThat(runs).hasValue(1);
            // one TOO_BIG per datagram of the request: more than one if a busy machine made the client repeat it
            assertThat(server.counter("silo.wire.too_big")).isPositive();
            assertThat(client.call(BIG, 100)).as("small replies stay on UDP").hasSize(100);
        }
    }

    @Test
    void severalOperationsAreAnsweredInOrderAndStopAtTheFirstFailure() throws Exception {
        try (TestServer server = new TestServer();
                SiloClient client = server.client()) {
            Envelope env = Envelope.of(
                    new OperationData(CoreOps.PING.code(), new byte[] {1}),
                    new OperationData(CoreOps.PING.code(), new byte[] {2}),
                    new OperationData(0x7E7E, new byte[0]),
                    new OperationData(CoreOps.PING.code(), new byte[] {3}));
            Reply r = client.send(env, false).get();
            assertThat(r.results()).hasSize(3);
            assertThat(((Result.Success) r.results().get(0)).data()).containsExactly(1);
            assertThat(((Result.Success) r.results().get(1)).data()).containsExactly(2);
            assertThat(r.results().get(2))
                    .isInstanceOfSatisfying(
                            Result.Failure.class,
                            f -> assertThat(f.error()).isEqualTo(org.silo.wire.ErrorCode.UNKNOWN_OPERATION));
        }
    }
}
