package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.ops.FileMessages.Mkdir;
import org.silo.archive.ops.FileMessages.WriteFile;
import org.silo.archive.transfer.TransferClient.Source;
import org.silo.archive.transfer.TransferClient.Target;
import org.silo.server.SiloServer;
import org.silo.server.TestSilo;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;

/**
 * Large directories from the command line against an in-process server: {@code silo ls} a page at a
 * time (with --limit and --after), and put -r / get -r walking their trees as the transfer asks for
 * files, never listing them first ({@link Trees}).
 */
class ListingCliTest {
    /** More than one ls page ({@link Trees#PAGE}). */
    static final int FILES = 1200;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;
    private SiloServer server;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        server = SiloServer.start(TestSilo.config(dir.resolve("data")));
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

    private SiloClient client() throws Exception {
        return SiloClient.connect(ClientOptions.to(new InetSocketAddress("127.0.0.1", server.wirePort())));
    }

    private String stdout() {
        String s = out.toString(StandardCharsets.UTF_8);
        out.reset();
        return s;
    }

    /** The NAME column of ls's table (the last), header left out. */
    private static List<String> names(String table) {
        List<String> names = new ArrayList<>();
        String[] lines = table.split("\n");
        assertThat(lines[0]).startsWith("KIND").endsWith("NAME");
        for (int i = 1; i < lines.length; i++) {
            names.add(lines[i].substring(lines[i].lastIndexOf(' ') + 1));
        }
        return names;
    }

    private static String name(int i) {
        return String.format("f%04d", i);
    }

    @Test
    void aDirectoryOfMoreThanAPageIsListedWholeOrByLimitAndCursorAndGotBack() throws Exception {
        Path run = Files.createDirectory(dir.resolve("run"));
        for (int i = 0; i < FILES; i++) {
            Files.writeString(run.resolve(name(i)), "file " + i + "\n");
        }
        assertThat(Main.run("mkdir", "/exp", at())).isZero();
        assertThat(Main.run("put", "-r", run.toString(), "/exp/", "--no-progress", at()))
                .as(err.toString(StandardCharsets.UTF_8))
                .isZero();
        stdout();

        assertThat(Main.run("ls", "/exp/run", at())).isZero();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            expected.add(name(i));
        }
        assertThat(names(stdout()))
                .as("every entry once, in order, over two pages")
                .isEqualTo(expected);

        err.reset();
        assertThat(Main.run("ls", "/exp/run", "--limit", "500", at())).isZero();
        assertThat(names(stdout())).isEqualTo(expected.subList(0, 500));
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("silo ls /exp/run --limit 500 --after 'f0499'");
        err.reset();
        assertThat(Main.run("ls", "/exp/run", "--limit", "500", "--after", "f0999", at()))
                .isZero();
        assertThat(names(stdout())).isEqualTo(expected.subList(1000, FILES));
        assertThat(err.toString(StandardCharsets.UTF_8))
                .as("nothing follows the last page")
                .doesNotContain("more entries follow");

        assertThat(Main.run("ls", "/exp/run", "--json", at())).isZero();
        List<Map<String, Object>> json = new ObjectMapper().readValue(stdout(), new TypeReference<>() {});
        assertThat(json).hasSize(FILES);
        assertThat(json.get(7))
                .containsEntry("name", "f0007")
                .containsEntry("size", "file 7\n".length())
                .containsEntry("kind", "file");
        assertThat(Main.run("ls", "/exp", "--json", at())).isZero();
        assertThat(new ObjectMapper().readValue(stdout(), List.class)).hasSize(1);

        Path back = Files.createDirectory(dir.resolve("back"));
        assertThat(Main.run("get", "-r", "/exp/run", back.toString(), "--no-progress", at()))
                .as(err.toString(StandardCharsets.UTF_8))
                .isZero();
        try (var got = Files.list(back.resolve("run"))) {
            assertThat(got.count()).isEqualTo(FILES);
        }
        for (int i = 0; i < FILES; i += 97) {
            assertThat(Files.readString(back.resolve("run").resolve(name(i)))).isEqualTo("file " + i + "\n");
        }
    }

    @Test
    void aLocalTreeIsWalkedAndItsDirectoriesMadeOnlyAsFilesAreAskedFor() throws Exception {
        Path tree = Files.createDirectory(dir.resolve("tree"));
        Files.writeString(Files.createDirectory(tree.resolve("d1")).resolve("x"), "x");
        Files.writeString(Files.createDirectory(tree.resolve("d2")).resolve("y"), "y");
        try (SiloClient c = client()) {
            c.call(FileClerkOps.MKDIR, new Mkdir("/exp", false, "t"));
            Iterator<Source> files = Trees.local(c, List.of(new Trees.PutRoot(tree, "/exp/tree")), "t");
            Source first = files.next();
            String firstDir = first.src().getParent().getFileName().toString();
            String other = firstDir.equals("d1") ? "d2" : "d1";
            // the other directory has been neither read nor made in the archive yet: a file added to it now is found
            assertThat(isDir(c, "/exp/tree/" + firstDir)).isTrue();
            assertThat(isDir(c, "/exp/tree/" + other)).isFalse();
            Files.writeString(tree.resolve(other).resolve("late"), "late");
            List<String> rest = new ArrayList<>();
            files.forEachRemaining(s -> rest.add(s.dest()));
            assertThat(rest)
                    .containsExactlyInAnyOrder(
                            "/exp/tree/" + other + "/" + (other.equals("d1") ? "x" : "y"),
                            "/exp/tree/" + other + "/late");
            assertThat(isDir(c, "/exp/tree/" + other)).isTrue();
        }
    }

    @Test
    void anArchiveTreeIsListedAPageAtATimeAsFilesAreAskedFor() throws Exception {
        try (SiloClient c = client()) {
            c.call(FileClerkOps.MKDIR, new Mkdir("/big/sub", true, "t"));
            for (int i = 0; i < FILES; i++) {
                c.call(FileClerkOps.MKDIR, new Mkdir("/big/d" + name(i), false, "t")); // entries to page through
            }
            c.call(
                    FileClerkOps.WRITE_FILE,
                    new WriteFile("w1", "/big/a-first", "a".getBytes(StandardCharsets.UTF_8), null, null, null, "t"));
            Iterator<Target> files = Trees.archive(c, "/big", dir.resolve("local"));
            assertThat(files.next().src()).isEqualTo("/big/a-first");
            // /big/sub is on the second page, not asked for yet: a file written there now is found
            c.call(
                    FileClerkOps.WRITE_FILE,
                    new WriteFile("w2", "/big/sub/late", "b".getBytes(StandardCharsets.UTF_8), null, null, null, "t"));
            List<Target> rest = new ArrayList<>();
            files.forEachRemaining(rest::add);
            assertThat(rest).extracting(Target::src).containsExactly("/big/sub/late");
            assertThat(rest.get(0).dest())
                    .isEqualTo(dir.resolve("local").resolve("sub").resolve("late"));
            assertThat(Files.isDirectory(dir.resolve("local").resolve("d" + name(FILES - 1))))
                    .as("each directory made as it is entered")
                    .isTrue();
        }
    }

    private static boolean isDir(SiloClient c, String path) throws SiloException {
        try {
            return c.call(FileClerkOps.STAT, path).kind().equals("dir");
        } catch (SiloException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }
}
