package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/silo put} as a real process against {@code bin/silo server} as a real process, stopped in
 * the ways people and machines stop them: the put interrupted with Ctrl-C (SIGINT) or killed (SIGKILL),
 * the server killed and started again in the middle of a put. Outcomes only: what the catalog and the
 * put's output say afterwards, never how soon.
 */
class TransferProcessIT {
    private static final Path ROOT = Path.of(System.getProperty("silo.root", "..")).toAbsolutePath().normalize();
    private static final Path SILO = ROOT.resolve("bin/silo");
    private static final Pattern READY = Pattern.compile("silo server ready: messages on ([^ ]+):(\\d+),");
    private static final Duration CEILING = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Process server;
    private final List<Process> clients = new ArrayList<>();
    private String at;

    @AfterEach
    void stop() throws Exception {
        for (Process p : clients) {
            p.destroyForcibly().waitFor();
        }
        if (server != null) {
            server.destroyForcibly().waitFor();
        }
    }

    /** bin/silo server on the data directory, on {@code port} (0: any) for messages and any for the rest; movers at 1 MB/s. */
    private void startServer(int port) throws IOException {
        server = new ProcessBuilder(SILO.toString(), "server", "--data", dir.resolve("silo-data").toString(), "--set", "wire.port=" + port,
                "--set", "blockhead.port=0", "--set", "nbd.port=0", "--set", "control.port=0", "--set", "console.port=0",
                "--set", "archive.mover-rate=1M").redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            seen.append(line).append('\n');
            Matcher m = READY.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> out.lines().forEach(l -> {}));
                drain.setDaemon(true);
                drain.start();
                at = m.group(1) + ":" + m.group(2);
                return;
            }
        }
        throw new AssertionError("the server never said it was ready:\n" + seen);
    }

    private int port() {
        return Integer.parseInt(at.substring(at.lastIndexOf(':') + 1));
    }

    /** A command run to its end: exit status and standard output (standard error goes to commands.err). */
    private record Done(int exit, String output) {}

    private Done run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SILO.toString()));
        cmd.addAll(List.of(args));
        cmd.add("--server=" + at);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("commands.err").toFile())).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(CEILING.toSeconds(), TimeUnit.SECONDS)).isTrue();
        return new Done(p.exitValue(), text);
    }

    /** A command running in the background, its standard output collected line by line as it comes. */
    private record Running(Process process, List<String> out, List<String> err) {}

    private Running start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(SILO.toString()));
        cmd.addAll(List.of(args));
        cmd.add("--server=" + at);
        Process p = new ProcessBuilder(cmd).start();
        clients.add(p);
        List<String> out = new CopyOnWriteArrayList<>();
        List<String> err = new CopyOnWriteArrayList<>();
        collect(p.getInputStream(), out);
        collect(p.getErrorStream(), err);
        return new Running(p, out, err);
    }

    private static void collect(java.io.InputStream in, List<String> into) {
        Thread t = new Thread(() -> new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().forEach(into::add));
        t.setDaemon(true);
        t.start();
    }

    private List<Map<String, Object>> jobs() throws Exception {
        Done ls = run("job", "ls", "--all", "--limit", "1000", "--json");
        assertThat(ls.exit()).as(ls.output()).isZero();
        return JSON.readValue(ls.output(), new TypeReference<>() {});
    }

    private Map<String, Object> jobOf(String path) throws Exception {
        return jobs().stream().filter(j -> path.equals(j.get("path"))).findFirst().orElse(null);
    }

    private static void file(Path p, int size, long seed) throws IOException {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Files.write(p, b);
    }

    /** A small file put first, then one that takes a minute at the movers' 1 MB/s: the put is stopped while it moves. */
    private Path twoFiles() throws IOException {
        Path run = Files.createDirectory(dir.resolve("run"));
        file(run.resolve("a"), 10_000, 1);
        file(run.resolve("z"), 64 << 20, 2);
        return run;
    }

    private void awaitMoving(String path) {
        await().atMost(CEILING).pollInterval(Duration.ofMillis(200)).until(() -> {
            Map<String, Object> j = jobOf(path);
            return j != null && "active".equals(j.get("state"));
        });
    }

    @Test
    void aPutStoppedWithCtrlCIsCancelledByTheClientAndHadPrintedWhatItFinished() throws Exception {
        startServer(0);
        assertThat(run("mkdir", "/exp").exit()).isZero();
        Path run = twoFiles();
        Running put = start("put", "-r", run.toString(), "/exp/", "--parallel", "1", "--no-progress");
        await().atMost(CEILING).until(() -> put.out().stream().anyMatch(l -> l.endsWith(run.resolve("a") + " -> /exp/run/a")));
        awaitMoving("/exp/run/a"); // the request of a and z, now moving z

        new ProcessBuilder("kill", "-INT", Long.toString(put.process().pid())).start().waitFor();
        assertThat(put.process().waitFor(CEILING.toSeconds(), TimeUnit.SECONDS)).as("the put stops").isTrue();

        assertThat(put.process().exitValue()).isNotZero();
        assertThat(put.err()).anyMatch(l -> l.contains("stopped; the server cancels this command's transfers"));
        // a and z went in one request: a stored (and told), z cancelled with what was left of the request
        Map<String, Object> z = jobOf("/exp/run/a");
        assertThat(z.get("files")).isEqualTo(2);
        assertThat(z.get("state")).as(z.toString()).isEqualTo("cancelled");
        assertThat(z.get("error")).isEqualTo("cancelled by the client");
        assertThat(run("stat", "/exp/run/a").exit()).as("a is stored").isZero();
        assertThat(run("stat", "/exp/run/z").exit()).as("nothing recorded").isNotZero();
    }

    @Test
    void aPutKilledOutrightHadPrintedEachFileItFinishedAndLeavesNothingQueued() throws Exception {
        startServer(0);
        assertThat(run("mkdir", "/exp").exit()).isZero();
        Path run = twoFiles();
        Running put = start("put", "-r", run.toString(), "/exp/", "--parallel", "1", "--no-progress", "--json");
        await().atMost(CEILING).until(() -> put.out().stream().anyMatch(l -> l.contains("\"dest\":\"/exp/run/a\"")));
        awaitMoving("/exp/run/a"); // the request of a and z, now moving z

        put.process().destroyForcibly().waitFor(); // SIGKILL: no hook, no END

        assertThat(put.out()).singleElement().satisfies(l -> assertThat(l).contains("\"dest\":\"/exp/run/a\"", "\"error\":null"));
        await().atMost(CEILING).pollInterval(Duration.ofMillis(200)).until(() -> !"active".equals(jobOf("/exp/run/a").get("state")));
        Map<String, Object> z = jobOf("/exp/run/a"); // a and z went in one request: the request of z
        assertThat(z.get("state")).as(z.toString()).isEqualTo("cancelled");
        assertThat((String) z.get("error")).startsWith("cancelled: the client at ");
        assertThat(run("stat", "/exp/run/a").exit()).isZero();
    }

    @Test
    void aPutThatMeetsAServerRestartFinishesByItselfEachFileStoredOnce() throws Exception {
        startServer(0);
        int port = port();
        assertThat(run("mkdir", "/exp").exit()).isZero();
        Path run = Files.createDirectory(dir.resolve("run"));
        int n = 100;
        for (int i = 0; i < n; i++) {
            file(run.resolve(String.format("f%03d", i)), 128 << 10, i); // an eighth of a second each at 1 MB/s
        }
        Running put = start("put", "-r", run.toString(), "/exp/", "--no-progress", "--timeout", "5m");
        await().atMost(CEILING).until(() -> put.out().stream().filter(l -> l.contains(" -> /exp/run/f")).count() >= 10);

        // the movers' 1 MB/s keep the other 90 files at least 5 s away; only a machine that stalled this test for
        // longer could see the put end first, and then there is nothing to try
        org.junit.jupiter.api.Assumptions.assumeTrue(put.process().isAlive(), "the put ended before the server could be killed");
        server.destroyForcibly().waitFor(); // kill -9, in the middle of the put
        startServer(port); // the same data and port

        assertThat(put.process().waitFor(CEILING.toSeconds(), TimeUnit.SECONDS)).as("the put finishes by itself").isTrue();
        assertThat(put.process().exitValue()).as(String.join("\n", put.err())).isZero();
        List<String> lines = put.out().stream().filter(l -> l.contains(" -> /exp/run/f")).toList();
        assertThat(lines).as("one line per file").hasSize(n);
        assertThat(lines.stream().map(l -> l.substring(l.indexOf(" -> ") + 4)).distinct()).hasSize(n);

        Done ls = run("ls", "/exp/run", "--json");
        assertThat(ls.exit()).isZero();
        assertThat(JSON.readValue(ls.output(), new TypeReference<List<Map<String, Object>>>() {})).as("the namespace").hasSize(n);
        Done vols = run("vol", "ls", "--json");
        long files = JSON.readValue(vols.output(), new TypeReference<List<Map<String, Object>>>() {}).stream()
                .mapToLong(v -> ((Number) v.get("files")).longValue()).sum();
        assertThat(files).as("bit files on the volumes: each file once").isEqualTo(n);
        Done fsck = run("fsck");
        assertThat(fsck.exit()).as(fsck.output()).isZero();
    }
}
