package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.server.SiloServer;
import org.silo.server.TestSilo;

/** The client commands against an in-process server, as a person would type them. */
class CliTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;
    private SiloServer server;
    private Path data;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        data = dir;
        server = SiloServer.start(TestSilo.config(dir));
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        System.setOut(oldOut);
        System.setErr(oldErr);
        server.close();
    }

    private String at() {
        return "--server=127.0.0.1:" + server.wirePort();
    }

    @Test
    void pingPrintsRoundTripsAndASummary() {
        assertThat(Main.run("ping", at(), "--count", "3")).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("seq=0", "seq=2", "3 calls, 3 answered, 0 failed", "p99");
    }

    /**
     * Many pings show progress on a terminal (ReadmeIT runs one under script(1)), and never
     * where standard error is not one, as here; the server says when it has stopped.
     */
    @Test
    void pingProgressOnlyOnATerminalAndTheServersLastWord() {
        assertThat(PingCommand.progressLine(41230, 100000, 4_184_000_000L))
                .isEqualTo("ping: 41230 of 100000 answered (41%), 9854 calls/s ");
        assertThat(Main.run("ping", at(), "--count", "300", "--window", "8")).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("ping: ");
        assertThat(ServerCommand.stoppedLine(0)).isEqualTo("silo stopped");
        assertThat(ServerCommand.stoppedLine(2)).startsWith("silo stopped; 2 parts did not close cleanly");
    }

    @Test
    void pingJsonWithAWindow() {
        assertThat(Main.run("ping", at(), "--count", "500", "--window", "16", "--json"))
                .isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("\"calls\":500", "\"answered\":500", "\"failed\":0", "\"window\":16", "\"p99\"");
    }

    /** The window's chains stop at the count, also when the window is wider than the count. */
    @Test
    void pingWithAWindowWiderThanTheCountMakesExactlyTheCalls() {
        assertThat(Main.run("ping", at(), "--count", "5", "--window", "64", "--json"))
                .isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"calls\":5,", "\"answered\":5,", "\"failed\":0");
    }

    @Test
    void statusShowsTheServer() {
        assertThat(Main.run("status", at(), "--json")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("\"version\"", "\"sessions\" : 1")
                .as("keys in one style, camelCase, and times in ISO 8601")
                .doesNotContainPattern("\"[A-Za-z0-9]+_[A-Za-z0-9_]*\" :")
                .doesNotContainPattern("Ms\" :")
                .containsPattern("\"countedAt\" : \"\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z\"")
                .contains("\"filesActive\"", "\"copiesActive\"", "\"requestsQueued\"", "\"cacheBytes\"");
    }

    @Test
    void diskCommands() {
        assertThat(Main.run("disk", "create", "retro", "--size", "64M", at())).isZero();
        assertThat(Main.run("disk", "create", "iso", "--size", "1M", "--read-only", at()))
                .isZero();
        out.reset();
        assertThat(Main.run("disk", "ls", at())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("NAME", "retro", "64.0 MiB", "iso", "ro");
        assertThat(Main.run("disk", "resize", "retro", "--size", "128M", at())).isZero();
        assertThat(Main.run("disk", "rm", "iso", at())).isZero();
        out.reset();
        assertThat(Main.run("disk", "ls", "--json", at())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("\"sizeBytes\" : 134217728")
                .doesNotContain("iso");
    }

    /** One size parser and one printer for every command (docs/cli.md, "Sizes"); whole bytes with --bytes and in --json. */
    @Test
    void sizesAreReadAndPrintedOneWay() throws Exception {
        assertThat(Main.run("disk", "create", "half", "--size", "1.5G", at()))
                .as(err.toString(StandardCharsets.UTF_8))
                .isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("half: 1.5 GiB (1610612736 bytes)");
        assertThat(Main.run("disk", "create", "kib", "--size", "64 KiB", at()))
                .as(err.toString(StandardCharsets.UTF_8))
                .isZero();
        assertThat(Main.run("vol", "add", "HALF01", "--library", "lib1", "--capacity", "1.5G", at()))
                .isZero();
        out.reset();
        assertThat(Main.run("disk", "ls", at())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("1.5 GiB", "64.0 KiB")
                .doesNotContain("1610612736");
        out.reset();
        assertThat(Main.run("disk", "ls", "--bytes", at())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("1610612736", "65536")
                .doesNotContain("GiB");
        out.reset();
        assertThat(Main.run("vol", "ls", at())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("1.5 GiB").doesNotContain("1.5G ");
        out.reset();
        assertThat(Main.run("vol", "ls", "--bytes", at())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("1610612736");
        err.reset();
        assertThat(Main.run("disk", "create", "bad", "--size", "1.5X", at())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--size '1.5X' is not a size");

        java.nio.file.Path src = java.nio.file.Files.createTempFile("sizes", ".dat");
        java.nio.file.Files.write(src, new byte[300_000]);
        assertThat(Main.run("mkdir", "/s", at())).isZero();
        assertThat(Main.run("put", src.toString(), "/s/f", "--no-progress", at()))
                .as(err.toString(StandardCharsets.UTF_8))
                .isZero();
        java.nio.file.Files.delete(src);
        for (String[] command : java.util.List.of(new String[] {"ls", "/s"}, new String[] {"stat", "/s/f"})) {
            out.reset();
            assertThat(Main.run(command[0], command[1], at())).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).as(command[0]).contains("293.0 KiB");
            out.reset();
            assertThat(Main.run(command[0], command[1], "--bytes", at())).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .as(command[0] + " --bytes")
                    .contains("300000")
                    .doesNotContain("KiB");
            out.reset();
            assertThat(Main.run(command[0], command[1], "--json", at())).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .as(command[0] + " --json")
                    .contains("\"size\" : 300000");
        }
        out.reset();
        assertThat(Main.run("job", "ls", "--all", at())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("293.0 KiB");
    }

    /** Right after a put the queue is empty; job ls says so and where the finished jobs are (docs/cli.md, "Quiet moments"). */
    @Test
    void jobLsOnAnEmptyQueueSaysWhereTheFinishedJobsAre() throws Exception {
        out.reset();
        assertThat(Main.run("job", "ls", at())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("no jobs queued or running, and none finished\n");
        java.nio.file.Path src = java.nio.file.Files.createTempFile("job", ".dat");
        java.nio.file.Files.write(src, new byte[1000]);
        assertThat(Main.run("mkdir", "/j", at())).isZero();
        assertThat(Main.run("put", src.toString(), "/j/a", "--no-progress", at()))
                .isZero();
        java.nio.file.Files.delete(src);
        out.reset();
        assertThat(Main.run("job", "ls", at())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo("no jobs queued or running; silo job ls --all shows the one finished\n");
        assertThat(JobCommand.nothingQueued(7, 100)).endsWith("shows the 7 finished");
        assertThat(JobCommand.nothingQueued(100, 100)).endsWith("shows the 100 most recent finished");
    }

    @Test
    void fileCatAndStat() {
        assertThat(Main.run("file", "cat", "app:status", at())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("\"version\"", "\"sessions\"")
                .as("a shell's prompt starts on a line of its own")
                .endsWith("}\n");
        out.reset();
        assertThat(Main.run("disk", "create", "small", "--size", "1M", at())).isZero();
        out.reset();
        assertThat(Main.run("file", "stat", "device:small", at())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("device:small: block image, 1.0 MiB (1048576 bytes), read-only");
        out.reset();
        assertThat(Main.run("file", "cat", "device:small", at())).isZero();
        assertThat(out.size()).as("a 1 MiB image, over the data port").isEqualTo(1 << 20);
        out.reset();
        assertThat(Main.run("file", "lease", "device:small", "--read", "--holder", "a", at()))
                .isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("read lease on device:small for a until");
        assertThat(Main.run("file", "lease", "device:small", "--write", "--holder", "b", at()))
                .as("a reader holds it")
                .isEqualTo(1);
        assertThat(Main.run("file", "lease", "device:small", "--release", "--holder", "a", at()))
                .isZero();
        assertThat(Main.run("file", "lease", "device:small", "--write", "--holder", "b", at()))
                .isZero();
        assertThat(Main.run("file", "cat", "device:ghost", at())).isEqualTo(1);
        assertThat(Main.run("file", "cat", "nonsense", at())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("silo: no image named ghost", "silo: 'nonsense' is not a name")
                .containsPattern("refused: read leases held by others until \\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z")
                .as("one form of error: no enum codes (docs/cli.md, \"Errors\")")
                .doesNotContain("NOT_FOUND");
    }

    @Test
    void putAndGetThroughTheServersMovers(@TempDir Path files) throws Exception {
        java.nio.file.Path src = files.resolve("data.bin");
        byte[] bytes = new byte[3 << 20];
        new java.util.Random(5).nextBytes(bytes);
        java.nio.file.Files.write(src, bytes);
        assertThat(Main.run("mkdir", "/in", at())).isZero();
        assertThat(Main.run("put", src.toString(), "/in/", at()))
                .as(err.toString(StandardCharsets.UTF_8))
                .isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("/in/data.bin", "3.0 MiB", "DEF00");
        java.nio.file.Path back = files.resolve("back.bin");
        assertThat(Main.run("get", "/in/data.bin", back.toString(), at()))
                .as(err.toString(StandardCharsets.UTF_8))
                .isZero();
        assertThat(java.nio.file.Files.readAllBytes(back)).isEqualTo(bytes);
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofMinutes(2))
                .untilAsserted(() -> assertThat((Long) server.status().get("bytesMoved"))
                        .as("in and out")
                        .isEqualTo(2L * bytes.length));
        out.reset();
        assertThat(Main.run("mover", "ls", at())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("mover1", "mover2");
        assertThat(Main.run("get", "/in/nothing", back.toString(), at())).isEqualTo(1);
    }

    @Test
    void putWithCopiesAndAHashThenCopyByHashAndVerifyAVolume(@TempDir Path files) throws Exception {
        java.nio.file.Path src = files.resolve("twice.bin");
        java.nio.file.Files.write(src, "kept twice\n".repeat(1000).getBytes(StandardCharsets.UTF_8));
        String sha = "sha256:"
                + java.util.HexFormat.of()
                        .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(java.nio.file.Files.readAllBytes(src)));
        assertThat(Main.run("mkdir", "/two", at())).isZero();
        assertThat(Main.run("put", src.toString(), "/two/", "--copies", "2", "--hash", "sha256", at()))
                .as(err.toString(StandardCharsets.UTF_8))
                .isZero();
        String put = out.toString(StandardCharsets.UTF_8);
        assertThat(put).contains("COPIES", "HASH", sha);
        assertThat(put.split("DEF00"))
                .as("the original and its copy on the two volumes")
                .hasSize(3);
        // the copies are visible, and counted as copies, not as files (docs/cli.md, "Copies")
        out.reset();
        assertThat(Main.run("stat", "/two/twice.bin", at())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .containsPattern("volumes +DEF00[12], DEF00[12] \\(2 copies\\)");
        out.reset();
        assertThat(Main.run("stat", "/two/twice.bin", "--json", at())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .containsPattern("\"copies\" : \\[ \"DEF00[12]\", \"DEF00[12]\" \\]");
        out.reset();
        assertThat(Main.run("fsck", at())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("1 file, 2 copies checked");
        assertThat(Main.run("job", "copy", sha, at())).as("no third volume").isZero();
        assertThat(Main.run("job", "verify", "DEF001", "--wait", at()))
                .as(err.toString(StandardCharsets.UTF_8))
                .isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("all good");
        assertThat(Main.run("put", src.toString(), "/two/again", "--hash", "sha1", at()))
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("md5 or sha256");
        assertThat(Main.run("mover", "mounts", at())).isZero();
        assertThat(Main.run("mover", "confirm", "DEF001", at())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no mount of DEF001 is waiting");
    }

    /** docs/archive.md, "Reading another copy": the bytes of the first copy gone from its volume, the get reads the second and says so. */
    @Test
    void aGetOfAFileWhoseBytesItsVolumeLostReadsItsCopyAndSaysSo(@TempDir Path files) throws Exception {
        Path src = files.resolve("lost.bin");
        java.nio.file.Files.write(src, "kept twice, lost once\n".repeat(5000).getBytes(StandardCharsets.UTF_8));
        assertThat(Main.run("mkdir", "/two", at())).isZero();
        assertThat(Main.run("put", src.toString(), "/two/", "--copies", "2", "--json", at()))
                .as(err.toString(StandardCharsets.UTF_8))
                .isZero();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"volume\"\\s*:\\s*\"(DEF00[12])\"")
                .matcher(out.toString(StandardCharsets.UTF_8));
        assertThat(m.find()).isTrue();
        String first = m.group(1);
        String copy = first.equals("DEF001") ? "DEF002" : "DEF001";
        try (var bytes = java.nio.file.Files.list(data.resolve("volumes").resolve(first))) {
            for (Path p : bytes.filter(java.nio.file.Files::isRegularFile).toList()) {
                java.nio.file.Files.delete(p); // the disk lost them; the volume's state is still ok
            }
        }
        Path back = files.resolve("lost.back");
        assertThat(Main.run("get", "/two/lost.bin", back.toString(), at()))
                .as(err.toString(StandardCharsets.UTF_8))
                .isZero();
        assertThat(java.nio.file.Files.mismatch(src, back)).isEqualTo(-1L);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("silo: /two/lost.bin is read from its copy on volume " + copy
                        + ": cannot read /two/lost.bin from " + first);

        assertThat(Main.run("put", src.toString(), "/two/once.bin", "--json", at()))
                .isZero();
        m = java.util.regex.Pattern.compile("\"dest\"\\s*:\\s*\"/two/once.bin\"[^}]*\"volume\"\\s*:\\s*\"(DEF00[12])\"")
                .matcher(out.toString(StandardCharsets.UTF_8));
        assertThat(m.find()).as(out.toString(StandardCharsets.UTF_8)).isTrue();
        String only = m.group(1);
        try (var bytes = java.nio.file.Files.list(data.resolve("volumes").resolve(only))) {
            for (Path p : bytes.filter(java.nio.file.Files::isRegularFile).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
        assertThat(Main.run("get", "/two/once.bin", files.resolve("once.back").toString(), at()))
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains(
                        "cannot read /two/once.bin from " + only,
                        "/two/once.bin has no copy left to read: its bytes on volume " + only + " could not be read");
    }

    @Test
    void aGetIntoADirectoryThatDoesNotExistFailsAtOnceAsCpDoesAndQueuesNothing(@TempDir Path files) throws Exception {
        Path src = files.resolve("a.dat");
        java.nio.file.Files.write(src, new byte[1000]);
        assertThat(Main.run("mkdir", "/exp", at())).isZero();
        assertThat(Main.run("put", src.toString(), "/exp/", at()))
                .as(err.toString(StandardCharsets.UTF_8))
                .isZero();
        Path nowhere = files.resolve("nodir").resolve("a.dat");
        assertThat(Main.run("get", "/exp/a.dat", nowhere.toString(), at())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("cannot create regular file '" + nowhere + "': No such file or directory");
        out.reset();
        assertThat(Main.run("job", "ls", "--all", "--json", at())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .as("only the put's job")
                .contains("\"kind\" : \"write\"")
                .doesNotContain("\"kind\" : \"read\"");
        assertThat(Main.run("get", "/exp/a.dat", files.resolve("a.back").toString(), at()))
                .isZero();
        assertThat(java.nio.file.Files.mismatch(src, files.resolve("a.back"))).isEqualTo(-1L);
    }

    @Test
    void aPutRunAgainWithSkipExistingSkipsWhatIsStoredAndNamesWhatDiffers(@TempDir Path files) throws Exception {
        Path dir = java.nio.file.Files.createDirectory(files.resolve("run"));
        java.nio.file.Files.write(dir.resolve("a"), "first\n".repeat(100).getBytes(StandardCharsets.UTF_8));
        assertThat(Main.run("mkdir", "/exp", at())).isZero();
        assertThat(Main.run("put", "-r", dir.toString(), "/exp/", at()))
                .as(err.toString(StandardCharsets.UTF_8))
                .isZero();
        java.nio.file.Files.write(dir.resolve("b"), "second\n".repeat(100).getBytes(StandardCharsets.UTF_8));

        out.reset();
        err.reset();
        assertThat(Main.run("put", "-r", dir.toString(), "/exp/", "--skip-existing", at()))
                .as(err.toString(StandardCharsets.UTF_8))
                .isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("skipped  " + dir.resolve("a") + " -> /exp/run/a")
                .contains(dir.resolve("b") + " -> /exp/run/b");
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("1 of 2 files stored already with the same size and Adler-32: skipped");

        err.reset();
        assertThat(Main.run("put", "-r", dir.toString(), "/exp/", at()))
                .as("without it, a stored file is an error")
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains(
                        "/exp/run/a already exists",
                        "/exp/run/b already exists",
                        "2 of them exist already in the archive; run the same command with --skip-existing");

        java.nio.file.Files.write(dir.resolve("a"), "FIRST\n".repeat(100).getBytes(StandardCharsets.UTF_8));
        err.reset();
        assertThat(Main.run("put", "-r", dir.toString(), "/exp/", "--skip-existing", at()))
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("/exp/run/a already exists and differs: adler32 ")
                .contains("(both 600 bytes)");
        out.reset();
        assertThat(Main.run("put", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("--skip-existing", "Skip a file whose archive path holds a file of the");
    }

    @Test
    void diskMistakesAreExplained() {
        assertThat(Main.run("disk", "create", "../x", "--size", "1M", at())).isEqualTo(1);
        assertThat(Main.run("disk", "create", "y", "--size", "1000", at())).isEqualTo(1);
        assertThat(Main.run("disk", "rm", "ghost", at())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("multiple of 512")
                .contains("silo: no image")
                .doesNotContain("INVALID", "NOT_FOUND");
    }

    /**
     * Nothing listens on port 1: the client says "no answer ... still trying" once the silence is longer
     * than a server would keep (two seconds and a round trip: a first contact's is about one), then gives
     * up at its timeout. The timeout leaves a busy machine's client room to say so first.
     */
    @Test
    void anUnreachableServerIsNamedAndExits3() {
        int code = Main.run("ping", "--server=127.0.0.1:1", "--count", "1", "--timeout", "8s");
        assertThat(code).isEqualTo(3);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("still trying")
                .contains("silo: no answer from 127.0.0.1:1")
                .doesNotContain("TIMEDOUT");
    }

    @Test
    void helpListsEveryCommandWithExamples() {
        assertThat(Main.run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("server", "ping", "status", "Examples:");
        out.reset();
        assertThat(Main.run("ping", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--window", "--count", "Examples:");
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertThat(Main.run("ping", "--count", "lots")).isEqualTo(2);
        assertThat(Main.run("ping", at(), "--window", "0")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--window 1..4096");
    }
}
