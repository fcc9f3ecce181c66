package org.silo.server.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Adler32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.ops.FileMessages.BitFileInfo;
import org.silo.archive.ops.FileMessages.Mkdir;
import org.silo.archive.ops.FileMessages.WriteFile;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.VerifyVolume;
import org.silo.archive.ops.LibraryMessages.WriteToHsm;
import org.silo.archive.ops.LibraryOps;
import org.silo.archive.ops.VolumeClerkOps;
import org.silo.control.fixture.TextClient;
import org.silo.server.SiloServer;
import org.silo.server.TestSilo;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;

/**
 * A text worker as a mover, against a whole server with no other mover: it polls with STATUS until it
 * is sent WORK, reads the volume's files itself and checks their Adler-32 (what a script with zlib
 * would do), reports progress and pass or fail, and is told to OPEN (eject) at the end.
 */
class TextMoverTest {

    @Test
    void aTextWorkerVerifiesAVolumeThroughTheMoverConversation(@TempDir Path dir) throws Exception {
        // the test is the worker, and a busy machine may keep it from its next STATUS for longer than the
        // default 10 s mover timeout, which would take its job away: this worker is never late
        try (SiloServer server =
                        SiloServer.start(TestSilo.config(dir, "archive.movers", "0", "archive.mover-timeout", "1h"));
                SiloClient c =
                        SiloClient.connect(ClientOptions.to(new InetSocketAddress("127.0.0.1", server.wirePort())));
                TextClient t = new TextClient(server.controlPort())) {
            c.call(FileClerkOps.MKDIR, new Mkdir("/v", false, "test"));
            BitFileInfo a = c.call(
                    FileClerkOps.WRITE_FILE,
                    new WriteFile("r1", "/v/a", "alpha".repeat(3000).getBytes(), null, null, null, "test"));
            BitFileInfo b = c.call(
                    FileClerkOps.WRITE_FILE,
                    new WriteFile("r2", "/v/b", "beta".repeat(5000).getBytes(), null, null, null, "test"));
            assertThat(t.readText()).startsWith("IDENT\tsilo\t");
            assertThat(t.askText("ID\tburner-7\tworker")).isEqualTo("OK\tID");
            assertThat(t.readText()).isEqualTo("CAPAB");
            assertThat(t.askText("CAP\tmover:default\tverify")).isEqualTo("OK\tCAP");
            assertThat(t.askText("STATUS\tidle\t0\tAVAIL")).as("nothing queued").isEqualTo("OK\tSTATUS");

            long job = c.call(LibraryOps.VERIFY_VOLUME, new VerifyVolume(a.volume(), 0))
                    .id();
            String work = t.askText("STATUS\tidle\t0\tAVAIL");
            List<String[]> lines = lines(work);
            assertThat(lines.get(0))
                    .containsExactly(
                            "WORK", String.valueOf(job), "verify", a.volume(), String.valueOf(15_000 + 20_000));
            assertThat(lines.subList(1, lines.size())).extracting(l -> l[1]).containsExactly(a.bfid(), b.bfid());
            assertThat(c.call(LibraryOps.MOVER_LS, null).movers())
                    .singleElement()
                    .satisfies(m -> assertThat(m.state()).isEqualTo("active"));

            // the script's own check, file by file: Adler-32 of the bytes at the path it was given
            boolean allGood = true;
            for (String[] f : lines.subList(1, lines.size())) {
                Adler32 sum = new Adler32();
                sum.update(Files.readAllBytes(Path.of(f[5])));
                allGood &= String.format("%08x", sum.getValue()).equals(f[4]);
            }
            assertThat(allGood).isTrue();
            assertThat(t.askText("STATUS\tactive\t50\treading")).isEqualTo("OK\tSTATUS");
            assertThat(c.call(LibraryOps.MOVER_LS, null).movers().get(0).bytesDone())
                    .isEqualTo(17_500);
            assertThat(t.askText("STATUS\tdone\t100\tpass")).isEqualTo("OPEN\t" + a.volume());
            JobInfo done = c.call(LibraryOps.JOB_INFO, Long.toString(job));
            assertThat(done.state()).isEqualTo("done");
            assertThat(done.result()).isEqualTo("2 files, 35000 bytes read by text mover burner-7: all good");
            assertThat(t.askText("STATUS\tidle\t0\tTray Open")).isEqualTo("OK\tSTATUS");

            // a failing check fails the job and counts against the volume
            long errors = c.call(VolumeClerkOps.INQUIRE_VOL, a.volume()).readErrors();
            long second = c.call(LibraryOps.VERIFY_VOLUME, new VerifyVolume(a.volume(), 0))
                    .id();
            assertThat(t.askText("STATUS\tidle\t0\tAVAIL")).startsWith("WORK\t" + second + "\t");
            assertThat(t.askText("STATUS\tdone\t100\tfail\tMD5 mismatch on " + b.bfid()))
                    .isEqualTo("OPEN\t" + a.volume());
            JobInfo failed = c.call(LibraryOps.JOB_INFO, Long.toString(second));
            assertThat(failed.state()).isEqualTo("failed");
            assertThat(failed.error()).contains("burner-7 reports fail: MD5 mismatch on " + b.bfid());
            assertThat(c.call(VolumeClerkOps.INQUIRE_VOL, a.volume()).readErrors())
                    .isEqualTo(errors + 1);

            // out of turn, or not a state: an error, and the connection goes on
            assertThat(t.askText("STATUS\tdone\t100\tpass"))
                    .startsWith("ERROR\t400\tSTATUS done but no WORK was given");
            assertThat(t.askText("STATUS\tflying\t5")).startsWith("ERROR\t400");
            // a write is not for a text mover: it stays queued for a real one
            long write = c.call(
                            LibraryOps.WRITE_TO_HSM,
                            WriteToHsm.of("/v/c", 10)
                                    .callback("127.0.0.1:9", "t")
                                    .build())
                    .id();
            assertThat(t.askText("STATUS\tidle\t0\tAVAIL")).isEqualTo("OK\tSTATUS");
            assertThat(c.call(LibraryOps.JOB_INFO, Long.toString(write)).state())
                    .isEqualTo("queued");

            // a worker that does not wait for its answers gets one STATUS served at a time
            t.send("STATUS\tidle\t0\tAVAIL\r\n\r\n");
            t.send("STATUS\tidle\t0\tAVAIL\r\n\r\n");
            List<String> answers = List.of(t.readText(), t.readText());
            assertThat(answers)
                    .containsExactlyInAnyOrder(
                            "OK\tSTATUS", "ERROR\t400\twait for the answer to your last STATUS before sending another");
        }
    }

    /** Seed 004's burner, which says CAP BURNCDR, is given its job with the seed's verb BURN rather than WORK. */
    @Test
    void aWorkerThatSpeaksTheSeedsWordsIsSentBurn(@TempDir Path dir) throws Exception {
        try (SiloServer server =
                        SiloServer.start(TestSilo.config(dir, "archive.movers", "0", "archive.mover-timeout", "1h"));
                SiloClient c =
                        SiloClient.connect(ClientOptions.to(new InetSocketAddress("127.0.0.1", server.wirePort())));
                TextClient t = new TextClient(server.controlPort())) {
            c.call(FileClerkOps.MKDIR, new Mkdir("/v", false, "test"));
            BitFileInfo a = c.call(
                    FileClerkOps.WRITE_FILE, new WriteFile("r1", "/v/a", "alpha".getBytes(), null, null, null, "test"));
            t.readText(); // IDENT
            assertThat(t.askText("ID\tburner-8\tworker")).isEqualTo("OK\tID");
            t.readText(); // CAPAB
            assertThat(t.askText("CAP\tBURNCDR\tmover:default\tverify")).isEqualTo("OK\tCAP");
            long job = c.call(LibraryOps.VERIFY_VOLUME, new VerifyVolume(a.volume(), 0))
                    .id();
            assertThat(lines(t.askText("STATUS\tidle\t0\tAVAIL")).get(0))
                    .containsExactly("BURN", String.valueOf(job), "verify", a.volume(), "5");
            assertThat(t.askText("STATUS\tdone\t100\tpass")).isEqualTo("OPEN\t" + a.volume());
        }
    }

    private static List<String[]> lines(String message) {
        List<String[]> out = new ArrayList<>();
        for (String l : message.split("\r\n")) {
            out.add(l.split("\t", -1));
        }
        return out;
    }
}
