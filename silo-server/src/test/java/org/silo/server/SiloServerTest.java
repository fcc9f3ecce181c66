package org.silo.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;
import org.silo.wire.op.CoreOps;

class SiloServerTest {

    @Test
    void answersPingAndStatusOnAnEphemeralPort(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        try (SiloServer server = SiloServer.start(TestSilo.config(data, "name", "test-silo"));
                SiloClient client = SiloClient.connect(ClientOptions.to(new InetSocketAddress("127.0.0.1", server.wirePort())))) {
            assertThat(server.wirePort()).isNotEqualTo(7400).isPositive();
            assertThat(data).isDirectory();
            assertThat(client.call(CoreOps.PING, new byte[] {1, 2, 3})).containsExactly(1, 2, 3);
            Map<String, Object> status = client.call(CoreOps.STATUS, null);
            assertThat(status).containsEntry("name", "test-silo").containsKey("version").containsKey("uptimeSeconds");
            assertThat(status.get("message")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                    .containsEntry("sessions", 1);
        }
    }

    @Test
    void twoServersRunSideBySide(@TempDir Path dir) throws Exception {
        try (SiloServer a = SiloServer.start(TestSilo.config(dir.resolve("a")));
                SiloServer b = SiloServer.start(TestSilo.config(dir.resolve("b")))) {
            assertThat(a.wirePort()).isNotEqualTo(b.wirePort());
        }
    }

    @Test
    void moversAreToldAnAddressTheyCanReach() throws Exception {
        assertThat(SiloServer.callbackHost(java.net.InetAddress.getLoopbackAddress())).isNull();
        assertThat(SiloServer.callbackHost(java.net.InetAddress.getByName("192.0.2.7"))).isEqualTo("192.0.2.7");
        assertThat(SiloServer.callbackHost(java.net.InetAddress.getByName("0.0.0.0"))).isNotEqualTo("0.0.0.0")
                .isEqualTo(java.net.InetAddress.getLocalHost().getCanonicalHostName());
    }
}
