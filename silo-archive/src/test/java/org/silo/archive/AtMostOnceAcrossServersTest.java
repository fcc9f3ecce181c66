package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.catalog.Sql;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.ops.FileMessages.Mkdir;
import org.silo.wire.NotFoundException;
import org.silo.wire.client.ClientListener;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.WireServer;
import org.silo.wire.server.WireServerConfig;

/**
 * Two servers on one PostgreSQL catalog (a schema of its own): a mkdir that server A ran but whose reply
 * never reached the client is sent again, with the same request id, to server B once the client gives up on
 * A, and B answers it from the record A wrote with the directory, without making it again (docs/archive.md,
 * "At most once across servers").
 */
class AtMostOnceAcrossServersTest {
    @TempDir
    Path dataA;

    @TempDir
    Path dataB;

    TestCatalogs catalogs;
    ArchiveService archiveA;
    ArchiveService archiveB;
    WireServer serverA;
    WireServer serverB;
    ReplyWithholdingProxy proxy;
    final List<String> moves = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        catalogs = new TestCatalogs("pg");
        archiveA = ArchiveService.open(dataA, catalogs.setting);
        archiveB = ArchiveService.open(dataB, catalogs.setting);
        serverA = serve(archiveA);
        serverB = serve(archiveB);
        proxy = new ReplyWithholdingProxy(serverA.address());
    }

    private static WireServer serve(ArchiveService archive) throws Exception {
        Dispatcher d = new Dispatcher();
        archive.register(d);
        return WireServer.start(
                InetAddress.getLoopbackAddress(), 0, WireServerConfig.DEFAULTS, d, new SimpleMeterRegistry());
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {proxy, serverA, serverB, archiveA, archiveB, catalogs}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private SiloClient client(InetSocketAddress... servers) throws Exception {
        List<ClientOptions.Server> list = java.util.Arrays.stream(servers)
                .map(a -> new ClientOptions.Server(a, "127.0.0.1:" + a.getPort()))
                .toList();
        return SiloClient.connect(ClientOptions.to(servers[0])
                .withServers(list)
                .withRetries(2)
                .withDeadline(Duration.ofMinutes(2))
                .withListener(new ClientListener() {
                    @Override
                    public void waiting(String server, long waitedMillis, int retransmissions) {}

                    @Override
                    public void moved(String from, String to) {
                        moves.add(from + " -> " + to);
                    }
                }));
    }

    private long records(long clientId) throws Exception {
        return archiveB.catalog()
                .tx(c -> Sql.count(c, "SELECT COUNT(*) FROM client_call WHERE client_id = " + clientId));
    }

    @Test
    void aMkdirRunByTheServerThatDiedIsAnsweredFromTheRecordOnTheNext() throws Exception {
        try (SiloClient client = client(proxy.address(), serverB.address())) {
            proxy.withhold.set(true); // A runs what it gets; its answers never arrive
            client.call(FileClerkOps.MKDIR, new Mkdir("/once", false, null));

            assertThat(moves)
                    .containsExactly("127.0.0.1:" + proxy.address().getPort() + " -> 127.0.0.1:"
                            + serverB.address().getPort());
            assertThat(proxy.requestsToServer.get()).as("A had the call").isGreaterThan(0);
            assertThat(archiveB.records().answered())
                    .as("B answered the repeat from A's record")
                    .isEqualTo(1);
            assertThat(archiveA.records().answered()).isZero();
            long dirs = archiveB.catalog()
                    .tx(c -> Sql.count(c, "SELECT COUNT(*) FROM ns_entry WHERE name = 'once' AND kind = 'd'"));
            assertThat(dirs).isEqualTo(1);
            assertThat(client.server().address()).isEqualTo(serverB.address());
        }
    }

    @Test
    void aFailedCallLeavesNoRecordAndAnEndedSessionLeavesNone() throws Exception {
        SiloClient client = client(serverB.address());
        assertThatThrownBy(() -> client.call(FileClerkOps.MKDIR, new Mkdir("/absent/child", false, null)))
                .isInstanceOf(NotFoundException.class);
        assertThat(records(client.clientId()))
                .as("a call that failed changed nothing and recorded nothing")
                .isZero();

        client.call(FileClerkOps.MKDIR, new Mkdir("/made", false, null));
        assertThat(records(client.clientId())).as("recorded with its effect").isEqualTo(1);

        client.close(); // END: the client will ask for nothing again
        assertThat(records(client.clientId())).isZero();
    }

    @Test
    void anEffectWhoseRecordCannotBeWrittenIsRolledBackWithIt() throws Exception {
        archiveB.catalog().tx(c -> {
            try (var st = c.createStatement()) {
                st.execute("ALTER TABLE client_call ADD CONSTRAINT no_mkdir CHECK (op <> " + FileClerkOps.MKDIR.code()
                        + ")");
            }
            return null;
        });
        try (SiloClient client = client(serverB.address())) {
            assertThatThrownBy(() -> client.call(FileClerkOps.MKDIR, new Mkdir("/unrecorded", false, null)))
                    .isInstanceOf(org.silo.wire.SiloException.class);
        }
        long dirs = archiveB.catalog().tx(c -> Sql.count(c, "SELECT COUNT(*) FROM ns_entry WHERE name = 'unrecorded'"));
        assertThat(dirs).as("the directory went with its record").isZero();
    }

    /** A UDP relay to one server that forwards every request and, once told to, drops every answer. */
    static final class ReplyWithholdingProxy implements AutoCloseable {
        final AtomicBoolean withhold = new AtomicBoolean();
        final AtomicLong requestsToServer = new AtomicLong();
        private final DatagramSocket front;
        private final DatagramSocket back;
        private volatile InetSocketAddress client;

        ReplyWithholdingProxy(InetSocketAddress server) throws SocketException {
            front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            back = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            back.connect(server);
            Thread.ofPlatform().daemon().name("proxy-up").start(() -> relay(front, true));
            Thread.ofPlatform().daemon().name("proxy-down").start(() -> relay(back, false));
        }

        InetSocketAddress address() {
            return (InetSocketAddress) front.getLocalSocketAddress();
        }

        private void relay(DatagramSocket from, boolean up) {
            byte[] buf = new byte[65536];
            while (!from.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    from.receive(p);
                    if (up) {
                        client = (InetSocketAddress) p.getSocketAddress();
                        if (withhold.get()) {
                            requestsToServer.incrementAndGet();
                        }
                        back.send(new DatagramPacket(p.getData(), p.getLength()));
                    } else if (!withhold.get() && client != null) {
                        front.send(new DatagramPacket(p.getData(), p.getLength(), client));
                    }
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        @Override
        public void close() {
            front.close();
            back.close();
        }
    }
}
