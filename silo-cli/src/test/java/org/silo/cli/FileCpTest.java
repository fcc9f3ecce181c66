package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.files.FilesOps;
import org.silo.files.FilesOps.Name;
import org.silo.server.SiloServer;
import org.silo.server.TestSilo;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;

/** {@code silo file cp} both ways and between silo names, and {@code file cat --cache} under a read lease. */
class FileCpTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;
    private SiloServer server;

    @TempDir
    Path local;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        server = SiloServer.start(TestSilo.config(dir));
        System.setProperty("silo.cache.home", local.resolve("cache").toString());
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        System.setOut(oldOut);
        System.setErr(oldErr);
        System.clearProperty("silo.cache.home");
        server.close();
    }

    private String at() {
        return "--server=127.0.0.1:" + server.wirePort();
    }

    private int run(String... args) {
        String[] all = Arrays.copyOf(args, args.length + 1);
        all[args.length] = at();
        return Main.run(all);
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private long opens() {
        return ((Number) ((Map<String, Object>) server.status().get("files")).get("opens")).longValue();
    }

    @Test
    void copiesGoBothWaysAndBetweenSiloNames() throws Exception {
        byte[] data = new byte[5 << 20];
        new Random(9).nextBytes(data);
        Path src = Files.write(local.resolve("data.bin"), data);
        assertThat(run("mkdir", "/in")).isZero();

        assertThat(run("file", "cp", "file:" + src, "/in/data.bin"))
                .as(errors())
                .isZero();
        assertThat(errors())
                .containsPattern("copied 5242880 bytes from file:.* to /in/data.bin: bfid \\S+, adler32 [0-9a-f]{8}");
        Path viaGet = local.resolve("via-get.bin");
        assertThat(run("get", "/in/data.bin", viaGet.toString())).as(errors()).isZero();
        assertThat(Files.readAllBytes(viaGet))
                .as("what cp archived, silo get reads back")
                .isEqualTo(data);
        Path back = local.resolve("back.bin");
        assertThat(run("file", "cp", "/in/data.bin", "file:" + back))
                .as(errors())
                .isZero();
        assertThat(Files.readAllBytes(back)).isEqualTo(data);

        assertThat(run("disk", "create", "retro", "--size", "8M")).isZero();
        assertThat(run("file", "cp", "/in/data.bin", "device:retro"))
                .as(errors())
                .isZero();
        assertThat(run("file", "cp", "device:retro", "/in/retro.img"))
                .as(errors())
                .isZero();
        Path img = local.resolve("retro.img");
        assertThat(run("file", "cp", "/in/retro.img", "file:" + img))
                .as(errors())
                .isZero();
        byte[] image = Files.readAllBytes(img);
        assertThat(image).hasSize(8 << 20);
        assertThat(Arrays.copyOf(image, data.length)).isEqualTo(data);
        assertThat(Arrays.copyOfRange(image, data.length, image.length)).containsOnly(0);

        err.reset();
        assertThat(run("file", "cp", "file:" + src, "/in/data.bin"))
                .as("archived files are write-once")
                .isEqualTo(1);
        assertThat(errors()).contains("already exists").doesNotContain("EXISTS");
        assertThat(run("file", "cp", "file:" + img, "device:retro-small")).isEqualTo(1);
        assertThat(run("disk", "create", "tiny", "--size", "1M")).isZero();
        err.reset();
        assertThat(run("file", "cp", "file:" + img, "device:tiny"))
                .as("images never grow")
                .isEqualTo(1);
        assertThat(errors()).contains("refused the write");
        assertThat(run("file", "cp", "a.txt", "b.txt")).isEqualTo(1);
    }

    /** docs/cli.md, "Owners": put and file cp by the same person on the same host give a file the same owner. */
    @Test
    void putAndFileCpGiveTheSameOwner() throws Exception {
        Path src = Files.write(local.resolve("notes.txt"), "notes\n".getBytes(StandardCharsets.UTF_8));
        assertThat(run("mkdir", "/o")).isZero();
        assertThat(run("put", src.toString(), "/o/by-put", "--no-progress"))
                .as(errors())
                .isZero();
        assertThat(run("file", "cp", "file:" + src, "/o/by-cp")).as(errors()).isZero();
        List<String> owners = new java.util.ArrayList<>();
        for (String path : List.of("/o", "/o/by-put", "/o/by-cp")) {
            out.reset();
            assertThat(run("stat", path, "--json")).isZero();
            owners.add(new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(out.toByteArray())
                    .get("owner")
                    .asText());
        }
        assertThat(owners).as("mkdir, put and file cp: the session's owner").containsOnly("anonymous@127.0.0.1");
    }

    /** An absolute path is an archive path; when the local file was meant, the error says how to name it. */
    @Test
    void anAbsoluteLocalPathIsToldToBeWrittenFileColon() throws Exception {
        Path src = Files.write(local.resolve("notes.txt"), "notes\n".getBytes(StandardCharsets.UTF_8));
        assertThat(run("mkdir", "/exp")).isZero();
        assertThat(run("file", "cp", src.toString(), "/exp/x")).isEqualTo(1);
        assertThat(errors())
                .contains(
                        "silo: " + src + " is an archive path, and the archive has no such file",
                        "for the local file write file:" + src);
        assertThat(run("stat", "/exp/x")).as("nothing was made").isEqualTo(1);

        assertThat(run("file", "cp", "file:" + src, "/exp/x")).as(errors()).isZero();
        err.reset();
        Path back = local.resolve("back.txt");
        assertThat(run("file", "cp", "/exp/x", back.toString())).isEqualTo(1);
        assertThat(errors()).contains("silo: " + back + " is an archive path", "for a local file write file:" + back);
        assertThat(back).doesNotExist();
        assertThat(run("file", "cp", "/exp/x", "file:" + back)).as(errors()).isZero();
        assertThat(back).hasContent("notes");
    }

    @Test
    void aCachedCopyIsReusedWhileItsLeaseHoldsAndAWritersRecallDropsIt() throws Exception {
        assertThat(run("disk", "create", "small", "--size", "64K")).isZero();
        byte[] first = new byte[64 << 10];
        Arrays.fill(first, (byte) 'a');
        Files.write(local.resolve("a"), first);
        assertThat(run("file", "cp", "file:" + local.resolve("a"), "device:small"))
                .as(errors())
                .isZero();

        out.reset();
        long before = opens();
        assertThat(run("file", "cat", "--cache", "device:small")).as(errors()).isZero();
        assertThat(out.toByteArray()).isEqualTo(first);
        assertThat(opens()).as("the first cat reads from the server").isEqualTo(before + 1);
        out.reset();
        assertThat(run("file", "cat", "--cache", "device:small")).as(errors()).isZero();
        assertThat(out.toByteArray()).isEqualTo(first);
        assertThat(opens())
                .as("the second reads the cached copy: no open at the server")
                .isEqualTo(before + 1);

        try (SiloClient writer = SiloClient.connect(ClientOptions.to("127.0.0.1:" + server.wirePort()))) {
            FilesOps.Open w = new FilesOps.Open(FilesOps.WRITE, FilesOps.CAPABILITY, List.of(Name.device("small")));
            assertThatThrownBy(() -> writer.call(FilesOps.OPEN, w))
                    .isInstanceOfSatisfying(
                            SiloException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BUSY));
            out.reset();
            long recalled = opens();
            assertThat(run("file", "cat", "--cache", "device:small"))
                    .as(errors())
                    .isZero();
            assertThat(out.toByteArray()).isEqualTo(first);
            assertThat(opens())
                    .as("the recall dropped the copy: read from the server again")
                    .isEqualTo(recalled + 1);

            FilesOps.Opened o = writer.call(FilesOps.OPEN, w); // the cache released its lease: the writer goes ahead
            writer.call(FilesOps.WRITE_OP, new FilesOps.Write(o.handle(), 0, "changed".getBytes()));
            writer.call(FilesOps.CLOSE, o.handle());
        }
        out.reset();
        assertThat(run("file", "cat", "--cache", "device:small")).as(errors()).isZero();
        assertThat(new String(out.toByteArray(), 0, 8, StandardCharsets.US_ASCII))
                .as("the writer's bytes, then the old ones")
                .isEqualTo("changeda");
    }
}
