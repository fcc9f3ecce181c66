package org.silo.wire.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.silo.wire.LossyUdpProxy;
import org.silo.wire.SiloException;
import org.silo.wire.TestServer;
import org.silo.wire.codec.WireReader;
import org.silo.wire.codec.WireWriter;
import org.silo.wire.op.Codec;
import org.silo.wire.op.Operation;
import org.silo.wire.server.WireServerConfig;

/**
 * The message layer's promise under a bad network: 8 clients x 500 calls of a counting operation
 * through a proxy that drops 20%, duplicates 5% and reorders 25% of datagrams each way (seed 42).
 * Every call must return its own right answer, and the server's apply log must show every request
 * applied exactly once: retransmissions and duplicates were answered from the reply cache.
 */
class ExactlyOnceThroughLossTest {
    record Count(int client, int seq) {}

    record Counted(int client, int seq, int timesApplied) {}

    static final Codec<Count> COUNT = new Codec<>() {
        @Override
        public void encode(Count v, WireWriter out) {
            out.u32(v.client()).u32(v.seq());
        }

        @Override
        public Count decode(WireReader in) throws SiloException {
            Count c = new Count((int) in.u32(), (int) in.u32());
            in.expectEnd("count");
            return c;
        }
    };
    static final Codec<Counted> COUNTED = new Codec<>() {
        @Override
        public void encode(Counted v, WireWriter out) {
            out.u32(v.client()).u32(v.seq()).u32(v.timesApplied());
        }

        @Override
        public Counted decode(WireReader in) throws SiloException {
            return new Counted((int) in.u32(), (int) in.u32(), (int) in.u32());
        }
    };
    static final Operation<Count, Counted> COUNT_OP = new Operation<>(0x7F10, "count", COUNT, COUNTED);

    @Test
    @Timeout(600)
    void everyCallIsAppliedExactlyOnce() throws Exception {
        Map<Count, AtomicInteger> applied = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> appliedRequestIds = new ConcurrentHashMap<>();
        int clients = 8;
        int calls = 500; // 4,000 calls, some 9,000 datagrams: thousands of losses, hundreds of duplicates
        try (TestServer server = new TestServer(
                        WireServerConfig.DEFAULTS,
                        d -> d.register(COUNT_OP, (ctx, c) -> {
                            appliedRequestIds
                                    .computeIfAbsent(
                                            ctx.session().id() + "/" + ctx.requestId(), k -> new AtomicInteger())
                                    .incrementAndGet();
                            int times = applied.computeIfAbsent(c, k -> new AtomicInteger())
                                    .incrementAndGet();
                            return new Counted(c.client(), c.seq(), times);
                        }));
                LossyUdpProxy proxy = new LossyUdpProxy(server.address(), 0.20, 0.05, 0.25, 42)) {
            ClientOptions opts = ClientOptions.to(proxy.address())
                    .withRetries(40)
                    .withDeadline(Duration.ofSeconds(
                            480)) // calls wait for the window from the start: slow under load is fine, lost is not
                    .withWindow(8);
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<Long>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                done.add(pool.submit(() -> {
                    try (SiloClient sc = SiloClient.connect(opts)) {
                        List<CompletableFuture<Counted>> replies = new ArrayList<>();
                        for (int seq = 0; seq < calls; seq++) {
                            replies.add(sc.callAsync(COUNT_OP, new Count(client, seq)));
                        }
                        for (int seq = 0; seq < calls; seq++) {
                            Counted r = SiloClient.await(replies.get(seq));
                            assertThat(r).isEqualTo(new Counted(client, seq, 1));
                        }
                        return sc.stats().retransmissions();
                    }
                }));
            }
            long retransmissions = 0;
            for (Future<Long> f : done) {
                retransmissions += f.get();
            }
            pool.shutdown();

            assertThat(applied).hasSize(clients * calls);
            assertThat(applied.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
            assertThat(appliedRequestIds).hasSize(clients * calls);
            assertThat(appliedRequestIds.values())
                    .allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
            // the network really was bad, and the cache really answered repeats
            assertThat(proxy.dropped.get()).isGreaterThan(1000);
            assertThat(proxy.duplicated.get()).isGreaterThan(100);
            assertThat(retransmissions).isGreaterThan(500);
            assertThat(server.counter("silo.wire.retransmissions")).isGreaterThan(100);
        }
    }
}
