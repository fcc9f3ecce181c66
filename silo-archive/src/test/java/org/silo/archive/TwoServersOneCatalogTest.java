package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.silo.archive.catalog.Sql;
import org.silo.archive.cluster.ServerRoster;
import org.silo.archive.lm.LibrarySettings;
import org.silo.archive.ops.LibraryMessages.Aggregation;
import org.silo.archive.ops.VolumeMessages.AddVol;
import org.silo.archive.transfer.LibraryClient;
import org.silo.archive.transfer.TransferClient;
import org.silo.archive.transfer.TransferClient.Result;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.WireServer;
import org.silo.wire.server.WireServerConfig;

/**
 * Two servers serving one library on one PostgreSQL catalog (docs/archive.md, "Several servers on one
 * catalog"): each with its own data directory, its own movers and its own message endpoint, the volumes in
 * directories both reach. Clients put through both at once into one file family; every file is then read
 * back through the other server, byte for byte, and the catalog is checked for what only a shared decision
 * keeps true: no two files at one place on a volume, and the family's files on no more volumes than its
 * width lets be written at once (the volumes are large enough that none fills).
 */
class TwoServersOneCatalogTest {
    /** A mover silent for 5 s is reaped: shorter than the puts, so a server that reaped another's movers would. */
    static final LibrarySettings SETTINGS = new LibrarySettings(3_600_000, 1, 1_000_001, 5_000, 200)
            .withAggregation(new Aggregation(64 << 10, 1 << 20, 200));

    static final int CLIENTS_PER_SERVER = 2;
    static final int FILES_PER_CLIENT = 60;

    @TempDir
    Path tmp;

    final List<AutoCloseable> open = new ArrayList<>();
    TestCatalogs catalogs;

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        if (catalogs != null) {
            catalogs.close();
        }
    }

    /** One server: the archive on the shared catalog, two movers of its own, a message endpoint on loopback. */
    record Server(ArchiveService archive, WireServer wire, SiloClient client) {}

    /**
     * A server as SiloServer assembles one: the archive, its endpoint, its row in the catalog's server
     * roster (with a heartbeat, here every second) naming it in the rows of the movers it holds.
     */
    Server server(String name) throws Exception {
        ArchiveService a = ArchiveService.open(tmp.resolve(name), catalogs.setting, SETTINGS);
        open.add(a);
        Dispatcher d = new Dispatcher();
        a.register(d);
        WireServer w = WireServer.start(
                InetAddress.getLoopbackAddress(), 0, WireServerConfig.DEFAULTS, d, new SimpleMeterRegistry());
        open.add(w);
        ServerRoster roster =
                ServerRoster.join(a.catalog(), "127.0.0.1:" + w.port(), name, "test", System.currentTimeMillis());
        open.add(roster);
        ScheduledExecutorService beat = Executors.newSingleThreadScheduledExecutor();
        beat.scheduleAtFixedRate(() -> roster.beat(System.currentTimeMillis()), 1, 1, TimeUnit.SECONDS);
        open.add(beat::shutdownNow);
        a.library().servedAt(roster.address());
        SiloClient c = SiloClient.connect(ClientOptions.to(w.address()));
        open.add(c);
        a.startLocalMovers(2, "default");
        return new Server(a, w, c);
    }

    TransferClient transfers(Server s) throws IOException {
        TransferClient t = new TransferClient(
                LibraryClient.over(s.client()),
                TransferClient.Options.defaults()
                        .withParallel(3)
                        .withBatch(5, Long.MAX_VALUE)
                        .withWait(Duration.ofMinutes(10)));
        open.add(t);
        return t;
    }

    @ParameterizedTest(name = "width {0}")
    @ValueSource(ints = {1, 2})
    @Timeout(900)
    void putsThroughBothServersAreReadBackThroughTheOtherAndTheWidthHolds(int width) throws Exception {
        catalogs = new TestCatalogs("pg");
        Server a = server("a");
        a.archive().volumes().setFamilyWidth("default", width);
        for (int i = 1; i <= 4; i++) { // blank volumes both servers reach, besides a's DEF001 and DEF002
            a.archive()
                    .volumes()
                    .addvol(
                            new AddVol(
                                    "SHR00" + i,
                                    "default",
                                    "disk",
                                    "10G",
                                    "dir:" + tmp.resolve("shared").resolve("SHR00" + i),
                                    null,
                                    null),
                            "test");
        }
        Server b = server("b");
        Server[] servers = {a, b};
        a.archive().namespace().mkdir("/t", false, "alice");

        // small files go into containers, every tenth is a file of its own
        List<List<Path>> sources = new ArrayList<>();
        List<List<String>> dests = new ArrayList<>();
        Random r = new Random(width);
        for (int client = 0; client < 2 * CLIENTS_PER_SERVER; client++) {
            List<Path> src = new ArrayList<>();
            List<String> dst = new ArrayList<>();
            for (int i = 0; i < FILES_PER_CLIENT; i++) {
                int size = i % 10 == 0 ? 100_000 + r.nextInt(200_000) : r.nextInt(20_000);
                byte[] bytes = new byte[size];
                r.nextBytes(bytes);
                Path p = tmp.resolve("src").resolve("c" + client).resolve("f" + i);
                Files.createDirectories(p.getParent());
                Files.write(p, bytes);
                src.add(p);
                dst.add("/t/c" + client + "-f" + i);
            }
            sources.add(src);
            dests.add(dst);
        }

        List<CompletableFuture<List<Result>>> puts = new ArrayList<>();
        for (int client = 0; client < sources.size(); client++) {
            TransferClient t = transfers(servers[client % 2]);
            List<Path> src = sources.get(client);
            List<String> dst = dests.get(client);
            puts.add(CompletableFuture.supplyAsync(() -> t.put(src, dst)));
        }
        for (CompletableFuture<List<Result>> put : puts) {
            assertThat(put.get())
                    .allSatisfy(res -> assertThat(res.error()).as(res.dest()).isNull());
        }

        // every file back through the server it was not put through
        for (int client = 0; client < sources.size(); client++) {
            TransferClient t = transfers(servers[(client + 1) % 2]);
            List<Path> back = new ArrayList<>();
            for (int i = 0; i < FILES_PER_CLIENT; i++) {
                back.add(tmp.resolve("back").resolve("c" + client).resolve("f" + i));
            }
            Files.createDirectories(back.get(0).getParent());
            assertThat(t.get(dests.get(client), back))
                    .allSatisfy(res -> assertThat(res.error()).as(res.source()).isNull());
            for (int i = 0; i < FILES_PER_CLIENT; i++) {
                assertThat(Files.mismatch(sources.get(client).get(i), back.get(i)))
                        .as("c" + client + "/f" + i + " read back through the other server")
                        .isEqualTo(-1L);
            }
        }

        var catalog = a.archive().catalog();
        // no two files (whole files and containers) at one place of a volume
        List<String> shared = catalog.tx(c -> Sql.list(
                c,
                "SELECT volume, cookie, COUNT(*) FROM (SELECT volume, cookie FROM bit_file WHERE container IS NULL"
                        + " UNION ALL SELECT volume, cookie FROM container) f GROUP BY volume, cookie"
                        + " HAVING COUNT(*) > 1",
                rs -> rs.getString(1) + " " + rs.getString(2) + " x" + rs.getLong(3)));
        assertThat(shared).as("places of a volume held by two files").isEmpty();
        List<String> homeless = catalog.tx(c -> Sql.list(
                c,
                "SELECT b.bfid FROM bit_file b WHERE b.container IS NOT NULL AND NOT EXISTS"
                        + " (SELECT 1 FROM container k WHERE k.volume = b.volume AND k.cookie = b.container)",
                rs -> rs.getString(1)));
        assertThat(homeless).as("members whose container is not recorded").isEmpty();
        long files = catalog.tx(c -> Sql.count(c, "SELECT COUNT(*) FROM bit_file WHERE state = 'active'"));
        assertThat(files).isEqualTo((long) sources.size() * FILES_PER_CLIENT);
        // no volume filled up, so the family's files are on no more volumes than were ever written at once
        List<String> holding = catalog.tx(
                c -> Sql.list(c, "SELECT DISTINCT volume FROM bit_file ORDER BY volume", rs -> rs.getString(1)));
        assertThat(holding).as("volumes holding the family's files").hasSizeLessThanOrEqualTo(width);

        for (Server s : servers) {
            var report = s.archive().files().fsck();
            assertThat(report.problems()).isEmpty();
            assertThat(report.warnings()).isEmpty();
            assertThat(report.files()).isEqualTo(files);
        }
    }
}
