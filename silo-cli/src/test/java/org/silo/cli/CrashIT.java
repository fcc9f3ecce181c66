package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's durability rule, tried as machines fail: a put of many small files (into small containers,
 * so that group commits come one after another) with the server, the mover or the client killed
 * (SIGKILL) in the middle. Whatever the moment, afterwards: fsck finds every recorded file whole on its
 * volume (no record whose bytes are not durable), every file the put said it stored is there and reads
 * back byte for byte, and the put, run again or left to finish, ends with every file stored once.
 * Outcomes only, never how soon.
 */
@Timeout(900) // a ceiling for a hang only: each test starts some twenty JVMs, seconds each on a busy machine
class CrashIT {
    static final int FILES = 300;
    /** Containers of 64 KiB: a group commit every dozen files. Movers at 512 KB/s: the put takes seconds, not milliseconds. */
    static final String[] SLOW_SMALL = {"archive.aggregate-size=64K", "archive.mover-rate=512K"};

    @TempDir
    Path dir;

    private SiloProcesses silo;
    private Path tree;

    @BeforeEach
    void processes() throws Exception {
        silo = new SiloProcesses(dir);
        tree = Files.createDirectory(dir.resolve("run"));
        Random r = new Random(13);
        for (int i = 0; i < FILES; i++) {
            SiloProcesses.file(tree.resolve(String.format("f%03d", i)), 2000 + r.nextInt(10_000), i);
        }
    }

    @AfterEach
    void stop() throws Exception {
        silo.close();
    }

    private SiloProcesses.Running put(String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("put", "-r", tree.toString(), "/exp/", "--no-progress"));
        args.addAll(List.of(more));
        return silo.start(args.toArray(String[]::new));
    }

    /** The lines of files the put said it stored. */
    private static List<String> stored(SiloProcesses.Running put) {
        return put.out().stream().filter(l -> l.contains(" -> /exp/run/f")).toList();
    }

    private void killWhenSomeAreStored(SiloProcesses.Running put, Runnable kill) {
        await().atMost(SiloProcesses.CEILING).until(() -> stored(put).size() >= 20);
        Assumptions.assumeTrue(
                put.process().isAlive() && stored(put).size() < FILES,
                "the put ended before it could be cut short (a machine stalled this test for long)");
        kill.run();
    }

    @Test
    void theServerKilledInTheMiddleRestartsAndThePutFinishesEachFileOnce() throws Exception {
        silo.startServer(0, SLOW_SMALL);
        int port = silo.port();
        assertThat(silo.run("mkdir", "/exp").exit()).isZero();
        SiloProcesses.Running put = put("--timeout", "5m");
        killWhenSomeAreStored(put, () -> {
            try {
                silo.killServer();
                silo.startServer(port, SLOW_SMALL); // the same data and port
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(put.process().waitFor(SiloProcesses.CEILING.toSeconds(), TimeUnit.SECONDS))
                .as("the put finishes by itself")
                .isTrue();
        assertThat(put.process().exitValue()).as(String.join("\n", put.err())).isZero();
        assertThat(stored(put)).as("one line per file").hasSize(FILES);
        assertConsistent(FILES);
    }

    @Test
    void aMoverKilledInTheMiddleLeavesNoHalfWrittenFileAndAnotherFinishesThePut() throws Exception {
        // no movers in the server: one in a process of its own, to be killed
        silo.startServer(0, "archive.movers=0", "archive.mover-timeout=3s", SLOW_SMALL[0]);
        assertThat(silo.run("mkdir", "/exp").exit()).isZero();
        SiloProcesses.Running first = mover("first", "512K");
        SiloProcesses.Running put = put("--timeout", "5m");
        killWhenSomeAreStored(put, () -> {
            try {
                first.process().destroyForcibly().waitFor(); // kill -9 of the mover, in the middle of a container
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        mover("second", "0");
        assertThat(put.process().waitFor(SiloProcesses.CEILING.toSeconds(), TimeUnit.SECONDS))
                .as("the put finishes")
                .isTrue();
        assertThat(put.process().exitValue()).as(String.join("\n", put.err())).isZero();
        assertThat(stored(put)).as("one line per file").hasSize(FILES);
        assertConsistent(FILES);
    }

    @Test
    void aClientKilledInTheMiddleLeavesWhatItWasToldConsistentAndARunAgainFinishes() throws Exception {
        silo.startServer(0, SLOW_SMALL);
        assertThat(silo.run("mkdir", "/exp").exit()).isZero();
        SiloProcesses.Running put = put();
        killWhenSomeAreStored(put, () -> {
            try {
                put.process().destroyForcibly().waitFor(); // kill -9 of the client: no hook, no END
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        List<String> told = stored(put);
        // what it was told is stored is stored, whole; what was recorded besides is whole too
        await().atMost(SiloProcesses.CEILING)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> silo.jobs().stream()
                        .noneMatch(j -> j.get("state").equals("active")
                                || j.get("state").equals("queued")));
        List<String> names = names();
        for (String line : told) {
            String dest = line.substring(line.indexOf(" -> ") + 4);
            assertThat(names).as(dest).contains(dest.substring(dest.lastIndexOf('/') + 1));
        }
        long recorded = names.size();
        assertThat(recorded).isBetween((long) told.size(), (long) FILES);
        assertConsistent(recorded);
        // and the same command run again finishes the job: the files stored are skipped
        SiloProcesses.Running again = put("--skip-existing");
        assertThat(again.process().waitFor(SiloProcesses.CEILING.toSeconds(), TimeUnit.SECONDS))
                .isTrue();
        assertThat(again.process().exitValue())
                .as(String.join("\n", again.err()))
                .isZero();
        assertConsistent(FILES);
    }

    private SiloProcesses.Running mover(String name, String rate) throws Exception {
        SiloProcesses.Running m = silo.start(
                "mover", "run", "--home", dir.resolve("mover-" + name).toString(), "--name", name, "--rate", rate);
        await().atMost(SiloProcesses.CEILING)
                .until(() -> silo.run("mover", "ls").output().contains(name));
        return m;
    }

    /** The names in /exp/run, from one {@code silo ls --json} (one process, not one per file: a JVM start is seconds on a busy machine). */
    private List<String> names() throws Exception {
        SiloProcesses.Done ls = silo.run("ls", "/exp/run", "--json");
        assertThat(ls.exit()).as(ls.output()).isZero();
        return SiloProcesses.JSON.readValue(ls.output(), new TypeReference<List<Map<String, Object>>>() {}).stream()
                .map(e -> String.valueOf(e.get("name")))
                .toList();
    }

    private long listed() throws Exception {
        return names().size();
    }

    /**
     * The rule: fsck reads every recorded file back and finds it whole (a record never names bytes that
     * are not there); the namespace holds {@code files} files, each recorded once; each reads back byte
     * for byte.
     */
    private void assertConsistent(long files) throws Exception {
        SiloProcesses.Done fsck = silo.run("fsck");
        assertThat(fsck.exit()).as(fsck.output()).isZero();
        assertThat(listed()).as("the namespace").isEqualTo(files);
        SiloProcesses.Done vols = silo.run("vol", "ls", "--json");
        long onVolumes =
                SiloProcesses.JSON.readValue(vols.output(), new TypeReference<List<Map<String, Object>>>() {}).stream()
                        .mapToLong(v -> ((Number) v.get("files")).longValue())
                        .sum();
        assertThat(onVolumes).as("bit files on the volumes: each file once").isEqualTo(files);
        Path back = Files.createDirectories(dir.resolve("back-" + System.nanoTime()));
        SiloProcesses.Done get = silo.run("get", "-r", "/exp/run", back.toString(), "--no-progress");
        assertThat(get.exit()).as(get.output()).isZero();
        try (Stream<Path> got = Files.list(back.resolve("run"))) {
            for (Path p : (Iterable<Path>) got::iterator) {
                assertThat(Files.mismatch(p, tree.resolve(p.getFileName())))
                        .as(p.toString())
                        .isEqualTo(-1L);
            }
        }
    }
}
