package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
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
 * Silo across hosts, each a network namespace of {@link NetnsHosts} with an address of its own:
 *
 * <pre>
 *   db      10.77.0.1  PostgreSQL (a server of its own, {@link PostgresProcess}) and the S3 server ({@link S3Process})
 *   srv1    10.77.0.2  bin/silo server, listen=10.77.0.2, catalog on db, no movers of its own
 *   srv2    10.77.0.3  bin/silo server, the same catalog
 *   mover   10.77.0.4  bin/silo mover run: one mover for each server, library s3
 *   client  10.77.0.5  bin/silo put / get, logged in as an admin to both servers
 * </pre>
 *
 * The volume is an S3 volume on db; the mover writes and reads it over the LAN and sends the bytes
 * to the client's address. A file put through srv1 reads back through both servers, and one put
 * through srv2 through srv1. Skipped, saying why, where {@code ip netns} is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(600) // a ceiling for a hang only: some fifteen JVM starts on a busy machine
class HostsIT {
    static final String PASSWORD = "hosts-test-password";

    @TempDir
    static Path dir; // static: made before @BeforeAll

    private NetnsHosts hosts;
    private PostgresProcess pg;
    private S3Process s3;
    private final List<SiloProcesses> processes = new ArrayList<>();
    private SiloProcesses srv1;
    private SiloProcesses srv2;
    private SiloProcesses client;
    private Path file;

    /** Why the hosts could not be made (ip netns refused, no PostgreSQL server binaries), or null. */
    private String skipped;

    @BeforeAll
    void hosts() throws Exception {
        try {
            hosts = NetnsHosts.create("db", "srv1", "srv2", "mover", "client");
            pg = PostgresProcess.start(hosts.address("db"), hosts.exec("db"));
        } catch (TestAbortedException e) {
            // said again by each test: an assumption failed in @BeforeAll is reported as no test at all
            skipped = e.getMessage();
            return;
        }
        s3 = S3Process.start(dir.resolve("s3"), hosts.address("db"), 0, hosts.exec("db"));
        srv1 = server("srv1");
        srv2 = server("srv2");
        client = on(
                "client", Map.of("XDG_CONFIG_HOME", dir.resolve("client-config").toString()));
        for (SiloProcesses server : List.of(srv1, srv2)) {
            client.at = server.at;
            SiloProcesses.Done login = client.runWithInput(PASSWORD + "\n", "login", "root", "--password-stdin");
            assertThat(login.exit()).as(login.output()).isZero();
        }
        client.at = srv1.at;
        SiloProcesses.Done add =
                client.run("vol", "add", "S3VOL1", "--library", "s3", "--capacity", "1G", "--backend", s3.uri("vol1"));
        assertThat(add.exit()).as(add.output()).isZero();
        mover("m1", srv1);
        mover("m2", srv2);
        client.at = srv1.at;
        assertThat(client.run("mkdir", "/exp").exit()).isZero();
        file = dir.resolve("big.dat");
        SiloProcesses.file(file, 5_000_000, 17);
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
    void aFilePutFromTheClientHostThroughServerOneReadsBackThroughServerOne() throws Exception {
        client.at = srv1.at;
        SiloProcesses.Done put = client.run("put", file.toString(), "/exp/big.dat", "--library", "s3", "--no-progress");
        assertThat(put.exit()).as(put.output() + errors()).isZero();
        assertThat(getThrough(srv1, "one")).as("read back through srv1").hasSameBinaryContentAs(file);
        SiloProcesses.Done vol = client.run("vol", "show", "S3VOL1", "--json");
        assertThat(SiloProcesses.JSON.readTree(vol.output()).get("files").asLong())
                .as("the file is on the S3 volume")
                .isEqualTo(1);
    }

    @Test
    @Order(2)
    void theSameFileReadsBackThroughServerTwoOnTheSameCatalog() throws Exception {
        assertThat(getThrough(srv2, "two")).as("read back through srv2").hasSameBinaryContentAs(file);
    }

    @Test
    @Order(3)
    void aFilePutThroughServerTwoReadsBackThroughServerOne() throws Exception {
        Path other = dir.resolve("other.dat");
        SiloProcesses.file(other, 1_000_000, 18);
        client.at = srv2.at;
        SiloProcesses.Done put =
                client.run("put", other.toString(), "/exp/other.dat", "--library", "s3", "--no-progress");
        assertThat(put.exit()).as(put.output() + errors()).isZero();
        assertThat(getThrough(srv1, "three", "other.dat"))
                .as("read back through srv1")
                .hasSameBinaryContentAs(other);
    }

    /**
     * Puts through srv1 and srv2 in turn onto the one S3 volume, each served by that server's mover.
     * Fails today: each mover counts the volume's next file number in its own memory (S3Backend's
     * {@code last}), so the second mover's container takes the number the first just wrote and
     * overwrites its object: the get of t0 fails with {@code CRC mismatch at mover: /exp/t0 read from
     * S3VOL1 0000_000000000_0000003+512+300000}. To be enabled when append positions are decided in
     * the catalog.
     */
    @Test
    @Order(4)
    void putsThroughBothServersInTurnKeepEveryFile() throws Exception {
        Path turns = Files.createDirectories(dir.resolve("turns"));
        for (int i = 0; i < 4; i++) {
            Path f = turns.resolve("t" + i);
            SiloProcesses.file(f, 300_000, 100 + i);
            client.at = (i % 2 == 0 ? srv1 : srv2).at;
            SiloProcesses.Done put = client.run("put", f.toString(), "/exp/t" + i, "--library", "s3", "--no-progress");
            assertThat(put.exit()).as(put.output() + errors()).isZero();
        }
        for (int i = 0; i < 4; i++) {
            assertThat(getThrough(i % 2 == 0 ? srv2 : srv1, "turn" + i, "t" + i))
                    .as("t" + i)
                    .hasSameBinaryContentAs(turns.resolve("t" + i));
        }
        assertThat(getThrough(srv1, "again", "big.dat")).hasSameBinaryContentAs(file);
        assertThat(getThrough(srv1, "again-other", "other.dat")).hasSameBinaryContentAs(dir.resolve("other.dat"));
        client.at = srv1.at;
        SiloProcesses.Done fsck = client.run("fsck");
        assertThat(fsck.exit()).as(fsck.output()).isZero();
    }

    private Path getThrough(SiloProcesses server, String name) throws Exception {
        return getThrough(server, name, "big.dat");
    }

    private Path getThrough(SiloProcesses server, String name, String file) throws Exception {
        client.at = server.at;
        Path back = Files.createDirectories(dir.resolve("back-" + name));
        SiloProcesses.Done get = client.run("get", "/exp/" + file, back.toString(), "--no-progress");
        assertThat(get.exit()).as(get.output() + errors()).isZero();
        return back.resolve(file);
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

    /**
     * A server on its host: an admin list made in its data directory first (offline, as
     * docs/security.md's first admin), then {@code bin/silo server} listening on the host's address.
     * Anonymous sessions get read and write ({@code anonymous=all}): a remote mover does not log in.
     */
    private SiloProcesses server(String host) throws Exception {
        SiloProcesses p = on(host, Map.of());
        Path data = dir.resolve(host).resolve("silo-data");
        Process add = new ProcessBuilder(
                        SiloProcesses.SILO.toString(),
                        "user",
                        "add",
                        "root",
                        "--admin",
                        "--password-stdin",
                        "--data",
                        data.toString())
                .redirectErrorStream(true)
                .start();
        try (var in = add.getOutputStream()) {
            in.write((PASSWORD + "\n").getBytes(StandardCharsets.UTF_8));
        }
        String said = new String(add.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(add.waitFor()).as(said).isZero();
        p.startServer(
                7400, "listen=" + hosts.address(host), "catalog=" + pg.jdbc(), "anonymous=all", "archive.movers=0");
        assertThat(p.at).isEqualTo(hosts.address(host) + ":7400");
        return p;
    }

    /** {@code silo mover run} on the mover host for {@code server}; there once the server lists it. */
    private void mover(String name, SiloProcesses server) throws Exception {
        SiloProcesses m = on("mover", Map.of());
        m.at = server.at;
        m.start(
                "mover",
                "run",
                "--home",
                dir.resolve("mover").resolve(name).toString(),
                "--library",
                "s3",
                "--name",
                name);
        client.at = server.at;
        await().atMost(SiloProcesses.CEILING)
                .until(() -> client.run("mover", "ls").output().contains(name));
    }
}
