package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;
import org.silo.archive.S3Process;

/**
 * Remote movers on a host of their own serving two servers of one catalog, the hosts as in {@link HostsIT}
 * ({@link NetnsHosts}): db (PostgreSQL, S3), srv1 and srv2 ({@code silo server}, no movers of their own,
 * anonymous sessions read only, one access list file copied to both as docs/protocol.md says), mover
 * ({@code silo mover run --server srv1,srv2}, logged in with {@code silo login movers}) and client.
 *
 * <p>First, a mover with no saved login is refused by the library manager (anonymous sessions only read
 * here) and ends with the reason and the remedy rather than asking forever; with the login saved, two
 * movers register and serve. Then a {@code put -r} from the client through {@code srv1,srv2} is under way
 * when srv1 is killed (kill -9): the movers, whose queue was srv1's, register with srv2 and the queue
 * drains there; the put ends with exit 0 and every file is stored once. Outcomes only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
// a ceiling for a hang only: two servers, a put of 400 files slowed by the movers' rate, the clients' and
// movers' move to srv2 after srv1's silence, and a dozen JVM starts on a busy two-core machine
@Timeout(1200)
class HostMoversIT {
    static final String ROOT_PASSWORD = "hosts-root-password";
    static final String MOVERS_PASSWORD = "hosts-movers-password";
    private static final int FILES = 400;

    @TempDir
    static Path dir; // static: made before @BeforeAll

    private NetnsHosts hosts;
    private PostgresProcess pg;
    private S3Process s3;
    private final List<SiloProcesses> processes = new ArrayList<>();
    private SiloProcesses srv1;
    private SiloProcesses srv2;
    private SiloProcesses client;
    private String both;
    private final List<SiloProcesses.Running> movers = new ArrayList<>();

    /** Why the hosts could not be made (ip netns refused, no PostgreSQL server binaries), or null. */
    private String skipped;

    @BeforeAll
    void hosts() throws Exception {
        try {
            hosts = NetnsHosts.create("db", "srv1", "srv2", "mover", "client");
            pg = PostgresProcess.start(hosts.address("db"), hosts.exec("db"));
        } catch (TestAbortedException e) {
            skipped = e.getMessage(); // said again by each test: a failed assumption in @BeforeAll shows as no test
            return;
        }
        s3 = S3Process.start(dir.resolve("s3"), hosts.address("db"), 0, hosts.exec("db"));
        Path lists = Files.createDirectories(dir.resolve("srv1").resolve("silo-data"));
        userAdd(lists, ROOT_PASSWORD, "root", "--admin");
        userAdd(lists, MOVERS_PASSWORD, "movers", "--grant", "archive:mover::write", "--grant", "archive:vol::write");
        // one set of access lists for the cluster: each server checks a login against its own access.json,
        // and a saved login (salted keys) works after a move only where the files are the same
        Path other = Files.createDirectories(dir.resolve("srv2").resolve("silo-data"));
        Files.copy(lists.resolve("access.json"), other.resolve("access.json"));
        srv1 = server("srv1");
        srv2 = server("srv2");
        both = srv1.at + "," + srv2.at;
        client = on(
                "client", Map.of("XDG_CONFIG_HOME", dir.resolve("client-config").toString()));
        for (String servers : List.of(both, srv2.at)) { // the list for the put, srv2 alone for after srv1's death
            client.at = servers;
            SiloProcesses.Done login = client.runWithInput(ROOT_PASSWORD + "\n", "login", "root", "--password-stdin");
            assertThat(login.exit()).as(login.output()).isZero();
        }
        client.at = both;
        SiloProcesses.Done add =
                client.run("vol", "add", "S3VOL1", "--library", "s3", "--capacity", "1G", "--backend", s3.uri("vol1"));
        assertThat(add.exit()).as(add.output() + errors()).isZero();
        assertThat(client.run("mkdir", "/exp").exit()).isZero();
    }

    @BeforeEach
    void hostsAreThere() {
        if (skipped != null) {
            throw new TestAbortedException(skipped);
        }
    }

    @AfterAll
    void close() throws Exception {
        for (SiloProcesses p : processes.reversed()) {
            p.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (pg != null) {
            pg.close();
        }
        if (hosts != null) {
            hosts.close();
        }
    }

    @Test
    @Order(1)
    void aMoverWithoutASavedLoginIsRefusedAndEndsSayingWhy() throws Exception {
        SiloProcesses.Running m = mover("m0", dir.resolve("no-login-config"));
        assertThat(m.process().waitFor(SiloProcesses.CEILING.toSeconds(), TimeUnit.SECONDS))
                .as("the refused mover ends by itself")
                .isTrue();
        String err = String.join("\n", m.err());
        assertThat(m.process().exitValue()).as(err).isEqualTo(Failures.FAILED);
        assertThat(m.out()).anyMatch(l -> l.contains("serving library s3") && l.contains("anonymous"));
        assertThat(err)
                .contains("mover refused by " + both)
                .contains("needs write on archive:mover:")
                .contains("silo login LIST --server " + both);
    }

    @Test
    @Order(2)
    void moversLoggedInWithTheSavedLoginRegisterWithTheFirstServer() throws Exception {
        SiloProcesses movhost =
                on("mover", Map.of("XDG_CONFIG_HOME", moverConfig().toString()));
        movhost.at = both;
        SiloProcesses.Done login = movhost.runWithInput(MOVERS_PASSWORD + "\n", "login", "movers", "--password-stdin");
        assertThat(login.exit()).as(login.output()).isZero();
        for (String name : List.of("m1", "m2")) {
            SiloProcesses.Running m = mover(name, moverConfig());
            movers.add(m);
            await().atMost(SiloProcesses.CEILING)
                    .until(() -> !m.out().isEmpty() || !m.process().isAlive());
            assertThat(m.out()).as(String.join("\n", m.err())).anyMatch(l -> l.contains("as movers"));
        }
        await().atMost(SiloProcesses.CEILING)
                .untilAsserted(() -> assertThat(moversOf(srv1, srv1.at)).contains("m1", "m2"));
    }

    @Test
    @Order(3)
    void theServerWithTheMoversQueueIsKilledTheyMoveToTheOtherAndTheQueueDrains() throws Exception {
        Assumptions.assumeTrue(movers.size() == 2, "the movers of the test before did not start");
        Path run = Files.createDirectories(dir.resolve("run"));
        for (int i = 0; i < FILES; i++) {
            SiloProcesses.file(run.resolve(String.format("f%03d", i)), 16 << 10, i);
        }
        SiloProcesses.Running put =
                client.startTo(both, "put", "-r", run.toString(), "/exp/", "--library", "s3", "--no-progress");
        await().atMost(SiloProcesses.CEILING).until(() -> !put.process().isAlive() || stored(put) >= 40);
        // at 256 KB/s per mover the other 360 files are many seconds away: only a machine that stalled this
        // test for longer could see the put end first, and then there is nothing to try
        Assumptions.assumeTrue(put.process().isAlive(), "the put ended before srv1 could be killed");
        srv1.killServer();

        assertThat(put.process().waitFor(SiloProcesses.CEILING.toSeconds() * 3, TimeUnit.SECONDS))
                .as("the put ends by itself")
                .isTrue();
        String err = String.join("\n", put.err());
        assertThat(put.process().exitValue()).as(err + moverErrors()).isZero();
        assertThat(put.err()).contains("silo: no answer from " + srv1.at + "; moved to " + srv2.at);
        assertThat(put.out().stream()
                        .filter(l -> l.contains(" -> /exp/run/f"))
                        .map(l -> l.substring(l.indexOf(" -> ") + 4))
                        .distinct())
                .as("one line per file")
                .hasSize(FILES);

        client.at = srv2.at;
        // the catalog names srv2 as the server of both movers: they registered there at their next idle_mover
        await().atMost(SiloProcesses.CEILING)
                .untilAsserted(() -> assertThat(moversOf(srv2, srv2.at)).contains("m1", "m2"));
        assertThat(movers).allMatch(m -> m.process().isAlive());
        // and each says so (RemoteMover's listener names the servers as mover@ADDRESS)
        for (SiloProcesses.Running m : movers) {
            assertThat(m.err())
                    .as(moverErrors())
                    .anyMatch(l -> l.contains("no answer from mover@" + srv1.at + "; moved to mover@" + srv2.at));
        }

        SiloProcesses.Done ls = client.run("ls", "/exp/run", "--json");
        assertThat(ls.exit()).as(ls.output() + errors()).isZero();
        List<Map<String, Object>> entries = SiloProcesses.JSON.readValue(ls.output(), new TypeReference<>() {});
        assertThat(entries.stream().map(e -> e.get("name")).distinct())
                .as("the namespace")
                .hasSize(FILES);
        assertThat(entries).hasSize(FILES);
        SiloProcesses.Done vols = client.run("vol", "ls", "--json");
        assertThat(vols.exit()).as(vols.output() + errors()).isZero();
        long files =
                SiloProcesses.JSON.readValue(vols.output(), new TypeReference<List<Map<String, Object>>>() {}).stream()
                        .mapToLong(v -> ((Number) v.get("files")).longValue())
                        .sum();
        assertThat(files).as("bit files on the volume: each file once").isEqualTo(FILES);

        SiloProcesses.Done fsck = client.run("fsck", "--json", "--timeout", "5m");
        assertThat(fsck.exit()).as(fsck.output() + errors()).isZero();
        Map<String, Object> report = SiloProcesses.JSON.readValue(fsck.output(), new TypeReference<>() {});
        assertThat((List<?>) report.get("problems")).as(fsck.output()).isEmpty();
        assertThat(((Number) report.get("checked")).longValue())
                .as("copies checked")
                .isEqualTo(FILES);
        // a container a mover had written when its job went back to the queue is dead space by design, which
        // fsck warns of (docs/archive.md, "Deletes and dead space"); anything else would be news
        @SuppressWarnings("unchecked")
        List<String> warnings = (List<String>) report.getOrDefault("warnings", List.of());
        // for whoever reads the run's output: how the movers moved and what dead space the move left
        System.out.println("fsck warnings: " + warnings + moverErrors());
        assertThat(warnings)
                .as(fsck.output())
                .allMatch(w -> w.contains("orphan container") || w.contains("an unrecorded file"));
    }

    /** The movers the catalog says {@code server} (the roster's address) has, as {@code via}'s STATUS shows them. */
    private String moversOf(SiloProcesses via, String server) throws Exception {
        client.at = via.at;
        SiloProcesses.Done status = client.run("status", "--json");
        assertThat(status.exit()).as(status.output() + errors()).isZero();
        JsonNode of =
                SiloProcesses.JSON.readTree(status.output()).path("cluster").path(server);
        return of.path("movers").asText("");
    }

    private int stored(SiloProcesses.Running put) {
        return (int)
                put.out().stream().filter(l -> l.contains(" -> /exp/run/f")).count();
    }

    private Path moverConfig() {
        return dir.resolve("mover-config");
    }

    /** {@code silo mover run} on the mover host for both servers, with the saved logins of {@code config}. */
    private SiloProcesses.Running mover(String name, Path config) throws Exception {
        SiloProcesses m = on("mover", Map.of("XDG_CONFIG_HOME", config.toString()));
        return m.startTo(
                both,
                "mover",
                "run",
                "--home",
                dir.resolve("movers").resolve(name).toString(),
                "--library",
                "s3",
                "--name",
                name,
                "--rate",
                "256K");
    }

    private String moverErrors() {
        StringBuilder b = new StringBuilder();
        for (SiloProcesses.Running m : movers) {
            b.append("\n--- mover ").append(movers.indexOf(m) + 1).append(":\n").append(String.join("\n", m.err()));
        }
        return b.toString();
    }

    private String errors() throws Exception {
        Path err = dir.resolve("client").resolve("commands.err");
        return Files.exists(err) ? "\n" + Files.readString(err) : "";
    }

    private SiloProcesses on(String host, Map<String, String> env) throws Exception {
        Files.createDirectories(dir.resolve(host));
        SiloProcesses p = new SiloProcesses(dir.resolve(host), hosts.exec(host), env);
        processes.add(p);
        return p;
    }

    /** An access list made in a data directory offline, as docs/security.md's first admin. */
    private static void userAdd(Path data, String password, String name, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SiloProcesses.SILO.toString(), "user", "add", name));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of("--password-stdin", "--data", data.toString()));
        Process add = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (var in = add.getOutputStream()) {
            in.write((password + "\n").getBytes(StandardCharsets.UTF_8));
        }
        String said = new String(add.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(add.waitFor()).as(said).isZero();
    }

    /**
     * A server on its host, listening on the host's address, so anonymous sessions only read: the movers
     * and the client log in. It runs no movers of its own: the library's movers are the mover host's.
     */
    private SiloProcesses server(String host) throws Exception {
        SiloProcesses p = on(host, Map.of());
        p.startServer(
                7400,
                "listen=" + hosts.address(host),
                "catalog=" + pg.jdbc(),
                "anonymous=read",
                "archive.movers=0",
                "archive.aggregate-size=128K");
        assertThat(p.at).isEqualTo(hosts.address(host) + ":7400");
        return p;
    }
}
