package org.silo.wire.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.silo.wire.TestServer;
import org.silo.wire.client.SiloClient;
import org.silo.wire.op.Codecs;
import org.silo.wire.op.CoreOps;
import org.silo.wire.op.Operation;

/** Work that blocks runs off the I/O thread: others are answered meanwhile, and its repeats get WAIT. */
class BlockingWorkTest {
    private static final Operation<byte[], byte[]> SLOW = new Operation<>(0x7F20, "slow", Codecs.BYTES, Codecs.BYTES);

    @Test
    void aSlowHandlerStallsNothingAndRunsOnce() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        try (TestServer server = new TestServer(WireServerConfig.DEFAULTS, d -> d.registerBlocking(SLOW, (ctx, b) -> {
                    runs.incrementAndGet();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return b;
                }));
                SiloClient client = server.client()) {
            CompletableFuture<byte[]> slow = client.callAsync(SLOW, new byte[] {1});
            long t0 = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                assertThat(client.call(CoreOps.PING, new byte[] {2})).containsExactly(2);
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
                    .as("pings are answered while the slow call blocks").isLessThan(5000);
            // the slow call's timer has fired meanwhile (its first timeout is about 10 ms): each repeat got WAIT
            Thread.sleep(1500);
            release.countDown();
            assertThat(slow.get(10, TimeUnit.SECONDS)).containsExactly(1);
            assertThat(runs).as("never run twice").hasValue(1);
            assertThat(client.stats().waits()).as("repeats were answered WAIT").isPositive();
            assertThat(client.stats().timeouts()).isZero();
        }
    }

    @Test
    void aClientWaitingOnAWorkingServerIsToldItIsWorkingNotThatThereIsNoAnswer() throws Exception {
        java.util.List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (TestServer server = new TestServer(WireServerConfig.DEFAULTS, d -> d.registerBlocking(SLOW, (ctx, b) -> {
                    try {
                        Thread.sleep(2600);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return b;
                }));
                SiloClient client = SiloClient.connect(server.options().withListener(new org.silo.wire.client.ClientListener() {
                    @Override
                    public void waiting(String name, long waitedMillis, int retransmissions) {
                        heard.add("no answer");
                    }

                    @Override
                    public void working(String name, long waitedMillis) {
                        heard.add("working " + waitedMillis / 1000);
                    }
                }))) {
            assertThat(client.call(SLOW, new byte[] {7})).containsExactly(7);
            assertThat(heard).isNotEmpty().allSatisfy(h -> assertThat(h).startsWith("working"));
        }
    }
}
