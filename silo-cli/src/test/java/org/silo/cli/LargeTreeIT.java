package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.silo.server.TestSilo;

/**
 * put -r and get -r of large trees with bin/silo as real processes whose Java heap is bounded
 * ({@code SILO_JAVA_OPTS=-Xmx...}): the client walks the tree as batches are made and forgets each
 * file once it is reported, so its memory does not grow with the tree (docs/archive.md, "Batches").
 * Outcomes only: exit status, what was printed, what came back; never how long.
 */
@Timeout(900) // a ceiling for a hang only: 100,000 files through real processes take a minute on a busy machine
class LargeTreeIT {
    private static final Path ROOT =
            Path.of(System.getProperty("silo.root", "..")).toAbsolutePath().normalize();
    private static final Path SILO = ROOT.resolve("bin/silo");
    private static final Pattern READY = Pattern.compile("silo server ready: messages on ([^ ]+):(\\d+),");
    private static final long CEILING_MINUTES = 10;

    /**
     * A client heap the walk must fit in whatever the tree's size. The CLI before streaming (a sorted
     * walk listed first, then every result kept to the end) ran out of memory in 32 MB on this test's
     * 100,000 files; streaming, it finishes in 24 MB.
     */
    static final String SMALL_HEAP = "-Xmx32m";

    @TempDir
    Path dir;

    private Process server;
    private String at;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.destroyForcibly().waitFor();
        }
    }

    private void startServer() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                SILO.toString(), "server", "--data", dir.resolve("silo-data").toString()));
        cmd.addAll(TestSilo.serverArgs());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SILO_JAVA_OPTS", "-Xmx256m");
        server = pb.start();
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

    /** A command run to its end with a bounded heap: exit status, standard output and standard error (from files). */
    private record Done(int exit, Path out, Path err) {
        List<String> outLines() throws IOException {
            return Files.readAllLines(out);
        }

        String errText() throws IOException {
            return Files.readString(err);
        }
    }

    private int runs;

    private Done run(String heap, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SILO.toString()));
        cmd.addAll(List.of(args));
        cmd.add("--server=" + at);
        Path out = dir.resolve("out" + runs);
        Path err = dir.resolve("err" + runs++);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("SILO_JAVA_OPTS", heap);
        Process p = pb.start();
        assertThat(p.waitFor(CEILING_MINUTES, TimeUnit.MINUTES))
                .as("a ceiling for a hang only")
                .isTrue();
        return new Done(p.exitValue(), out, err);
    }

    @Test
    void aPutOfAHundredThousandFilesWalksTheTreeInASmallHeap() throws Exception {
        Path tree = Files.createDirectory(dir.resolve("tree"));
        for (int i = 0; i < 100_000; i++) {
            Files.createFile(tree.resolve(String.format("f%06d", i)));
        }
        startServer();
        assertThat(run("-Xmx64m", "mkdir", "/exp").exit()).isZero();
        // a library no mover serves: each batch of 1,000 is refused at once, so the walk, the batching and
        // the reporting of 100,000 files are what this measures, without moving their bytes (the bytes of
        // a put in a small heap: the test below, and docs/benchmarks.md for 100,000 stored)
        Done put = run(SMALL_HEAP, "put", "-r", tree.toString(), "/exp/", "--library", "nomover", "--no-progress");
        String err = put.errText();
        assertThat(err).doesNotContain("OutOfMemoryError").contains("silo: 100000 of 100000 files failed");
        assertThat(put.exit()).isEqualTo(1);
        assertThat(err.lines().filter(l -> l.endsWith("failed after 1 attempt: no library nomover")))
                .hasSize(100_000);
        assertThat(run("-Xmx64m", "ls", "/exp/tree").outLines())
                .as("the directories were made, no file recorded")
                .containsExactly(
                        "KIND          SIZE  OWNER     MODIFIED                  BFID                 VOLUME    NAME");
    }

    @Test
    void filesStoredAndListedAndGotBackInASmallHeap() throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        int files = 3000;
        for (int i = 0; i < files; i++) {
            Files.writeString(run.resolve(String.format("f%05d", i)), "x".repeat(i % 200));
        }
        startServer();
        assertThat(run("-Xmx64m", "mkdir", "/exp").exit()).isZero();
        Done put = run("-Xmx64m", "put", "-r", run.toString(), "/exp/", "--no-progress");
        assertThat(put.exit()).as(put.errText()).isZero();
        assertThat(put.outLines()).hasSize(files + 1);

        Done ls = run(SMALL_HEAP, "ls", "/exp/run");
        assertThat(ls.exit()).as(ls.errText()).isZero();
        List<String> lines = ls.outLines();
        assertThat(lines).hasSize(files + 1); // three pages of 1,000
        assertThat(lines.get(1)).endsWith(" f00000");
        assertThat(lines.get(files)).endsWith(" f02999").contains(" 199 "); // 2999 % 200 bytes

        Path back = Files.createDirectory(dir.resolve("back"));
        Done get = run("-Xmx64m", "get", "-r", "/exp/run", back.toString(), "--no-progress");
        assertThat(get.exit()).as(get.errText()).isZero();
        for (int i = 0; i < files; i++) {
            Path f = back.resolve("run").resolve(String.format("f%05d", i));
            assertThat(Files.size(f)).isEqualTo(i % 200);
        }
    }
}
