package org.silo.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
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
                SiloClient client =
                        SiloClient.connect(ClientOptions.to(new InetSocketAddress("127.0.0.1", server.wirePort())))) {
            assertThat(server.wirePort()).isNotEqualTo(7400).isPositive();
            assertThat(data).isDirectory();
            assertThat(client.call(CoreOps.PING, new byte[] {1, 2, 3})).containsExactly(1, 2, 3);
            Map<String, Object> status = client.call(CoreOps.STATUS, null);
            assertThat(status)
                    .containsEntry("name", "test-silo")
                    .containsKey("version")
                    .containsKey("uptimeSeconds");
            assertThat(status.get("message"))
                    .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
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

    /** Issue 15: a second server on the same data directory is refused at once, naming the first, creating nothing. */
    @Test
    void aSecondServerOnTheSameDataIsRefusedNamingTheFirst(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        try (SiloServer first = SiloServer.start(TestSilo.config(data))) {
            List<Path> before = entries(data);
            assertThat(before).contains(data.resolve("silo.lock"), data.resolve("catalog.db"));
            assertThat(Files.readString(data.resolve("silo.lock")).strip())
                    .isEqualTo(String.valueOf(ProcessHandle.current().pid()));
            assertThatThrownBy(() -> SiloServer.start(TestSilo.config(data)))
                    .isInstanceOf(StartRefused.class)
                    .hasMessage("a silo server already runs with data in " + data + " (pid "
                            + ProcessHandle.current().pid() + ")");
            assertThat(entries(data)).as("nothing new in the data directory").isEqualTo(before);
            assertThat(first.status()).as("the first goes on").containsKey("archive");
        }
        try (SiloServer again = SiloServer.start(TestSilo.config(data))) {
            assertThat(again.wirePort())
                    .as("the lock is released when the first stops")
                    .isPositive();
        }
    }

    /** Issue 15: a port in use is named with its protocol and setting, and no catalog is left behind. */
    @Test
    void aPortInUseIsNamedAndNothingIsCreated(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> SiloServer.start(TestSilo.config(data, "wire.port", String.valueOf(port))))
                    .isInstanceOf(StartRefused.class)
                    .hasMessage("port " + port + "/udp is in use; change wire.port");
            assertThat(data).as("a new data directory is not even made").doesNotExist();

            Files.createDirectories(data);
            assertThatThrownBy(() -> SiloServer.start(TestSilo.config(data, "blockhead.port", String.valueOf(port))))
                    .hasMessage("port " + port + "/udp is in use; change blockhead.port");
            assertThat(data.resolve("catalog.db")).doesNotExist();
        }
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> SiloServer.start(
                            TestSilo.config(data, "control.port", String.valueOf(taken.getLocalPort()))))
                    .hasMessage("port " + taken.getLocalPort() + "/tcp is in use; change control.port");
            assertThat(data.resolve("catalog.db")).doesNotExist();
        }
        try (SiloServer server = SiloServer.start(TestSilo.config(data))) {
            assertThat(data.resolve("catalog.db"))
                    .as("the refusals left the data directory usable")
                    .exists();
        }
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void moversAreToldAnAddressTheyCanReach() throws Exception {
        assertThat(SiloServer.callbackHost(java.net.InetAddress.getLoopbackAddress()))
                .isNull();
        assertThat(SiloServer.callbackHost(java.net.InetAddress.getByName("192.0.2.7")))
                .isEqualTo("192.0.2.7");
        assertThat(SiloServer.callbackHost(java.net.InetAddress.getByName("0.0.0.0")))
                .isNotEqualTo("0.0.0.0")
                .isEqualTo(java.net.InetAddress.getLocalHost().getCanonicalHostName());
    }
}
