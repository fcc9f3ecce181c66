package org.silo.server.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.server.SiloServer;
import org.silo.server.TestSilo;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;

/** The disk operations over the message layer, against a whole server. */
class DiskOpsTest {
    @TempDir
    Path dir;

    private SiloServer server;
    private SiloClient client;

    @BeforeEach
    void start() throws Exception {
        server = SiloServer.start(TestSilo.config(dir));
        client = SiloClient.connect(ClientOptions.to(new InetSocketAddress("127.0.0.1", server.wirePort())));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void createListResizeRemove() throws Exception {
        DiskOps.Disk d = client.call(DiskOps.CREATE, new DiskOps.Create("retro", 64L << 20, false));
        assertThat(d.sizeBytes()).isEqualTo(64L << 20);
        assertThat(d.allocatedBytes()).as("sparse").isLessThan(1 << 20);
        assertThat(Files.size(dir.resolve("images").resolve("retro"))).isEqualTo(64L << 20);
        client.call(DiskOps.CREATE, new DiskOps.Create("iso", 1 << 20, true));
        assertThat(client.call(DiskOps.LIST, null).disks())
                .extracting(DiskOps.Disk::name)
                .containsExactlyInAnyOrder("retro", "iso");
        assertThat(client.call(DiskOps.RESIZE, new DiskOps.Resize("retro", 128L << 20))
                        .sizeBytes())
                .isEqualTo(128L << 20);
        assertThat(client.call(DiskOps.INFO, new DiskOps.Name("iso")).readOnly())
                .isTrue();
        client.call(DiskOps.REMOVE, new DiskOps.Name("retro"));
        assertThat(client.call(DiskOps.LIST, null).disks())
                .extracting(DiskOps.Disk::name)
                .containsExactly("iso");
    }

    @Test
    void badRequestsGetClearErrorsAndChangeNothing() throws Exception {
        client.call(DiskOps.CREATE, new DiskOps.Create("a", 1 << 20, false));
        assertCode(() -> client.call(DiskOps.CREATE, new DiskOps.Create("a", 1 << 20, false)), ErrorCode.EXISTS);
        for (String bad : new String[] {"", "..", "../etc/passwd", "a/b", "a\\b", "nul\0x", "x".repeat(256)}) {
            assertCode(() -> client.call(DiskOps.CREATE, new DiskOps.Create(bad, 1 << 20, false)), ErrorCode.INVALID);
        }
        assertCode(() -> client.call(DiskOps.CREATE, new DiskOps.Create("odd", 1000, false)), ErrorCode.INVALID);
        assertCode(() -> client.call(DiskOps.REMOVE, new DiskOps.Name("nope")), ErrorCode.NOT_FOUND);
        assertCode(() -> client.call(DiskOps.RESIZE, new DiskOps.Resize("nope", 1 << 20)), ErrorCode.NOT_FOUND);
        assertThat(client.call(DiskOps.LIST, null).disks())
                .extracting(DiskOps.Disk::name)
                .containsExactly("a");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).doesNotContain("etc", "passwd");
        }
    }

    @Test
    void aPolicySaysWhoMayReachAnImage() throws Exception {
        client.call(DiskOps.CREATE, new DiskOps.Create("lab", 1 << 20, false));
        assertThat(client.call(DiskOps.INFO, new DiskOps.Name("lab")).policy()).isEqualTo("open");
        DiskOps.Disk d = client.call(DiskOps.POLICY, new DiskOps.SetPolicy("lab", "hosts:127.0.0.2,10.0.0.0/8"));
        assertThat(d.policy()).isEqualTo("hosts:127.0.0.2,10.0.0.0/8");
        assertThat(client.call(DiskOps.LIST, null).disks())
                .extracting(DiskOps.Disk::policy)
                .containsExactly("hosts:127.0.0.2,10.0.0.0/8");
        assertCode(() -> client.call(DiskOps.POLICY, new DiskOps.SetPolicy("lab", "everyone")), ErrorCode.INVALID);
        assertCode(() -> client.call(DiskOps.POLICY, new DiskOps.SetPolicy("ghost", "open")), ErrorCode.NOT_FOUND);
        assertThat(client.call(DiskOps.INFO, new DiskOps.Name("lab")).policy())
                .as("unchanged by the refusals")
                .isEqualTo("hosts:127.0.0.2,10.0.0.0/8");
    }

    @Test
    void halfATlsConfigurationStopsTheServerWithAReason(@TempDir Path other) {
        assertThatThrownBy(() -> SiloServer.start(TestSilo.config(other, "nbd.tls-cert", "cert.pem")))
                .hasMessageContaining("needs both nbd.tls-cert and nbd.tls-key");
        assertThatThrownBy(() -> SiloServer.start(TestSilo.config(other, "nbd.require-tls", "true")))
                .hasMessageContaining("nbd.require-tls = true needs");
    }

    private static void assertCode(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        SiloException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
