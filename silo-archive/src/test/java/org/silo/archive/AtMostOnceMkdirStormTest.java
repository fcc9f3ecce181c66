package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.catalog.Sql;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.ops.FileMessages.Ls;
import org.silo.archive.ops.FileMessages.Mkdir;
import org.silo.archive.ops.FileMessages.NsEntry;
import org.silo.archive.ops.FileMessages.NsList;
import org.silo.wire.LossyUdpProxy;
import org.silo.wire.SiloException;
import org.silo.wire.client.ClientListener;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.WireServer;
import org.silo.wire.server.WireServerConfig;

/**
 * Issue 17, at most once across servers under a storm: one client with the server list [A, B], each
 * behind a proxy that loses, duplicates and reorders datagrams (fixed seeds), makes 200 distinct
 * directories from 4 threads (100 parents, each then a child), and server A is killed part-way through,
 * while it holds calls it ran but whose answers the client never got. Every mkdir must succeed: none
 * answered "exists" for a directory made once (the repeat on B is answered from A's {@code client_call}
 * record, docs/archive.md "At most once across servers"), none made twice, none lost.
 */
class AtMostOnceMkdirStormTest {
    private static final int THREADS = 4;
    private static final int PAIRS_PER_THREAD = 25; // 4 x 25 x (parent, child) = 200 directories
    private static final int CALLS = THREADS * PAIRS_PER_THREAD * 2;
    /** How many mkdirs go out before the gate that precedes the kill: part-way, not at the edges. */
    private static final int BEFORE_KILL = 80;
    /**
     * Each call's deadline on a server. 10% loss each way leaves a live server silent about a call for 10 s
     * (eight or so transmissions, all lost) about once in 10^6 calls.
     */
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @TempDir
    Path dataA;

    @TempDir
    Path dataB;

    TestCatalogs catalogs;
    ArchiveService archiveA;
    ArchiveService archiveB;
    WireServer serverA;
    WireServer serverB;
    LossyUdpProxy toA;
    LossyUdpProxy toB;
    final SimpleMeterRegistry registryB = new SimpleMeterRegistry();
    final List<String> moves = new CopyOnWriteArrayList<>();
    /** The client told its listener that its oldest call to A has waited nearly its deadline. */
    final AtomicBoolean nearDeadlineOnA = new AtomicBoolean();

    @BeforeEach
    void start() throws Exception {
        catalogs = new TestCatalogs("pg");
        archiveA = ArchiveService.open(dataA, catalogs.setting);
        archiveB = ArchiveService.open(dataB, catalogs.setting);
        serverA = serve(archiveA, new SimpleMeterRegistry());
        serverB = serve(archiveB, registryB);
        // 10% loss each way (see DEADLINE), 5% duplicated, 20% reordered
        toA = new LossyUdpProxy(serverA.address(), 0.10, 0.05, 0.20, 17);
        toB = new LossyUdpProxy(serverB.address(), 0.10, 0.05, 0.20, 18);
    }

    private static WireServer serve(ArchiveService archive, SimpleMeterRegistry registry) throws Exception {
        Dispatcher d = new Dispatcher();
        archive.register(d);
        return WireServer.start(InetAddress.getLoopbackAddress(), 0, WireServerConfig.DEFAULTS, d, registry);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {toA, toB, serverA, serverB, archiveA, archiveB, catalogs}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static String name(InetSocketAddress a) {
        return "127.0.0.1:" + a.getPort();
    }

    @Test
    @Timeout(600) // a hang catcher only: nothing here is asserted on how long it took
    void aMkdirStormThroughALossyNetworkOutlivesTheKillOfItsServerAndMakesEachDirectoryOnce() throws Exception {
        ClientOptions options = ClientOptions.to(toA.address())
                .withServers(List.of(
                        new ClientOptions.Server(toA.address(), name(toA.address())),
                        new ClientOptions.Server(toB.address(), name(toB.address()))))
                // A call moves when its deadline passes without an answer; with this many retries it is never
                // given up earlier for silence, so the held calls below move at a known point of their own
                // retransmissions (the client's clock, not the test's)
                .withRetries(100)
                .withDeadline(DEADLINE)
                .withListener(new ClientListener() {
                    @Override
                    public void waiting(String server, long waitedMillis, int retransmissions) {
                        if (server.equals(name(toA.address()))
                                && waitedMillis >= DEADLINE.minusSeconds(2).toMillis()) {
                            nearDeadlineOnA.set(true);
                        }
                    }

                    @Override
                    public void moved(String from, String to) {
                        moves.add(from + " -> " + to);
                    }
                });
        Gate gate = new Gate(BEFORE_KILL);
        AtomicInteger answered = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        List<String> made = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try (SiloClient client = SiloClient.connect(options)) {
            List<Future<?>> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                threads.add(pool.submit(() -> {
                    try {
                        for (int i = 0; i < PAIRS_PER_THREAD; i++) {
                            String parent = "/storm-" + thread + "-" + i;
                            for (String path : List.of(parent, parent + "/child")) {
                                gate.pass();
                                try {
                                    NsEntry e = client.call(FileClerkOps.MKDIR, new Mkdir(path, false, null));
                                    made.add(e.path());
                                    answered.incrementAndGet();
                                } catch (SiloException e) {
                                    failures.add(path + ": " + e.code() + " " + e.getMessage());
                                }
                            }
                        }
                    } finally {
                        gate.done();
                    }
                    return null;
                }));
            }

            // Every thread waits at the gate (or has no work left): no call in flight, and every answer
            // that was on its way has been counted. From here on A's answers are lost, as if its network
            // went first; A still runs what reaches it.
            await().atMost(Duration.ofMinutes(5)).until(gate::quiet);
            int answeredBefore = answered.get();
            int held = gate.held();
            toA.withholdReplies.set(true);
            int early = Math.min(2, held);
            gate.release(early);
            if (held > early) {
                // The others send theirs once the client says the first have waited on A for nearly their
                // deadline: when those move the client to B, these are early in their retransmissions, and
                // their next repeat goes to B in A's session, is answered DISOLVE, and is sent again in B's
                // (docs/protocol.md §4, "DISOLVE"), as the later calls of a busy client are. (If the client
                // has moved already, they simply go to B.)
                await().atMost(Duration.ofMinutes(2)).until(() -> nearDeadlineOnA.get() || !moves.isEmpty());
                gate.release(held - early);
            }
            // A has committed each held thread's mkdir with its record, and the client has none of the
            // answers: the case the record is for. Whether any call is in that state at a kill is
            // otherwise up to the scheduler.
            await().atMost(Duration.ofMinutes(2)).until(() -> records(client.clientId()) >= answeredBefore + held);
            gate.open();
            // Normally the client is still waiting on A here; only a machine too starved to run the late
            // mkdirs before the first calls' deadline moves it first, and then B may have run a held call
            // before A did (or instead of A), and answered it from no record.
            boolean movedBeforeKill = !moves.isEmpty();

            // The kill. In-process there is no SIGKILL; closing the WireServer first shuts its UDP socket,
            // so not one more datagram leaves A (no goodbye: the protocol has none, and the client learns of
            // the death only by silence, as from a killed process), then closing the archive closes its
            // connection pool, which aborts connections still in a transaction, so PostgreSQL rolls back
            // what A had not committed, as it does when a killed server's sockets close.
            serverA.close();
            archiveA.close();
            serverA = null;
            archiveA = null;

            for (Future<?> f : threads) {
                f.get();
            }

            assertThat(failures).as("no mkdir failed, none answered 'exists'").isEmpty();
            assertThat(made).hasSize(CALLS).doesNotHaveDuplicates();
            assertThat(moves)
                    .as("the client moved from A to B")
                    .first()
                    .isEqualTo(name(toA.address()) + " -> " + name(toB.address()));
            assertThat(client.server().address()).isEqualTo(toB.address());
            assertThat(records(client.clientId()))
                    .as("each mkdir recorded once, with its effect, on whichever server ran it")
                    .isEqualTo(CALLS);
            if (!movedBeforeKill) {
                assertThat(archiveB.records().answered())
                        .as("B answered the repeat of each call A ran unanswered from A's record")
                        .isGreaterThanOrEqualTo(held);
            }
            // what happened, for whoever reads the log (how the repeats went is the scheduler's business)
            System.out.printf(
                    "storm: held %d, moved before the kill %s, moves %s, B answered %d from records,"
                            + " B said DISOLVE %.0f times%n",
                    held,
                    movedBeforeKill,
                    moves,
                    archiveB.records().answered(),
                    registryB.counter("silo.wire.disolve").count());
            // the network really was bad both ways
            assertThat(toA.dropped.get()).isPositive();
            assertThat(toA.duplicated.get() + toB.duplicated.get()).isPositive();
            assertThat(toA.reordered.get() + toB.reordered.get()).isPositive();
        } finally {
            pool.shutdownNow();
        }

        // each directory exists exactly once, read through B on a clean path
        long dirs = archiveB.catalog()
                .tx(c -> Sql.count(c, "SELECT COUNT(*) FROM ns_entry WHERE kind = 'd' AND parent_id IS NOT NULL"));
        assertThat(dirs).as("200 directories besides the root, no more").isEqualTo(CALLS);
        try (SiloClient reader = SiloClient.connect(ClientOptions.to(serverB.address()))) {
            List<String> top = reader.call(FileClerkOps.LS, new Ls("/")).entries().stream()
                    .map(NsEntry::name)
                    .toList();
            List<String> expected = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                for (int i = 0; i < PAIRS_PER_THREAD; i++) {
                    expected.add("storm-" + t + "-" + i);
                }
            }
            assertThat(top).containsExactlyInAnyOrderElementsOf(expected);
            for (String parent : expected) {
                NsList under = reader.call(FileClerkOps.LS, new Ls("/" + parent));
                assertThat(under.entries()).extracting(NsEntry::name).containsExactly("child");
                assertThat(under.entries()).extracting(NsEntry::kind).containsExactly("dir");
            }
        }
    }

    /** The client's records in the catalog both servers share. */
    private long records(long clientId) throws Exception {
        return archiveB.catalog()
                .tx(c -> Sql.count(c, "SELECT COUNT(*) FROM client_call WHERE client_id = " + clientId));
    }

    /**
     * Lets the first {@code before} calls through, then holds every thread that comes for another until
     * it is let through one by one ({@link #release}) or all at once ({@link #open}): the test then knows
     * no call is in flight, and which go out when.
     */
    static final class Gate {
        private final int before;
        private int passed;
        private int held;
        private int permits;
        private int finished;
        private boolean open;

        Gate(int before) {
            this.before = before;
        }

        synchronized void pass() throws InterruptedException {
            if (open || passed++ < before) {
                return;
            }
            held++;
            while (!open && permits == 0) {
                wait();
            }
            if (!open) {
                permits--;
            }
            held--;
        }

        synchronized int held() {
            return held;
        }

        synchronized void release(int threads) {
            permits += threads;
            notifyAll();
        }

        synchronized void done() {
            finished++;
        }

        /** Every thread is held or has finished: nothing is in flight. */
        synchronized boolean quiet() {
            return held + finished == THREADS;
        }

        synchronized void open() {
            open = true;
            notifyAll();
        }
    }
}
