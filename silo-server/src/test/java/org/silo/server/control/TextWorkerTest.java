package org.silo.server.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.ops.FileMessages.BitFileInfo;
import org.silo.archive.ops.FileMessages.Mkdir;
import org.silo.archive.ops.FileMessages.WriteFile;
import org.silo.archive.ops.LibraryMessages.CopyFile;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.VerifyVolume;
import org.silo.archive.ops.LibraryOps;
import org.silo.archive.ops.VolumeClerkOps;
import org.silo.archive.ops.VolumeMessages.AddVol;
import org.silo.control.fixture.TextClient;
import org.silo.server.SiloServer;
import org.silo.server.TestSilo;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;

/**
 * Seed 004's text workers beyond a verify, against a whole server with no other mover, the test being
 * the worker over a plain socket (as a script with ncat would be): the server judges the sums a worker
 * reports (md5 and Adler-32), a worker copies a file by fetching and pushing its bytes over HTTP with
 * the one-time token of its WORK, its statistics count what it did, and the server asks a worker what
 * it holds (WHATIS / INFO both ways).
 */
class TextWorkerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Seed 004's "Status MD5-pass/fail", judged by the server: the worker sends sums, not a verdict. */
    @Test
    void theServerChecksAWorkersMd5AgainstTheCatalog(@TempDir Path dir) throws Exception {
        byte[] bytes = "gamma".repeat(2000).getBytes(StandardCharsets.US_ASCII);
        String md5 = md5(bytes);
        BitFileInfo a = hashedFile(dir, bytes, "md5:" + md5);
        try (SiloServer server =
                        SiloServer.start(TestSilo.config(dir, "archive.movers", "0", "archive.mover-timeout", "1h"));
                SiloClient c =
                        SiloClient.connect(ClientOptions.to(new InetSocketAddress("127.0.0.1", server.wirePort())));
                TextClient s = new TextClient(server.controlPort())) {
            Worker w = Worker.connect(s, "checker-1", "CAP\tmover:default\tverify");

            long job = c.call(LibraryOps.VERIFY_VOLUME, new VerifyVolume(a.volume(), 0))
                    .id();
            List<String[]> work = lines(w.ask("STATUS\tidle\t0\tAVAIL"));
            assertThat(work.get(1))
                    .as("FILE lines carry the catalog's content hash")
                    .endsWith("md5:" + md5);
            assertThat(w.ask("STATUS\tdone\t100\tsums\r\nSUM\t" + a.bfid() + "\tmd5:" + md5.toUpperCase()))
                    .isEqualTo("OPEN\t" + a.volume());
            JobInfo passed = c.call(LibraryOps.JOB_INFO, Long.toString(job));
            assertThat(passed.state()).isEqualTo("done");
            assertThat(passed.result())
                    .isEqualTo(
                            "1 files, 10000 bytes read by text mover checker-1, sums checked by the server: all good");

            // a wrong md5 fails the job although the worker says pass: the server's check is the one that counts
            long errors = c.call(VolumeClerkOps.INQUIRE_VOL, a.volume()).readErrors();
            long second = c.call(LibraryOps.VERIFY_VOLUME, new VerifyVolume(a.volume(), 0))
                    .id();
            w.ask("STATUS\tidle\t0\tAVAIL");
            String wrong = "0".repeat(32);
            assertThat(w.ask("STATUS\tdone\t100\tpass\r\nSUM\t" + a.bfid() + "\tmd5:" + wrong))
                    .isEqualTo("OPEN\t" + a.volume());
            JobInfo failed = c.call(LibraryOps.JOB_INFO, Long.toString(second));
            assertThat(failed.state()).isEqualTo("failed");
            assertThat(failed.error())
                    .contains(a.bfid() + " at " + a.cookie() + ": md5 " + wrong + ", the catalog has " + md5);
            assertThat(c.call(VolumeClerkOps.INQUIRE_VOL, a.volume()).readErrors())
                    .isEqualTo(errors + 1);

            // a sum the catalog has nothing to check against proves nothing
            long third = c.call(LibraryOps.VERIFY_VOLUME, new VerifyVolume(a.volume(), 0))
                    .id();
            w.ask("STATUS\tidle\t0\tAVAIL");
            assertThat(w.ask("STATUS\tdone\t100\tsums\r\nSUM\t" + a.bfid() + "\tsha256:" + "ab".repeat(32)))
                    .isEqualTo("OPEN\t" + a.volume());
            assertThat(c.call(LibraryOps.JOB_INFO, Long.toString(third)).error())
                    .contains("no sum the catalog can check (it has adler32 and md5)");

            // the worker's statistics: one job done with its bytes, two failed, shown in SLIST and on the console
            String[] slist = lines(w.ask("SREPORT")).stream()
                    .filter(l -> l[0].equals("checker-1"))
                    .findFirst()
                    .orElseThrow();
            assertThat(List.of(slist).subList(7, 10)).containsExactly("1", "2", "10000");
            JsonNode workers = get(server, "/api/workers").get("workers");
            assertThat(workers.get(0).get("done").asLong()).isEqualTo(1);
            assertThat(workers.get(0).get("failed").asLong()).isEqualTo(2);
            assertThat(workers.get(0).get("bytes").asLong()).isEqualTo(10_000);
        }
    }

    /** Seed 004's "push/get": the worker gets the bytes by its token, pushes them back, and the server stores a checked copy. */
    @Test
    void aTextWorkerCopiesAFileThroughTheConsolePort(@TempDir Path dir) throws Exception {
        byte[] bytes = new byte[300_000];
        new java.util.Random(7).nextBytes(bytes);
        BitFileInfo a = hashedFile(dir, bytes, "md5:" + md5(bytes));
        try (SiloServer server =
                        SiloServer.start(TestSilo.config(dir, "archive.movers", "0", "archive.mover-timeout", "1h"));
                SiloClient c =
                        SiloClient.connect(ClientOptions.to(new InetSocketAddress("127.0.0.1", server.wirePort())));
                TextClient s = new TextClient(server.controlPort())) {
            c.call(
                    VolumeClerkOps.ADDVOL,
                    new AddVol("COPY01", "default", "disk", "1G", "dir:" + dir.resolve("copy01"), null, null));
            Worker w = Worker.connect(s, "copier-1", "CAP\tmover:default\tcopy");

            long job = c.call(LibraryOps.COPY_TO_VOLUME, new CopyFile("/v/a", "COPY01", 0))
                    .id();
            List<String[]> work = lines(w.ask("STATUS\tidle\t0\tAVAIL"));
            assertThat(List.of(work.get(0)).subList(0, 6))
                    .containsExactly("WORK", String.valueOf(job), "copy", a.volume(), "300000", "COPY01");
            String url = work.get(0)[6];
            assertThat(url).startsWith("http://127.0.0.1:" + server.consolePort() + "/xfer/");

            byte[] fetched;
            HttpURLConnection get = (HttpURLConnection) URI.create(url).toURL().openConnection();
            try (InputStream in = get.getInputStream()) {
                fetched = in.readAllBytes();
            }
            assertThat(fetched).isEqualTo(bytes);
            assertThat(http("GET", url, null).code())
                    .as("the token is good for one GET")
                    .isEqualTo(404);
            assertThat(w.ask("STATUS\tactive\t50\tcopying")).isEqualTo("OK\tSTATUS");
            Answer put = http("PUT", url, fetched);
            assertThat(put.code()).as(put.text()).isEqualTo(200);
            assertThat(put.text()).startsWith("stored 300000 bytes of /v/a on COPY01");
            assertThat(http("PUT", url, fetched).code()).as("and one PUT").isEqualTo(404);
            assertThat(w.ask("STATUS\tdone\t100\tpass")).isEqualTo("OPEN\t" + a.volume());

            JobInfo done = c.call(LibraryOps.JOB_INFO, Long.toString(job));
            assertThat(done.state()).as(String.valueOf(done.error())).isEqualTo("done");
            // the copy is a bit file of its own on COPY01, and its bytes are the file's
            List<Path> onCopy;
            try (var files = Files.walk(dir.resolve("copy01"))) {
                onCopy = files.filter(Files::isRegularFile)
                        .filter(p -> !p.getFileName().toString().startsWith("."))
                        .toList();
            }
            assertThat(onCopy.stream().anyMatch(p -> {
                        try {
                            return java.util.Arrays.equals(Files.readAllBytes(p), bytes);
                        } catch (java.io.IOException e) {
                            return false;
                        }
                    }))
                    .as("a file on COPY01 holds the original's bytes: " + onCopy)
                    .isTrue();
            assertThat(http("GET", url, null).code())
                    .as("the job over, its token is gone")
                    .isEqualTo(404);

            // bytes that are not the file's are refused before they count, and the job fails
            c.call(
                    VolumeClerkOps.ADDVOL,
                    new AddVol("COPY02", "default", "disk", "1G", "dir:" + dir.resolve("copy02"), null, null));
            long second = c.call(LibraryOps.COPY_TO_VOLUME, new CopyFile("/v/a", "COPY02", 0))
                    .id();
            String url2 = lines(w.ask("STATUS\tidle\t0\tAVAIL")).get(0)[6];
            byte[] bad = bytes.clone();
            bad[1000] ^= 1;
            Answer refused = http("PUT", url2, bad);
            assertThat(refused.code()).isEqualTo(422);
            assertThat(refused.text()).contains("CRC mismatch");
            w.ask("STATUS\tdone\t100\tpass");
            assertThat(c.call(LibraryOps.JOB_INFO, Long.toString(second)).state())
                    .isEqualTo("failed");
            JsonNode stats = get(server, "/api/workers").get("workers").get(0);
            assertThat(stats.get("done").asLong()).isEqualTo(1);
            assertThat(stats.get("failed").asLong()).isEqualTo(1);
            assertThat(stats.get("bytes").asLong()).isEqualTo(300_000);
        }
    }

    /** Seed 004's CD INFO QUERY, "server query client": the server asks a worker what it holds and shows the answer. */
    @Test
    void theServerAsksAWorkerWhatItHolds(@TempDir Path dir) throws Exception {
        try (SiloServer server = SiloServer.start(TestSilo.config(dir, "archive.movers", "0"));
                TextClient s = new TextClient(server.controlPort());
                TextClient d = new TextClient(server.controlPort())) {
            Worker w = Worker.connect(s, "burner-9", null);
            assertThat(w.ask("CAP\tBURNCDR\tWHATIS")).isEqualTo("OK\tCAP");
            assertThat(s.readText()).as("asked as soon as it says it answers").isEqualTo("WHATIS");
            d.readText(); // IDENT
            assertThat(d.askText("ID\tdisplay-1\tdisplay")).isEqualTo("OK\tID");

            assertThat(w.ask(
                            "INFO\tworker\r\nmedia\tCD-R\tblank\r\nimage\tmd5:" + "c".repeat(32) + "\tubuntu-8.04.iso"))
                    .isEqualTo("OK\tINFO");
            String pushed = d.readText();
            assertThat(pushed)
                    .startsWith("INFO\tworker\tburner-9\r\nanswered\t")
                    .endsWith("\r\nmedia\tCD-R\tblank\r\nimage\tmd5:" + "c".repeat(32) + "\tubuntu-8.04.iso");

            // a display asks: the last answer, and the worker is asked again
            List<String[]> info = lines(d.askText("WHATIS\tworker\tburner-9"));
            assertThat(info.get(0)).containsExactly("INFO", "worker", "burner-9");
            assertThat(info.get(2)).containsExactly("media", "CD-R", "blank");
            assertThat(info.get(info.size() - 1)).containsExactly("asked", "yes");
            assertThat(s.readText()).isEqualTo("WHATIS");
            JsonNode holdings =
                    get(server, "/api/workers").get("workers").get(0).get("holdings");
            assertThat(holdings.get(1).get(2).asText()).isEqualTo("ubuntu-8.04.iso");

            assertThat(d.askText("WHATIS\tworker\tnobody")).startsWith("ERROR\t404\t");
            // a plain worker's seed-004 completion counts in its statistics
            assertThat(w.ask("STATUS\tactive\t50\tburning")).isEqualTo("OK\tSTATUS");
            assertThat(d.readText()).startsWith("STATUS\tburner-9");
            assertThat(w.ask("STATUS\tidle\t100\tMD5-pass")).isEqualTo("OK\tSTATUS");
            assertThat(get(server, "/api/workers")
                            .get("workers")
                            .get(0)
                            .get("done")
                            .asLong())
                    .isEqualTo(1);
        }
    }

    /** The test as a worker: IDENT read, ID sent, the server's CAPAB read, then its CAP. */
    private record Worker(TextClient text) {
        static Worker connect(TextClient text, String id, String cap) throws Exception {
            Worker w = new Worker(text);
            assertThat(text.readText()).startsWith("IDENT\tsilo\t");
            assertThat(w.ask("ID\t" + id + "\tworker\tV1.2")).isEqualTo("OK\tID");
            assertThat(text.readText()).isEqualTo("CAPAB");
            if (cap != null) {
                assertThat(w.ask(cap)).isEqualTo("OK\tCAP");
            }
            return w;
        }

        String ask(String message) throws Exception {
            return text.askText(message);
        }
    }

    private record Answer(int code, String text) {}

    private static Answer http(String method, String url, byte[] body) throws Exception {
        HttpURLConnection h = (HttpURLConnection) URI.create(url).toURL().openConnection();
        h.setRequestMethod(method);
        if (body != null) {
            h.setDoOutput(true);
            h.setFixedLengthStreamingMode(body.length);
            try (OutputStream o = h.getOutputStream()) {
                o.write(body);
            }
        }
        int code = h.getResponseCode();
        try (InputStream in = code < 400 ? h.getInputStream() : h.getErrorStream()) {
            return new Answer(code, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static JsonNode get(SiloServer server, String path) throws Exception {
        Answer a = http("GET", "http://127.0.0.1:" + server.consolePort() + path, null);
        assertThat(a.code()).as(a.text()).isEqualTo(200);
        return JSON.readTree(a.text());
    }

    /**
     * /v/a with these bytes and the content hash a put with --hash records (the group commit's column,
     * written while the server is stopped: write_file, the in-process put, takes no hash).
     */
    private static BitFileInfo hashedFile(Path dir, byte[] bytes, String hash) throws Exception {
        BitFileInfo a;
        try (SiloServer server = SiloServer.start(TestSilo.config(dir, "archive.movers", "0"));
                SiloClient c =
                        SiloClient.connect(ClientOptions.to(new InetSocketAddress("127.0.0.1", server.wirePort())))) {
            c.call(FileClerkOps.MKDIR, new Mkdir("/v", false, "test"));
            a = c.call(FileClerkOps.WRITE_FILE, new WriteFile("r1", "/v/a", bytes, null, null, null, "test"));
        }
        hash(dir, a.bfid(), hash);
        return a;
    }

    private static void hash(Path dir, String bfid, String hash) throws Exception {
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("catalog.db"));
                PreparedStatement st = db.prepareStatement("UPDATE bit_file SET hash = ? WHERE bfid = ?")) {
            db.createStatement().execute("PRAGMA busy_timeout = 60000");
            st.setString(1, hash);
            st.setString(2, bfid);
            assertThat(st.executeUpdate()).isEqualTo(1);
        }
    }

    private static String md5(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    }

    private static List<String[]> lines(String message) {
        List<String[]> out = new ArrayList<>();
        for (String l : message.split("\r\n")) {
            out.add(l.split("\t", -1));
        }
        return out;
    }
}
