package org.silo.wire.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.silo.wire.TestServer;
import org.silo.wire.op.CoreOps;
import org.silo.wire.server.WireServerConfig;

class ClientTest {

    @Test
    void oneClientIsSafeFromManyThreads() throws Exception {
        try (TestServer server = new TestServer();
                SiloClient client = SiloClient.connect(server.options().withWindow(16))) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        byte[] payload =
                                ByteBuffer.allocate(8).putInt(thread).putInt(i).array();
                        assertThat(client.call(CoreOps.PING, payload)).isEqualTo(payload);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            // the session took three calls of its own: START, START with the cookie, SNAME
            assertThat(client.stats().calls()).isEqualTo(8 * 500 + 3);
            assertThat(client.stats().timeouts()).isZero();
        }
    }

    @Test
    void largerDatagramsWhenBothSidesAreConfiguredForThem() throws Exception {
        try (TestServer server = new TestServer(WireServerConfig.DEFAULTS.withMaxDatagram(9000), d -> {});
                SiloClient client = SiloClient.connect(server.options().withMaxDatagram(9000))) {
            byte[] payload = new byte[8000];
            payload[7999] = 9;
            Reply r = client.send(client.compound().add(CoreOps.PING, payload).envelope(), false)
                    .get();
            assertThat(r.overTcp()).as("fits a 9000-byte datagram").isFalse();
            assertThat(SiloClient.decode(CoreOps.PING, r.results())).isEqualTo(payload);
        }
    }

    @Test
    void badAddressesAreRefusedWithAClearMessage() {
        assertThatThrownBy(() -> ClientOptions.to("localhost:99999")).hasMessageContaining("port must be 1..65535");
        assertThatThrownBy(() -> ClientOptions.to(":7400")).hasMessageContaining("no host");
        assertThat(ClientOptions.to("[::1]:7500").server().getPort()).isEqualTo(7500);
        assertThat(ClientOptions.to("example.invalid").server().getPort()).isEqualTo(7400);
    }
}
