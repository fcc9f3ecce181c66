package org.silo.server.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.control.fixture.TextClient;
import org.silo.server.SiloServer;
import org.silo.server.TestSilo;
import org.silo.server.block.DiskOps;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Grants;
import org.silo.wire.auth.Right;
import org.silo.wire.auth.Scram;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;
import org.silo.wire.op.CoreOps;

/** docs/security.md on a whole server: the anonymous policy, the first admin, rights per image, refusals that explain. */
class AccessTest {
    @TempDir
    Path dir;

    private SiloClient client(SiloServer s) throws SiloException {
        return SiloClient.connect(ClientOptions.to(new InetSocketAddress("127.0.0.1", s.wirePort())));
    }

    private static Scram.Verifier pw(String p) {
        return Scram.Verifier.of(p.toCharArray(), Scram.MIN_ITERATIONS);
    }

    @Test
    void loopbackOutOfTheBoxGrantsEverything() throws Exception {
        try (SiloServer s = SiloServer.start(TestSilo.config(dir));
                SiloClient c = client(s)) {
            assertThat(c.call(DiskOps.CREATE, new DiskOps.Create("free", 1 << 20, false))
                            .name())
                    .isEqualTo("free");
        }
    }

    @Test
    void elsewhereAnonymousGetsReadAndAdminAlwaysNeedsALogin() throws Exception {
        InetAddress lan = InetAddress.getByName("192.0.2.10"); // never bound: only the policy is computed
        assertThat(ServerAccess.anonymousGrants(ServerAccess.Anonymous.AUTO, lan))
                .isEqualTo(Grants.READ);
        Grants all = ServerAccess.anonymousGrants(ServerAccess.Anonymous.ALL, lan);
        assertThat(all.allows("block", "x", Right.WRITE)).isTrue();
        assertThat(all.allows("block", "x", Right.ADMIN)).isFalse();
        assertThat(ServerAccess.anonymousGrants(ServerAccess.Anonymous.NONE, lan)
                        .allows("core", "", Right.READ))
                .isFalse();
        assertThat(ServerAccess.anonymousGrants(ServerAccess.Anonymous.AUTO, InetAddress.getLoopbackAddress()))
                .isEqualTo(Grants.ALL);
        assertThatThrownBy(() -> ServerAccess.parse("some")).hasMessageContaining("auto, none, read or all");
    }

    @Test
    void theFirstAdminThenRightsPerImage() throws Exception {
        AccessStore.open(dir).add("root", true, pw("r00t"), List.of());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("access.json"))))
                .isEqualTo("rw-------");
        assertThat(Files.readString(dir.resolve("access.json"))).doesNotContain("r00t");
        try (SiloServer s = SiloServer.start(TestSilo.config(dir, "anonymous", "read"))) {
            try (SiloClient anon = client(s)) {
                assertThat(anon.call(DiskOps.LIST, null).disks()).isEmpty();
                assertThatThrownBy(() -> anon.call(DiskOps.CREATE, new DiskOps.Create("x", 1 << 20, false)))
                        .isInstanceOfSatisfying(SiloException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION);
                            assertThat(e.getMessage())
                                    .contains("needs admin on block:x", "anonymous from 127.0.0.1", "*::read");
                        });
                assertThat(anon.call(DiskOps.LIST, null).disks())
                        .as("nothing was created")
                        .isEmpty();
            }
            try (SiloClient root = client(s)) {
                root.login("root", "r00t".toCharArray());
                root.call(
                        AccessOps.USER_ADD,
                        new AccessOps.AddUser("alice", false, List.of("block:alice-:admin"), verifier(pw("wonder"))));
                assertThat(root.call(AccessOps.ACL_LIST, null).lists())
                        .extracting(AccessOps.ListView::name)
                        .containsExactly("alice", "root");
                assertThatThrownBy(() ->
                                root.call(AccessOps.USER_ADD, new AccessOps.AddUser("alice", false, List.of(), null)))
                        .hasMessageContaining("already exists");
                assertThatThrownBy(() -> root.call(
                                AccessOps.USER_ADD, new AccessOps.AddUser("bad name", false, List.of(), null)))
                        .hasMessageContaining("1..64 of");
            }
            try (SiloClient alice = client(s)) {
                alice.login("alice", "wonder".toCharArray());
                alice.call(DiskOps.CREATE, new DiskOps.Create("alice-1", 1 << 20, false));
                assertThatThrownBy(() -> alice.call(DiskOps.CREATE, new DiskOps.Create("bob-1", 1 << 20, false)))
                        .hasMessageContaining("needs admin on block:bob-1")
                        .hasMessageContaining("alice from");
                assertThatThrownBy(() -> alice.call(AccessOps.USER_RM, new AccessOps.Name("root")))
                        .hasMessageContaining("needs admin on access;");
                alice.call(AccessOps.USER_PASSWD, new AccessOps.Passwd("alice", verifier(pw("land"))));
                assertThatThrownBy(() ->
                                alice.call(AccessOps.USER_PASSWD, new AccessOps.Passwd("root", verifier(pw("x")))))
                        .hasMessageContaining("needs admin on access:root");
            }
            try (SiloClient again = client(s)) {
                assertThatThrownBy(() -> again.login("alice", "wonder".toCharArray()))
                        .hasMessageContaining("wrong password");
                again.login("alice", "land".toCharArray());
                assertThat(again.call(CoreOps.STATUS, null)).containsKey("access");
            }
        }
    }

    @Test
    void wrongPasswordsOnTheTextProtocolHoldUpTheConsoleAndTheMessageLayerToo() throws Exception {
        AccessStore.open(dir).add("root", true, pw("r00t"), List.of());
        // a wait of an hour after the sixth wrong password: the three front ends are each asked inside it
        // however slow the machine (with the default 1 s a loaded machine let the last login through)
        try (SiloServer s = SiloServer.start(TestSilo.config(dir, "login.first-wait", "1h"));
                TextClient text = new TextClient(s.controlPort())) {
            text.readText(); // IDENT
            for (int i = 0; i < org.silo.wire.auth.LoginThrottle.FREE_FAILURES + 1; i++) {
                assertThat(text.askText("LOGIN\troot\tguess")).contains("wrong password");
            }
            assertThat(text.askText("LOGIN\troot\tr00t"))
                    .startsWith("ERROR\t401\ttoo many wrong passwords for 'root' from 127.0.0.1");
            java.net.http.HttpResponse<String> console = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create("http://127.0.0.1:" + s.consolePort() + "/api/login"))
                                    .header("X-Silo", "1")
                                    .header("Content-Type", "application/json")
                                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                            "{\"list\":\"root\",\"password\":\"r00t\"}"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(console.statusCode()).isEqualTo(429);
            assertThat(console.body()).contains("too many wrong passwords for 'root'");
            try (SiloClient c = client(s)) {
                assertThatThrownBy(() -> c.login("root", "r00t".toCharArray()))
                        .hasMessageContaining("too many wrong passwords");
            }
        }
    }

    @Test
    void noAnonymousAccessMeansNoStatusEither() throws Exception {
        try (SiloServer s = SiloServer.start(TestSilo.config(dir, "anonymous", "none"));
                SiloClient c = client(s)) {
            assertThat(c.call(CoreOps.PING, new byte[] {1}))
                    .as("ping needs no right")
                    .containsExactly(1);
            assertThatThrownBy(() -> c.call(CoreOps.STATUS, null)).hasMessageContaining("needs read on core;");
        }
    }

    private static AccessOps.Verifier verifier(Scram.Verifier v) {
        return new AccessOps.Verifier(v.salt(), v.iterations(), v.storedKey(), v.serverKey());
    }
}
