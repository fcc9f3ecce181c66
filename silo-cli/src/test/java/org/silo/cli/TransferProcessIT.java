package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/silo put} as a real process against {@code bin/silo server} as a real process, stopped in
 * the ways people and machines stop them: the put interrupted with Ctrl-C (SIGINT) or killed (SIGKILL),
 * the server killed and started again in the middle of a put. Outcomes only: what the catalog and the
 * put's output say afterwards, never how soon.
 */
// a ceiling for a hang only: each test starts a server and ten or more CLI JVMs, seconds each on a busy
// machine (the suite's default of 120 s cut a Ctrl-C test short beside two CPU hogs while it was still going)
@Timeout(900)
class TransferProcessIT {
    @TempDir
    Path dir;

    private SiloProcesses silo;

    @BeforeEach
    void processes() {
        silo = new SiloProcesses(dir);
    }

    @AfterEach
    void stop() throws Exception {
        silo.close();
    }

    /**
     * A small file put first, then one that takes ten minutes at the movers' {@link #CRAWL}: the put is
     * stopped while it moves. (At 1 MB/s, a minute, a clean clone's run beside two CPU hogs once took
     * that long to reach the stop, and the put had finished.)
     */
    private Path twoFiles() throws IOException {
        Path run = Files.createDirectory(dir.resolve("run"));
        SiloProcesses.file(run.resolve("a"), 10_000, 1);
        SiloProcesses.file(run.resolve("z"), 64 << 20, 2);
        return run;
    }

    /** The movers' rate for the stopped puts: slow enough that no load on the machine lets z finish first. */
    private static final String CRAWL = "archive.mover-rate=100K";

    private void awaitMoving(String path) {
        await().atMost(SiloProcesses.CEILING)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    Map<String, Object> j = silo.jobOf(path);
                    return j != null && "active".equals(j.get("state"));
                });
    }

    @Test
    void aPutStoppedWithCtrlCIsCancelledByTheClientAndHadPrintedWhatItFinished() throws Exception {
        silo.startServer(0, CRAWL);
        assertThat(silo.run("mkdir", "/exp").exit()).isZero();
        Path run = twoFiles();
        // the two files named in this order (put -r sends a tree in the file system's order, which a test cannot
        // choose)
        assertThat(silo.run("mkdir", "/exp/run").exit()).isZero();
        SiloProcesses.Running put = silo.start(
                "put",
                run.resolve("a").toString(),
                run.resolve("z").toString(),
                "/exp/run/",
                "--parallel",
                "1",
                "--no-progress");
        await().atMost(SiloProcesses.CEILING)
                .until(() -> put.out().stream().anyMatch(l -> l.endsWith(run.resolve("a") + " -> /exp/run/a")));
        awaitMoving("/exp/run/a"); // the request of a and z, now moving z

        new ProcessBuilder("kill", "-INT", Long.toString(put.process().pid()))
                .start()
                .waitFor();
        assertThat(put.process().waitFor(SiloProcesses.CEILING.toSeconds(), TimeUnit.SECONDS))
                .as("the put stops")
                .isTrue();

        assertThat(put.process().exitValue()).isNotZero();
        assertThat(put.err()).anyMatch(l -> l.contains("stopped; the server cancels this command's transfers"));
        // a and z went in one request: a stored (and told), z cancelled with what was left of the request
        Map<String, Object> z = silo.jobOf("/exp/run/a");
        assertThat(z.get("files")).isEqualTo(2);
        assertThat(z.get("state")).as(z.toString()).isEqualTo("cancelled");
        assertThat(z.get("error")).isEqualTo("cancelled by the client");
        assertThat(silo.run("stat", "/exp/run/a").exit()).as("a is stored").isZero();
        assertThat(silo.run("stat", "/exp/run/z").exit()).as("nothing recorded").isNotZero();
    }

    @Test
    void aPutKilledOutrightHadPrintedEachFileItFinishedAndLeavesNothingQueued() throws Exception {
        silo.startServer(0, CRAWL);
        assertThat(silo.run("mkdir", "/exp").exit()).isZero();
        Path run = twoFiles();
        assertThat(silo.run("mkdir", "/exp/run").exit()).isZero();
        SiloProcesses.Running put = silo.start(
                "put",
                run.resolve("a").toString(),
                run.resolve("z").toString(),
                "/exp/run/",
                "--parallel",
                "1",
                "--no-progress",
                "--json");
        await().atMost(SiloProcesses.CEILING)
                .until(() -> put.out().stream().anyMatch(l -> l.contains("\"dest\":\"/exp/run/a\"")));
        awaitMoving("/exp/run/a"); // the request of a and z, now moving z

        put.process().destroyForcibly().waitFor(); // SIGKILL: no hook, no END

        assertThat(put.out())
                .singleElement()
                .satisfies(l -> assertThat(l).contains("\"dest\":\"/exp/run/a\"", "\"error\":null"));
        await().atMost(SiloProcesses.CEILING)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> !"active".equals(silo.jobOf("/exp/run/a").get("state")));
        Map<String, Object> z = silo.jobOf("/exp/run/a"); // a and z went in one request: the request of z
        assertThat(z.get("state")).as(z.toString()).isEqualTo("cancelled");
        assertThat((String) z.get("error")).startsWith("cancelled: the client at ");
        assertThat(silo.run("stat", "/exp/run/a").exit()).isZero();
    }

    @Test
    void aPutThatMeetsAServerRestartFinishesByItselfEachFileStoredOnce() throws Exception {
        // containers of two files: each pair is stored and answered as it comes, so the put's lines arrive all
        // along (with 1 GiB containers they came all at once at the end, and the put ended before a kill)
        String[] slow = {"archive.mover-rate=1M", "archive.aggregate-size=256K"};
        silo.startServer(0, slow);
        int port = silo.port();
        assertThat(silo.run("mkdir", "/exp").exit()).isZero();
        Path run = Files.createDirectory(dir.resolve("run"));
        int n = 100;
        for (int i = 0; i < n; i++) {
            SiloProcesses.file(
                    run.resolve(String.format("f%03d", i)), 128 << 10, i); // an eighth of a second each at 1 MB/s
        }
        SiloProcesses.Running put =
                silo.start("put", "-r", run.toString(), "/exp/", "--no-progress", "--timeout", "5m");
        await().atMost(SiloProcesses.CEILING)
                .until(() -> put.out().stream()
                                .filter(l -> l.contains(" -> /exp/run/f"))
                                .count()
                        >= 10);

        // the movers' 1 MB/s keep the other 90 files at least 5 s away; only a machine that stalled this test for
        // longer could see the put end first, and then there is nothing to try
        org.junit.jupiter.api.Assumptions.assumeTrue(
                put.process().isAlive(), "the put ended before the server could be killed");
        silo.killServer(); // kill -9, in the middle of the put
        silo.startServer(port, slow); // the same data and port

        assertThat(put.process().waitFor(SiloProcesses.CEILING.toSeconds(), TimeUnit.SECONDS))
                .as("the put finishes by itself")
                .isTrue();
        assertThat(put.process().exitValue()).as(String.join("\n", put.err())).isZero();
        List<String> lines =
                put.out().stream().filter(l -> l.contains(" -> /exp/run/f")).toList();
        assertThat(lines).as("one line per file").hasSize(n);
        assertThat(lines.stream().map(l -> l.substring(l.indexOf(" -> ") + 4)).distinct())
                .hasSize(n);

        SiloProcesses.Done ls = silo.run("ls", "/exp/run", "--json");
        assertThat(ls.exit()).isZero();
        assertThat(SiloProcesses.JSON.readValue(ls.output(), new TypeReference<List<Map<String, Object>>>() {}))
                .as("the namespace")
                .hasSize(n);
        SiloProcesses.Done vols = silo.run("vol", "ls", "--json");
        long files =
                SiloProcesses.JSON.readValue(vols.output(), new TypeReference<List<Map<String, Object>>>() {}).stream()
                        .mapToLong(v -> ((Number) v.get("files")).longValue())
                        .sum();
        assertThat(files).as("bit files on the volumes: each file once").isEqualTo(n);
        SiloProcesses.Done fsck = silo.run("fsck");
        assertThat(fsck.exit()).as(fsck.output()).isZero();
    }
}
