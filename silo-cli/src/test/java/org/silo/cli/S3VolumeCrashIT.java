package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.S3Process;

/**
 * Volumes on a real S3 server in a process of its own (s3proxy over a directory store), and a Silo
 * server killed with SIGKILL: once together with the store (a power cut of both hosts; both come back on
 * the same directories and ports), once alone in the middle of a put (the put finishes by itself). Every
 * file is then recorded once, is once on the S3 volume, fsck is clean, and each reads back byte for
 * byte. Outcomes only, never how soon.
 */
@Timeout(900) // a ceiling for a hang only: a dozen JVM starts, seconds each on a busy machine
class S3VolumeCrashIT {
    static final String VOLUME = "S3VOL1";
    /** Containers of 64 KiB, movers at 512 KB/s (a put of a few hundred small files takes seconds), files of 1 MB and more not packed. */
    static final String[] SLOW_SMALL = {
        "archive.aggregate-size=64K", "archive.mover-rate=512K", "archive.aggregate-below=1M"
    };

    @TempDir
    Path dir;

    private SiloProcesses silo;
    private S3Process s3;

    @AfterEach
    void stop() throws Exception {
        if (silo != null) {
            silo.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void filesOnS3VolumesSurviveKilledServersAndAKilledStore() throws Exception {
        Path first = tree("first", 40, 1);
        Path second = tree("second", 200, 2);
        // a file of its own beside the containers: one object, read whole
        SiloProcesses.file(first.resolve("big"), 3_000_000, 99);
        s3 = S3Process.start(dir.resolve("s3"));
        silo = new SiloProcesses(dir);
        silo.startServer(0, SLOW_SMALL);
        int port = silo.port();
        // the new data directory's dir volumes go, so that every file lands on S3
        for (String label : List.of("DEF001", "DEF002")) {
            SiloProcesses.Done rm = silo.run("vol", "rm", label);
            assertThat(rm.exit()).as(rm.output()).isZero();
        }
        SiloProcesses.Done add =
                silo.run("vol", "add", VOLUME, "--library", "default", "--capacity", "1G", "--backend", s3.uri("vol1"));
        assertThat(add.exit()).as(add.output()).isZero();
        assertThat(silo.run("mkdir", "/exp").exit()).isZero();

        SiloProcesses.Done put = silo.run("put", "-r", first.toString(), "/exp/", "--no-progress");
        assertThat(put.exit()).as(put.output()).isZero();
        // both hosts lose power; both come back on their directories and ports
        silo.killServer();
        s3 = s3.restart();
        silo.startServer(port, SLOW_SMALL);
        assertConsistent(41, first);

        SiloProcesses.Running running =
                silo.start("put", "-r", second.toString(), "/exp/", "--no-progress", "--timeout", "5m");
        await().atMost(SiloProcesses.CEILING).until(() -> stored(running) >= 20);
        Assumptions.assumeTrue(
                running.process().isAlive() && stored(running) < 200,
                "the put ended before it could be cut short (a machine stalled this test for long)");
        silo.killServer();
        silo.startServer(port, SLOW_SMALL);
        assertThat(running.process().waitFor(SiloProcesses.CEILING.toSeconds(), TimeUnit.SECONDS))
                .as("the put finishes by itself")
                .isTrue();
        assertThat(running.process().exitValue())
                .as(String.join("\n", running.err()))
                .isZero();
        assertThat(stored(running)).as("one line per file").isEqualTo(200);
        assertConsistent(241, first, second);
    }

    private Path tree(String name, int files, long seed) throws Exception {
        Path t = Files.createDirectory(dir.resolve(name));
        Random r = new Random(seed);
        for (int i = 0; i < files; i++) {
            SiloProcesses.file(t.resolve(String.format("f%03d", i)), 2000 + r.nextInt(10_000), seed * 1000 + i);
        }
        return t;
    }

    private static long stored(SiloProcesses.Running put) {
        return put.out().stream().filter(l -> l.contains(" -> /exp/second/f")).count();
    }

    /**
     * fsck finds every recorded file whole; the volume holds {@code files} bit files, each once; every
     * tree reads back byte for byte.
     */
    private void assertConsistent(long files, Path... trees) throws Exception {
        SiloProcesses.Done fsck = silo.run("fsck");
        assertThat(fsck.exit()).as(fsck.output()).isZero();
        SiloProcesses.Done vols = silo.run("vol", "ls", "--json");
        List<Map<String, Object>> list = SiloProcesses.JSON.readValue(vols.output(), new TypeReference<>() {});
        assertThat(list).singleElement().satisfies(v -> {
            assertThat(v.get("label")).isEqualTo(VOLUME);
            assertThat(((Number) v.get("files")).longValue())
                    .as("bit files on the S3 volume")
                    .isEqualTo(files);
        });
        for (Path tree : trees) {
            Path back = Files.createDirectories(dir.resolve("back-" + System.nanoTime()));
            String name = tree.getFileName().toString();
            SiloProcesses.Done get = silo.run("get", "-r", "/exp/" + name, back.toString(), "--no-progress");
            assertThat(get.exit()).as(get.output()).isZero();
            try (Stream<Path> sources = Files.list(tree)) {
                for (Path p : (Iterable<Path>) sources::iterator) {
                    assertThat(Files.mismatch(p, back.resolve(name).resolve(p.getFileName())))
                            .as(p.toString())
                            .isEqualTo(-1L);
                }
            }
        }
    }
}
